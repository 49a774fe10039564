#!/usr/bin/env node
// The CLI runs from the compiled dist/ (start-up time is part of every run users pay for).
// The package ships it (`npm pack` builds it through `prepack`); in a checkout `bash scripts/setup.sh` or
// `npm run build` builds it.
// It is a CommonJS script (bin/package.json): Node loads an ES module entry through its module loader, which
// cost every command about 10 ms of start-up (Node 20) before any of e2ctwin ran.
'use strict';
const {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const {
  baselineOnly,
  growYoungGeneration,
  serialScavenge,
  useCodeCache,
  useShippedYaml,
} = require('./start-up-paths.js');

const entry = path.join(__dirname, '../dist/cli/main.js');
if (!existsSync(entry)) {
  process.stderr.write(
    'e2ctwin: dist/ is missing; run `npm run build` (or `bash scripts/setup.sh`) first.\n',
  );
  process.exit(1);
}

/** The verb's bundle, or undefined when the build made none. */
function verbBundle(verb) {
  const dir = path.join(__dirname, '../dist/verbs/');
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const name = names.find((n) => n.startsWith(`${verb}-`) && n.endsWith('.cjs'));
  return name && path.join(dir, name);
}

/**
 * Runs a one-verb bundle. Its code cache (same name, `.cache`) is used when V8 accepts it (same V8, same
 * flags; the bundle's hash in the name ties the cache to its source); otherwise the bundle is compiled as
 * usual and, once the command has run and succeeded, a new cache is written (in a temporary file renamed into place, so
 * that concurrent runs never read half a file) when dist/verbs/ is writable.
 */
async function runWithCodeCache(file, args, shippedYaml) {
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
  if (shippedYaml) {
    let entries;
    try {
      entries = JSON.parse(readFileSync(path.join(path.dirname(file), 'shipped-yaml.json'), 'utf8'));
    } catch {}
    if (entries) module.exports.preparse(entries);
  }
  await module.exports.run(args);
  if (cachedData && !script.cachedDataRejected) return;
  // Only a command that succeeded writes the cache: one that stopped at bad input compiled a fraction of the
  // code, and a cache V8 accepts is never written again, so every later run would compile the rest lazily.
  if (process.exitCode) return;
  try {
    accessSync(path.dirname(file), constants.W_OK);
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only installation runs without a cache.
  }
}

async function main() {
  const verb = process.argv[2];
  // The start-up fast paths (each declared, with its switch and its test, in ./start-up-paths.js).
  const flags = [
    ...(growYoungGeneration(verb, process.env) ? ['--semi-space-growth-factor=8'] : []),
    ...(baselineOnly(verb, process.env) ? ['--no-opt'] : []),
    ...(serialScavenge(verb, process.env) ? ['--no-parallel-scavenge'] : []),
  ];
  if (flags.length > 0) require('node:v8').setFlagsFromString(flags.join(' '));
  const bundle = useCodeCache(verb, process.env) ? verbBundle(verb) : undefined;
  if (bundle) await runWithCodeCache(bundle, process.argv.slice(2), useShippedYaml(verb, process.env));
  else await import(pathToFileURL(entry).href);
}

main().catch((err) => {
  // What an ES module entry's top-level rejection did: the error on stderr, exit status 1.
  process.exitCode = 1;
  console.error(err);
});
