import { median } from './against.js';

/**
 * The median of per-pair ratios (dynamic / static, one pair of alternating runs each) with a
 * distribution-free confidence interval, and the verdict it supports against a target. Why an interval:
 * on a shared host one loaded minute moves a pair's ratio by a third, so a bare median of a few pairs
 * lands on either side of a target near it from one run of the benchmark to the next. The interval
 * [x(k), x(n+1−k)] of the sorted ratios covers the true median with probability 1 − 2·P(B ≤ k−1),
 * B ~ Binomial(n, ½), whatever the noise's law (pairs independent); a verdict is given only when the whole
 * interval is on one side of the target, so two runs of the benchmark disagree only when one of them misses
 * the median by more than its interval (each side's chance is at most (1 − coverage)/2).
 */
export interface RatioSummary {
  median: number;
  min: number;
  max: number;
  /** The interval's ends: the k-th smallest and the k-th largest ratio. */
  low: number;
  high: number;
  /** Its coverage of the true median (0 when there are too few pairs for any interval). */
  coverage: number;
}

/** P(B ≤ j) for B ~ Binomial(n, ½). */
function binomialHalfCdf(n: number, j: number): number {
  let term = 0.5 ** n; // P(B = 0)
  let sum = 0;
  for (let i = 0; i <= j; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * Summary of `ratios`: the median, the spread, and the narrowest order-statistic interval whose coverage is
 * at least `level` (the widest, [min, max], when none reaches it: then `coverage` says what it has).
 */
export function summarizeRatios(ratios: readonly number[], level = 0.9): RatioSummary {
  const s = [...ratios].sort((a, b) => a - b);
  const n = s.length;
  let k = 1;
  // Move the ends inwards while the interval still covers the median with at least `level`.
  while (k + 1 <= n + 1 - (k + 1) && 1 - 2 * binomialHalfCdf(n, k) >= level) k++;
  const coverage = n > 0 ? 1 - 2 * binomialHalfCdf(n, k - 1) : 0;
  return {
    median: n > 0 ? median(s) : Number.NaN,
    min: n > 0 ? s[0]! : Number.NaN,
    max: n > 0 ? s[n - 1]! : Number.NaN,
    low: n > 0 ? s[k - 1]! : Number.NaN,
    high: n > 0 ? s[n - k]! : Number.NaN,
    coverage,
  };
}

/** MET when the whole interval is at or under the target, MISSED when it is all over it, else UNDECIDED. */
export function ratioVerdict(r: RatioSummary, target: number): 'MET' | 'MISSED' | 'UNDECIDED' {
  if (r.high <= target) return 'MET';
  if (r.low > target) return 'MISSED';
  return 'UNDECIDED';
}

/** "1.12× (interval 1.08–1.15×, 93 %; spread 1.01–1.30×)". */
export function formatRatios(r: RatioSummary): string {
  return `${r.median.toFixed(2)}× (interval ${r.low.toFixed(2)}–${r.high.toFixed(2)}×, ${(100 * r.coverage).toFixed(0)} %; spread ${r.min.toFixed(2)}–${r.max.toFixed(2)}×)`;
}
