import type { ConcurrencyCurve } from '../scenario/index.js';

/**
 * Total throughput with n concurrent jobs, relative to one job alone (a GPU's concurrency curve).
 * Saturating form: 1 + (max − 1)·(n − 1)/(n − 1 + half), so rate(1) = 1 and rate(∞) = max.
 * Points form: linear interpolation, flat beyond the last point, proportional below the first.
 * Without a curve, concurrent jobs share one unit of throughput (rate(n) = 1).
 */
export function concurrencyRate(curve: ConcurrencyCurve | undefined): (n: number) => number {
  if (!curve) return () => 1;
  if ('maxSpeedup' in curve) {
    const gain = curve.maxSpeedup - 1;
    const half = curve.halfConcurrency;
    return (n) => 1 + (gain * (n - 1)) / (n - 1 + half);
  }
  const pts = [...curve.points].sort((a, b) => a[0] - b[0]);
  return (n) => {
    const first = pts[0]!;
    if (n <= first[0]) return (first[1] * n) / first[0];
    for (let i = 1; i < pts.length; i++) {
      const [x1, y1] = pts[i]!;
      if (n <= x1) {
        const [x0, y0] = pts[i - 1]!;
        return y0 + ((y1 - y0) * (n - x0)) / (x1 - x0);
      }
    }
    return pts[pts.length - 1]![1];
  };
}
