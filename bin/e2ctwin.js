#!/usr/bin/env node
// The CLI runs from the compiled dist/ (start-up time is part of every run users pay for).
// The package ships it (`npm pack` builds it through `prepack`); in a checkout `bash scripts/setup.sh` or
// `npm run build` builds it.
import {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'e2ctwin: dist/ is missing; run `npm run build` (or `bash scripts/setup.sh`) first.\n',
  );
  process.exit(1);
}

/**
 * `validate` and `simulate` run from their own bundle (dist/verbs/<verb>-<hash>.cjs, scripts/build.mjs),
 * compiled with V8's code cache beside it: Node 20 caches no ES module's code, and compiling zod, yaml, the
 * scenario layer and the model was about a fifth of a `validate`. Same command line, same output as
 * dist/cli/main.js, which runs every other verb. E2CTWIN_CODE_CACHE=0 turns this off (main.js runs all).
 */
const CACHED_VERBS = new Set(['validate', 'simulate']);

/** The verb's bundle, or undefined when the build made none. */
function verbBundle(verb) {
  const dir = fileURLToPath(new URL('../dist/verbs/', import.meta.url));
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
 * usual and, once the command has run, a new cache is written (in a temporary file renamed into place, so
 * that concurrent runs never read half a file) when dist/verbs/ is writable.
 */
async function runWithCodeCache(file, args) {
  const source = readFileSync(file, 'utf8');
  const cacheFile = file.replace(/\.cjs$/, '.cache');
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {}
  // The CommonJS wrapper on the bundle's first line (its line numbers stay those of the source map).
  const script = new Script(
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
  await module.exports.run(args);
  if (cachedData && !script.cachedDataRejected) return;
  try {
    accessSync(path.dirname(file), constants.W_OK);
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only installation runs without a cache.
  }
}

const verb = process.argv[2];

/**
 * V8 starts the young generation at 1 MB and doubles it only after a scavenge, so the ~10 MB a `validate`
 * keeps (its code, zod's schemas, the parsed YAML) was copied through six scavenges (~30 ms of a 0.25 s
 * command on this machine). Growing it eightfold per step leaves three. The factor is read when the space
 * grows, so setting it here, before the work, takes effect; it changes no output, only when GC runs.
 * Only `validate`: a simulation's peak memory is a figure users read. E2CTWIN_YOUNG_GROWTH=0 turns it off.
 */
if (verb === 'validate' && process.env.E2CTWIN_YOUNG_GROWTH !== '0')
  setFlagsFromString('--semi-space-growth-factor=8');
const bundle =
  CACHED_VERBS.has(verb) && process.env.E2CTWIN_CODE_CACHE !== '0' ? verbBundle(verb) : undefined;
if (bundle) await runWithCodeCache(bundle, process.argv.slice(2));
else await import(entry.href);
