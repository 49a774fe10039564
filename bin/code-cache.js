'use strict';
// Loading a CommonJS bundle of dist/verbs/ with V8's code cache beside it (the code-cache start-up path,
// ./start-up-paths.js): the command line's one-verb bundles (./e2ctwin.js) and the study worker's
// (./study-worker.js). Node 20 caches no ES module's code, and compiling the bundles' code (zod, yaml, the
// scenario layer, the model) was about a fifth of a short command.
const { accessSync, constants, readdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { threadId } = require('node:worker_threads');

const VERBS_DIR = path.join(__dirname, '../dist/verbs/');

// dist/verbs/'s file names, read once per process (a command asks for its verb's bundle and the study worker's).
let verbsDirNames;

/** The bundle dist/verbs/<name>-<hash>.cjs, or undefined when the build made none. */
function bundleFile(name) {
  if (verbsDirNames === undefined) {
    try {
      verbsDirNames = readdirSync(VERBS_DIR);
    } catch {
      verbsDirNames = [];
    }
  }
  const found = verbsDirNames.find((n) => n.startsWith(`${name}-`) && n.endsWith('.cjs'));
  return found && path.join(VERBS_DIR, found);
}

/**
 * Runs the bundle's top level and returns its exports, compiled with its code cache (same name, `.cache`)
 * when V8 accepts it (same V8, same flags; the bundle's hash in its name ties the cache to its source).
 * `saveCache()` writes a new cache when none was accepted — call it once the work succeeded: a cache holds
 * the functions compiled so far, and one V8 accepts is never written again, so a cache made by a run that
 * stopped early would leave the rest of the code to be compiled on every later run. It writes a temporary
 * file renamed into place (concurrent runs, and the worker threads of one, never read half a file), and
 * nothing when dist/verbs/ is read-only.
 */
function loadWithCodeCache(file) {
  const source = readFileSync(file, 'utf8');
  const cacheFile = file.replace(/\.cjs$/, '.cache');
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {}
  // The CommonJS wrapper on the bundle's first line (its line numbers stay those of the source map).
  const script = new (require('node:vm').Script)(
    `(function (exports, require, module, __filename, __dirname, __e2cImportMetaUrl) {${source}\n})`,
    { filename: file, ...(cachedData ? { cachedData } : {}) },
  );
  const module = { exports: {} };
  script.runInThisContext()(
    module.exports,
    createRequire(file),
    module,
    file,
    path.dirname(file),
    pathToFileURL(file).href,
  );
  let saved = cachedData !== undefined && !script.cachedDataRejected;
  const saveCache = () => {
    if (saved) return;
    saved = true;
    try {
      accessSync(path.dirname(file), constants.W_OK);
      const tmp = `${cacheFile}.${process.pid}.${threadId}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only installation runs without a cache.
    }
  };
  return { exports: module.exports, saveCache };
}

module.exports = { bundleFile, loadWithCodeCache };
