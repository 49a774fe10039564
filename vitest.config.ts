import { defineConfig } from 'vitest/config';

// Tests that need a live testbed (root: network namespaces, sshd, Docker) or a browser (headless Chromium),
// or that pack and install the npm package (minutes while npm builds native addons).
// `npm run test:unit` leaves them out for the edit-test loop; `npm test` (what CI runs) keeps everything.
const LIVE_OR_BROWSER = [
  'test/live/live-run.test.ts',
  'test/conformance/**',
  'test/e2e/**',
  'test/calibrate/validate-twin.test.ts',
  'test/package/**',
];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(process.env.E2C_TEST_UNIT === '1' ? LIVE_OR_BROWSER : [])],
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
