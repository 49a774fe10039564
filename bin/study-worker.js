'use strict';
// The worker thread of a study (piscina; src/explore/piscina-runner.ts) when the study-worker-cache start-up
// path applies (./start-up-paths.js): src/explore/worker.ts bundled to dist/verbs/study-worker-<hash>.cjs
// (scripts/build.mjs), compiled with V8's code cache (./code-cache.js) instead of imported as an ES
// module with its chunks, which Node 20 compiles without one (~0.12 s a thread on this project's machine).
const { bundleFile, loadWithCodeCache } = require('./code-cache.js');

const file = bundleFile('study-worker');
if (!file) throw new Error('dist/verbs/study-worker-*.cjs is missing; run `npm run build`');
const bundle = loadWithCodeCache(file);
const work = bundle.exports.default;

// The cache is written once a trial has run (it then holds the simulator's compiled code too) and only
// if no accepted cache was there; a trial that throws writes none.
module.exports = function studyWork(task) {
  const out = work(task);
  bundle.saveCache();
  return out;
};
