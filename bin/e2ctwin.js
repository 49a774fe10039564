#!/usr/bin/env node
// The CLI runs from the compiled dist/ (start-up time is part of every run users pay for).
// The package ships it (`npm pack` builds it through `prepack`); in a checkout `bash scripts/setup.sh` or
// `npm run build` builds it.
// It is a CommonJS script (bin/package.json): Node loads an ES module entry through its module loader, which
// cost every command about 10 ms of start-up (Node 20) before any of e2ctwin ran.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { bundleFile, loadWithCodeCache } = require('./code-cache.js');
const {
  baselineOnly,
  growYoungGeneration,
  serialScavenge,
  useCodeCache,
  useShippedYaml,
  useStudyWorkerCache,
} = require('./start-up-paths.js');

const entry = path.join(__dirname, '../dist/cli/main.js');
if (!existsSync(entry)) {
  process.stderr.write(
    'e2ctwin: dist/ is missing; run `npm run build` (or `bash scripts/setup.sh`) first.\n',
  );
  process.exit(1);
}

/** Runs a one-verb bundle with its code cache (./code-cache.js); only a command that succeeded writes the cache. */
async function runWithCodeCache(file, args, shippedYaml) {
  const { exports, saveCache } = loadWithCodeCache(file);
  if (shippedYaml) {
    let entries;
    try {
      entries = JSON.parse(readFileSync(path.join(path.dirname(file), 'shipped-yaml.json'), 'utf8'));
    } catch {}
    if (entries) exports.preparse(entries);
  }
  await exports.run(args);
  // One that stopped at bad input compiled a fraction of the code (see loadWithCodeCache).
  if (!process.exitCode) saveCache();
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
  // Studies' worker threads start from their own bundle with its code cache (./study-worker.js).
  if (useStudyWorkerCache(process.env) && bundleFile('study-worker'))
    globalThis.__e2cStudyWorker = path.join(__dirname, 'study-worker.js');
  const bundle = useCodeCache(verb, process.env) ? bundleFile(verb) : undefined;
  if (bundle) await runWithCodeCache(bundle, process.argv.slice(2), useShippedYaml(verb, process.env));
  else await import(pathToFileURL(entry).href);
}

main().catch((err) => {
  // What an ES module entry's top-level rejection did: the error on stderr, exit status 1.
  process.exitCode = 1;
  console.error(err);
});
