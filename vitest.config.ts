import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests that need a live testbed (root: network namespaces, sshd, Docker) or a browser (headless Chromium),
// or that pack and install the npm package (minutes while npm builds native addons).
// `npm run test:unit` leaves them out for the edit-test loop; `npm test` (what CI runs) keeps everything.
// The files that hold the live testbed lock (holdLiveTestLock): one at a time, in a project of their own.
const LIVE_LOCKED = [
  'test/live/live-run.test.ts',
  'test/live/workflow-phases.test.ts',
  'test/live/live-events.test.ts',
  'test/live/live-balance.test.ts',
  'test/live/live-pool.test.ts',
  'test/live/live-scale.test.ts',
  'test/live/live-autoscale.test.ts',
  'test/live/nginx-campaign.test.ts',
  'test/live/transfer-time.test.ts',
  'test/calibrate/validate-twin.test.ts',
];
const LIVE_OR_BROWSER = [...LIVE_LOCKED, 'test/conformance/**', 'test/e2e/**', 'test/package/**'];

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

export default defineConfig({
  test: {
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one file at a time on a 2-core machine, while most
    // unit files wait on the CLI processes they spawn. Both runs take a file per core. In `npm test` the live
    // testbed files (one at a time: liveTestLock) spend most of their minutes waiting on the testbed's clock,
    // and the other files run beside them: the suite fits its 15 minutes (one file at a time took 16.6). The
    // live and browser tests hold under that load: they poll for their conditions, compare the fastest of
    // repeated transfers, and validate-twin reports CPU-starved runs instead of scoring them.
    // The edit-test loop also runs each worker's files in one module graph (isolate: false): a file's own
    // module is fresh, the code under test and the test runner are loaded once per worker instead of once per
    // file (half the CPU time of the run). The tests keep no state between files (no mocks, no environment
    // changes; runCliHere restores the directory and streams); `npm test` keeps the isolation, so CI would
    // catch a test that only passes after another.
    maxWorkers: availableParallelism(),
    ...(unit ? { isolate: false } : {}),
    // The live-testbed files wait for one another (the testbed lock): a project of one worker. `npm test`
    // (scripts/test.mjs) runs the two projects in two vitest processes at once; `npx vitest run` runs them
    // one after the other (vitest does so with projects of different worker counts).
    // (Each project states its own include: a project's list is added to the root's, not put in its place.)
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: validation
            ? VALIDATION.map((p) => (p.endsWith('**') ? `${p}/*.test.ts` : p))
            : ['test/**/*.test.ts'],
          exclude: [
            '**/node_modules/**',
            ...LIVE_LOCKED,
            ...(unit ? [...LIVE_OR_BROWSER, ...VALIDATION] : []),
          ],
        },
      },
      ...(unit || validation
        ? []
        : [{ extends: true as const, test: { name: 'live', include: LIVE_LOCKED, fileParallelism: false } }]),
    ],
  },
});
