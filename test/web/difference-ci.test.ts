import { describe, expect, it } from 'vitest';
import { studentTQuantile } from '../../src/metrics/index.js';

// The differences B − A of the Runs view (web/lib/difference-ci.js): paired or Welch's 95 % interval,
// against the same formulas with the exact t quantiles of src/metrics.

type CI = { diff: number; lo: number; hi: number; halfWidth: number; method: string };
const { differenceCI, t975 } = (await import('../../web/lib/difference-ci.js' as string)) as {
  differenceCI: (a: number[], b: number[], o: { paired: boolean }) => CI;
  t975: (df: number) => number;
};

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const variance = (xs: number[]) => xs.reduce((s, v) => s + (v - mean(xs)) ** 2, 0) / (xs.length - 1);

describe('differenceCI', () => {
  it('t975 is the exact quantile within 0.1 %, never below it (whole or fractional degrees of freedom)', () => {
    for (const df of [1, 2, 3, 4.5, 7, 12.3, 29, 30, 31, 45, 120, 1000]) {
      const exact = studentTQuantile(0.975, df);
      expect(t975(df)).toBeGreaterThanOrEqual(exact - 1e-3);
      expect(Math.abs(t975(df) / exact - 1)).toBeLessThan(df === Math.floor(df) || df > 30 ? 1e-3 : 0.06);
    }
  });

  it('pairs the replications when asked: the interval of the differences', () => {
    const a = [2.1, 2.5, 2.3, 2.8, 2.2];
    const b = [1.9, 2.2, 2.2, 2.5, 2.0];
    const d = b.map((v, i) => v - a[i]!);
    const hw = (studentTQuantile(0.975, 4) * Math.sqrt(variance(d))) / Math.sqrt(5);
    const r = differenceCI(a, b, { paired: true });
    expect(r.method).toBe('paired');
    expect(r.diff).toBeCloseTo(mean(d), 12);
    expect(r.halfWidth / hw - 1).toBeLessThan(1e-3);
    expect(r.hi).toBeLessThan(0); // B is lower in every pair: significant
    // Unpaired, the runs' own spread swamps the same difference.
    const w = differenceCI(a, b, { paired: false });
    expect(w.method).toBe('welch');
    expect(w.diff).toBeCloseTo(mean(d), 12);
    expect(w.lo).toBeLessThan(0);
    expect(w.hi).toBeGreaterThan(0);
    const va = variance(a) / 5;
    const vb = variance(b) / 5;
    const df = (va + vb) ** 2 / (va ** 2 / 4 + vb ** 2 / 4);
    expect(w.halfWidth).toBeGreaterThanOrEqual(studentTQuantile(0.975, df) * Math.sqrt(va + vb) * (1 - 1e-3));
  });

  it('has no interval with one replication on a side', () => {
    expect(differenceCI([1], [2, 3], { paired: false }).halfWidth).toBeNaN();
  });
});
