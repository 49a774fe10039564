import { describe, expect, it } from 'vitest';
import { itValidatesAlikeBothWays, runBin } from '../support/start-up-path.js';

// bin/e2ctwin.js runs `validate` with V8's optimizing compiler off (the baseline-only start-up path);
// E2CTWIN_BASELINE_ONLY=0 leaves it on. Both must print the same bytes and exit alike, and the switch must
// actually keep functions from being optimized.

const run = (args: string[], baselineOnly: boolean, traceOpt = false) =>
  runBin(args, { E2CTWIN_BASELINE_ONLY: baselineOnly ? '1' : '0' }, traceOpt ? ['--trace-opt'] : []);

const optimized = (out: string) => out.split('\n').filter((l) => /completed optimizing/.test(l)).length;

describe('validate without the optimizing compiler', () => {
  itValidatesAlikeBothWays(run);

  it('optimizes no function', () => {
    // Several validations in one run, so that without the switch V8 does optimize something.
    const files = ['plantnet', 'iot-camera-fog-cloud', 'image-service', 'plantnet-spring-peak'].map(
      (f) => `scenarios/${f}.yaml`,
    );
    const off = optimized(run(['validate', ...files, ...files], false, true).stdout);
    const on = optimized(run(['validate', ...files, ...files], true, true).stdout);
    expect(off).toBeGreaterThan(0);
    expect(on).toBe(0);
  }, 120_000);
});
