import { describe, expect, it } from 'vitest';

// The KS distance between two step CDFs (web/lib/cdf-distance.js), against values worked out by hand
// and against the two-sample statistic computed from the samples themselves.

type Point = { x: number; p: number };
const { ksDistance } = (await import('../../web/lib/cdf-distance.js' as string)) as {
  ksDistance: (a: Point[], b: Point[]) => number;
};

/** The empirical CDF of a sample, one point per distinct value. */
function cdfOf(sample: number[]): Point[] {
  const s = [...sample].sort((u, v) => u - v);
  const out: Point[] = [];
  s.forEach((x, i) => {
    if (s[i + 1] !== x) out.push({ x, p: (i + 1) / s.length });
  });
  return out;
}

describe('ksDistance(a, b)', () => {
  it('is the largest vertical gap between the steps', () => {
    expect(
      ksDistance(
        [
          { x: 1, p: 0.5 },
          { x: 2, p: 1 },
        ],
        [{ x: 1.5, p: 1 }],
      ),
    ).toBe(0.5);
    expect(ksDistance([{ x: 1, p: 1 }], [{ x: 3, p: 1 }])).toBe(1);
    expect(ksDistance(cdfOf([1, 2, 3]), cdfOf([1, 2, 3]))).toBe(0);
  });

  it('equals the two-sample statistic of the samples: here 2 of 4 against 0 of 2 below 2.5', () => {
    const a = [1, 2, 3, 4];
    const b = [3, 5];
    // Brute force over every x where either steps.
    const F = (s: number[], x: number) => s.filter((v) => v <= x).length / s.length;
    const brute = Math.max(...[...a, ...b].map((x) => Math.abs(F(a, x) - F(b, x))));
    expect(brute).toBe(0.5);
    expect(ksDistance(cdfOf(a), cdfOf(b))).toBe(brute);
  });

  it('is NaN when a distribution is empty', () => {
    expect(ksDistance([], [{ x: 1, p: 1 }])).toBeNaN();
  });
});
