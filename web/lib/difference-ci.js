// The difference B − A of a metric between two runs, with a 95 % confidence interval from their
// replications: paired (B's replication i against A's, when both used the same seeds: common random
// numbers make the pairs share their randomness, so the interval is much narrower), else Welch's.

/** Student t 0.975-quantiles for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * The 0.975-quantile of Student's t with `df` degrees of freedom (df ≥ 1, not necessarily whole): the
 * table below 30, rounded down (a wider interval, never a narrower one); above, Cornish–Fisher's expansion
 * around the normal quantile (within 0.001 there).
 */
export function t975(df) {
  if (!(df >= 1)) return NaN;
  if (df < 31) return T975[Math.floor(df) - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

const mean = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
const variance = (xs) => {
  const m = mean(xs);
  return xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1);
};

/**
 * B − A from the replications' values `a` and `b` (finite numbers); `paired` when b[i] and a[i] share
 * their seed. Returns { diff, lo, hi, halfWidth, method, n }; the interval is NaN with fewer than two
 * replications on a side.
 */
export function differenceCI(a, b, { paired }) {
  if (paired && a.length === b.length && a.length >= 2) {
    const d = b.map((v, i) => v - a[i]);
    const diff = mean(d);
    const halfWidth = (t975(d.length - 1) * Math.sqrt(variance(d))) / Math.sqrt(d.length);
    return { diff, halfWidth, lo: diff - halfWidth, hi: diff + halfWidth, method: 'paired', n: d.length };
  }
  const diff = mean(b) - mean(a);
  if (a.length < 2 || b.length < 2)
    return { diff, halfWidth: NaN, lo: NaN, hi: NaN, method: 'welch', n: Math.min(a.length, b.length) };
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const se = Math.sqrt(va + vb);
  // Welch–Satterthwaite degrees of freedom (both variances zero: the difference is exact).
  const df = se > 0 ? (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1)) : Infinity;
  const halfWidth = se > 0 ? t975(df) * se : 0;
  return {
    diff,
    halfWidth,
    lo: diff - halfWidth,
    hi: diff + halfWidth,
    method: 'welch',
    n: Math.min(a.length, b.length),
  };
}
