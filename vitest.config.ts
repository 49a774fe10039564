import { availableParallelism } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The files that run on the live testbed, one at a time (they hold liveTestLock, test/live/support.ts;
// test/architecture/test-groups.test.ts checks this list against the files that call holdLiveTestLock).
const LIVE_TESTBED = [
  'test/live/live-run.test.ts',
  'test/live/workflow-phases.test.ts',
  'test/live/live-events.test.ts',
  'test/live/live-balance.test.ts',
  'test/live/nginx-campaign.test.ts',
  'test/live/transfer-time.test.ts',
  'test/calibrate/validate-twin.test.ts',
];

// Tests that need a live testbed (root: network namespaces, sshd, Docker) or a browser (headless Chromium),
// or that pack and install the npm package (minutes while npm builds native addons).
// `npm run test:unit` leaves them out for the edit-test loop; `npm test` (what CI runs) keeps everything.
const LIVE_OR_BROWSER = [...LIVE_TESTBED, 'test/conformance/**', 'test/e2e/**', 'test/package/**'];

// The long statistical validation tier: checks whose power comes from long or replicated runs — the simulator
// against queueing theory (1–2 % tolerances, CI coverage), the shortcuts against the plain event path (equal
// to 1e-9, or 95 % CIs overlapping over ≥ 10 replications), calibration against a synthetic truth (coverage
// of prediction intervals). `npm run test:validation` runs this tier alone (E2C_TEST_TIER=validation),
// `npm run test:unit` leaves it out, `npm test` runs it with everything else.
const VALIDATION = [
  'test/validation/**',
  'test/model/load-balance-analytic.test.ts',
  'test/model/shortcuts-equivalence.test.ts',
  'test/calibrate/synthetic-truth.test.ts',
];

const unit = process.env.E2C_TEST_UNIT === '1';
const validation = process.env.E2C_TEST_TIER === 'validation';
// E2C_TEST_CPU_SLOTS=0: one worker per core and no admission (test/support/cpu-slots.ts), as before it.
const cpuSlots = process.env.E2C_TEST_CPU_SLOTS !== '0';

/**
 * Vitest's order (the longest or largest files first), with the live testbed files ahead of all: their
 * chain (one at a time) is the longest path of the run, so it starts at once.
 */
class LiveTestbedFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLive = (f: TestSpecification) =>
      LIVE_TESTBED.includes(
        path
          .relative(import.meta.dirname, f.moduleId)
          .split(path.sep)
          .join('/'),
      );
    return [...sorted.filter(isLive), ...sorted.filter((f) => !isLive(f))];
  }
}

export default defineConfig({
  test: {
    include: validation
      ? VALIDATION.map((p) => (p.endsWith('**') ? `${p}/*.test.ts` : p))
      : ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(unit ? [...LIVE_OR_BROWSER, ...VALIDATION] : [])],
    globalSetup: ['test/support/build-dist.ts', 'test/support/cpu-slots-folder.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One file per core, and one worker more per live testbed file: test/support/cpu-slots.ts (a setup
    // file, run before each test file is imported) admits one file per core to the CPU, at a lower
    // priority, while the live testbed files (one at a time: liveTestLock) wait on the testbed's clock in
    // workers of their own. Vitest's single queue with one worker per core ran them in the workers of the
    // other files: a live file waiting for the lock held a worker, and while one ran, only one other file
    // ran beside it. The sequencer hands the live files out first. The live and browser tests hold under
    // that load: they poll for their conditions, compare the fastest of repeated transfers, and
    // validate-twin reports CPU-starved runs instead of scoring them.
    // The edit-test loop also runs each worker's files in one module graph (isolate: false): a file's own
    // module is fresh, the code under test and the test runner are loaded once per worker instead of once per
    // file (half the CPU time of the run). The tests keep no state between files (no mocks, no environment
    // changes; runCliHere restores the directory and streams); `npm test` keeps the isolation, so CI would
    // catch a test that only passes after another. It runs no live file: one worker per core.
    maxWorkers: availableParallelism() + (unit || validation || !cpuSlots ? 0 : LIVE_TESTBED.length),
    setupFiles: ['test/support/cpu-slots.ts'],
    provide: { liveTestbedFiles: LIVE_TESTBED },
    sequence: { sequencer: LiveTestbedFirst },
    ...(unit ? { isolate: false } : {}),
  },
});
