import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests that need a live testbed (root: network namespaces, sshd, Docker) or a browser (headless Chromium),
// or that pack and install the npm package (minutes while npm builds native addons).
// `npm run test:unit` leaves them out for the edit-test loop; `npm test` (what CI runs) keeps everything.
const LIVE_OR_BROWSER = [
  'test/live/live-run.test.ts',
  'test/live/workflow-phases.test.ts',
  'test/conformance/**',
  'test/e2e/**',
  'test/calibrate/validate-twin.test.ts',
  'test/package/**',
];

const unit = process.env.E2C_TEST_UNIT === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(unit ? LIVE_OR_BROWSER : [])],
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one file at a time on a 2-core machine, while most
    // unit files wait on the CLI processes they spawn. The edit-test loop runs a file per core; `npm test`
    // keeps the default, so the live and browser tests that time real traffic have the machine to themselves.
    ...(unit ? { maxWorkers: availableParallelism() } : {}),
  },
});
