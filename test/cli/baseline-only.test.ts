import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

// bin/e2ctwin.js runs `validate` with V8's optimizing compiler off (the baseline-only start-up path);
// E2CTWIN_BASELINE_ONLY=0 leaves it on. Both must print the same bytes and exit alike, and the switch must
// actually keep functions from being optimized.

function run(args: string[], baselineOnly: boolean, traceOpt = false) {
  const r = spawnSync(
    process.execPath,
    [...(traceOpt ? ['--trace-opt'] : []), path.join(repoRoot, 'bin/e2ctwin.js'), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1', E2CTWIN_BASELINE_ONLY: baselineOnly ? '1' : '0' },
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const optimized = (out: string) => out.split('\n').filter((l) => /completed optimizing/.test(l)).length;

describe('validate without the optimizing compiler', () => {
  it.each([
    ['validate', ['validate', 'scenarios/plantnet.yaml']],
    ['validate --json', ['validate', 'scenarios/iot-camera-fog-cloud.yaml', '--json']],
    ['validate, a bad scenario', ['validate', 'test/fixtures/bad-scenarios/unknown-key-service.yaml']],
    ['validate, a bad override', ['validate', 'scenarios/plantnet.yaml', '--set', 'run.duration=abc']],
  ])(
    '%s: the same output and exit status with and without it',
    (_name, args) => {
      expect(run(args, true)).toEqual(run(args, false));
    },
    120_000,
  );

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
