'use strict';
// Every fast path the CLI takes at start-up, decided here and nowhere else (as src/model/shortcuts.ts
// does for the model's): each states when it applies, the invariant that makes it safe, the switch that
// turns it off, and the test that compares both paths. None changes what a command prints or exits with;
// they change only how soon it gets there.

/**
 * **code-cache** — `validate`, `simulate` and the study verbs `sweep`, `sensitivity`, `optimize` and
 * `capacity` run from their own bundle (dist/verbs/<verb>-<hash>.cjs,
 * scripts/build.mjs), compiled with V8's code cache beside it: Node 20 caches no ES module's code, and
 * compiling zod, yaml, the scenario layer and the model was about a fifth of a `validate` (`sweep --help` took
 * 0.30 s from dist/cli/main.js and 0.21 s from its bundle). Applies to
 * those verbs when the build made their bundle. Invariant: the bundle is built from the same sources as
 * dist/cli/main.js and runs the same `run(argv)`; a cache V8 rejects (another V8, other flags) is ignored.
 * Off: `E2CTWIN_CODE_CACHE=0` (dist/cli/main.js runs every verb). Test: test/cli/code-cache.test.ts.
 */
const CACHED_VERBS = new Set(['validate', 'simulate', 'sweep', 'sensitivity', 'optimize', 'capacity']);
const useCodeCache = (verb, env) => CACHED_VERBS.has(verb) && env.E2CTWIN_CODE_CACHE !== '0';

/**
 * **study-worker-cache** — a study's worker threads (sweep, sensitivity, optimize, capacity, calibrate-twin,
 * suggest-measurement, `e2ctwin worker`: whichever verb runs one) start from ./study-worker.js, which compiles
 * src/explore/worker.ts's own bundle (dist/verbs/study-worker-<hash>.cjs) with V8's code cache, instead of
 * importing dist/explore/worker.js, an ES module with its chunks that Node 20 compiles afresh in every
 * thread (0.12 s of a thread's start on this project's machine). Applies to every verb when the build made
 * that bundle (the npm package ships none: an installed copy imports dist/explore/worker.js). Invariant:
 * both are built from the same src/explore/worker.ts and run the same `runTrial`; the cache holds compiled
 * code, not results. Off: `E2CTWIN_CODE_CACHE=0` (with the one-verb bundles). Test:
 * test/cli/code-cache.test.ts (a sweep's output the same both ways; the worker's cache written only with
 * the path on).
 */
const useStudyWorkerCache = (env) => env.E2CTWIN_CODE_CACHE !== '0';

/**
 * **young-growth** — V8 starts the young generation at 1 MB and doubles it only after a scavenge, so the
 * ~10 MB a `validate` keeps (its code, zod's schemas, the parsed YAML) was copied through six scavenges
 * (~30 ms of a 0.25 s command on this machine). Growing it eightfold per step
 * (`--semi-space-growth-factor=8`, set before the work: the factor is read when the space grows) leaves
 * three. Applies to `validate` only: a simulation's peak memory is a figure users read. Invariant: it
 * changes when the garbage collector runs, not what the program computes. Off: `E2CTWIN_YOUNG_GROWTH=0`.
 * Test: test/cli/young-growth.test.ts (same output and exit status both ways; fewer scavenges).
 */
const growYoungGeneration = (verb, env) => verb === 'validate' && env.E2CTWIN_YOUNG_GROWTH !== '0';

/**
 * **baseline-only** — `validate` runs with V8's optimizing compiler off (`--no-opt`): in a run of a fifth
 * of a second, TurboFan compiled functions (zod's and the YAML parser's) that did not run long enough to
 * repay it, about a sixth of the instructions the command executes beyond Node's own start-up (cachegrind,
 * 2026-12-07); the interpreter and the baseline compiler (Sparkplug) stay on. Applies to `validate` only:
 * a simulation's loops need the optimizing compiler. Invariant: which compiler runs a function changes how
 * fast it runs, not what it computes. Set before the bundle is compiled; the code cache is written with
 * the same flags (a cache made without it is refused by V8 and written again). Off:
 * `E2CTWIN_BASELINE_ONLY=0`. Test: test/cli/baseline-only.test.ts (same output and exit status both ways;
 * nothing optimized).
 */
const baselineOnly = (verb, env) => verb === 'validate' && env.E2CTWIN_BASELINE_ONLY !== '0';

/**
 * **shipped-yaml** — the presets shipped in models/ are parsed when dist/ is built
 * (dist/verbs/shipped-yaml.json: each file's text with the JSON of its plain data) and handed to the verb's
 * bundle, which then parses a preset file only if an issue must be located in it or an override changes
 * it: parsing YAML with code not yet warm was about a tenth of a `validate`. Applies to the one-verb
 * bundles (with code-cache) when the build made the file. Invariant: an entry is used only for a file
 * whose text is the one parsed at build time, and the build keeps only entries whose JSON gives back, by
 * the bundle's own parser, exactly the data the YAML gives and that have no syntax issue. Off:
 * `E2CTWIN_SHIPPED_YAML=0`. Test: test/cli/shipped-yaml.test.ts (same output and exit status both ways).
 */
const useShippedYaml = (verb, env) => useCodeCache(verb, env) && env.E2CTWIN_SHIPPED_YAML !== '0';

/**
 * **serial-scavenge** — `simulate` collects its young generation on the main thread alone
 * (`--no-parallel-scavenge`). A simulation keeps its state in objects that live long (reused requests, hosts,
 * links) and allocates garbage that dies at once (boxed numbers, item tasks): a scavenge finds a few tens of
 * kilobytes alive, and handing that to helper threads cost more CPU than copying it (Pl@ntNet with an
 * autoscaler and ten timed events, 1 M requests, `--trace-gc-nvp`: 233–255 ms of scavenging with helpers,
 * 141–161 ms without; the static run 140–150 and 89–131 ms). Where a scavenge copies megabytes (IoT with
 * 100,000 cameras) helpers still shorten the pauses, by about 2 % of the run's wall time, for more CPU than
 * they save (docs/performance.md). Applies to `simulate`. Invariant: it changes
 * which thread collects garbage, not what the program computes. Set before the bundle is compiled (the build
 * writes the code cache with it). Off: `E2CTWIN_SERIAL_SCAVENGE=0`. Test: test/cli/serial-scavenge.test.ts
 * (same output and exit status both ways; no helper thread scavenges).
 */
const serialScavenge = (verb, env) => verb === 'simulate' && env.E2CTWIN_SERIAL_SCAVENGE !== '0';

module.exports = {
  CACHED_VERBS,
  useCodeCache,
  useStudyWorkerCache,
  growYoungGeneration,
  baselineOnly,
  serialScavenge,
  useShippedYaml,
};
