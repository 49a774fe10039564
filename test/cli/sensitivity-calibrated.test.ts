import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliHere } from '../support/cli.js';

// sensitivity --calibration-set: the one-at-a-time curves with their 90 % prediction intervals over the shipped
// Pl@ntNet calibration set (short runs, to stay cheap); the other methods refuse the flag.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-sens-set-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sensitivity --calibration-set', () => {
  it('oat: every point of the curve predicted over the plausible vectors, the interval around the calibrated value', async () => {
    const r = await runCliHere([
      'sensitivity',
      'scenarios/plantnet.yaml',
      '--method',
      'oat',
      '-p',
      'cloud.engine.pools.extract=6..7',
      '--set',
      'run.duration=300',
      '--set',
      'run.warmup=60',
      '--calibration-set',
      'calibration/plantnet/calibration-set.yaml',
      '--out',
      path.join(tmp, 'oat'),
      '--workers',
      '1',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const m =
      /Calibrated over (\d+) plausible parameter vectors[^\n]*\n[^\n]*\n6\s+([\d.]+) \[([\d.]+) – ([\d.]+)\]\n7\s+([\d.]+) \[([\d.]+) – ([\d.]+)\]/.exec(
        r.stdout,
      );
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(10);
    for (const [point, lo, hi] of [
      [m![2], m![3], m![4]],
      [m![5], m![6], m![7]],
    ].map((t) => t.map(Number))) {
      expect(lo).toBeLessThanOrEqual(point!);
      expect(point).toBeLessThanOrEqual(hi!);
      expect(hi! - lo!).toBeGreaterThan(0);
    }
  }, 300_000);

  it('morris and sobol refuse it (exit 2, saying which method takes it)', async () => {
    const r = await runCliHere([
      'sensitivity',
      'scenarios/plantnet.yaml',
      '--method',
      'morris',
      '--calibration-set',
      'calibration/plantnet/calibration-set.yaml',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--calibration-set applies to --method oat/);
  });
});
