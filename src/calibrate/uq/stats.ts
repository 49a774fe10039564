import { normalCdf, type Rng } from '../../random/index.js';

/** The q-quantile of values (linear interpolation between order statistics, as numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sample variance (n − 1 in the denominator); 0 for fewer than two values. */
export function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/**
 * Variance of Q under normalized weights w, with the small-sample correction 1/(1 − Σw²) (the weighted
 * analogue of n − 1), so that weights unrelated to Q do not seem to reduce its variance.
 */
export function weightedVariance(q: readonly number[], w: readonly number[]): number {
  let m = 0,
    w2 = 0;
  for (let i = 0; i < q.length; i++) {
    m += w[i]! * q[i]!;
    w2 += w[i]! ** 2;
  }
  let v = 0;
  for (let i = 0; i < q.length; i++) v += w[i]! * (q[i]! - m) ** 2;
  return w2 < 1 - 1e-12 ? v / (1 - w2) : 0;
}

/** One Latin hypercube of n points in [lo, hi]^d (McKay et al. 1979), the best of `tries` by maximin distance. */
export function latinHypercube(
  n: number,
  lo: readonly number[],
  hi: readonly number[],
  rng: Rng,
  tries = 50,
): number[][] {
  const d = lo.length;
  let best: number[][] = [];
  let bestD = -1;
  for (let t = 0; t < tries; t++) {
    const cols = Array.from({ length: d }, () => {
      const perm = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      }
      return perm.map((p) => (p + rng()) / n);
    });
    const pts = Array.from({ length: n }, (_, i) => cols.map((c, k) => lo[k]! + c[i]! * (hi[k]! - lo[k]!)));
    const dist = minDistance(pts);
    if (dist > bestD) {
      best = pts;
      bestD = dist;
    }
  }
  return best;
}

function minDistance(pts: readonly number[][]): number {
  let best = Infinity;
  for (let i = 0; i < pts.length; i++)
    for (let j = i + 1; j < pts.length; j++) best = Math.min(best, dist2(pts[i]!, pts[j]!));
  return best;
}

export function dist2(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k]! - b[k]!) ** 2;
  return s;
}

/**
 * k points of `pool` spread out (greedy maximin: each next point is the one farthest from those chosen
 * and from `existing`), the first the farthest from `existing` (or the pool's first when none).
 */
export function spreadSubset(
  pool: readonly number[][],
  k: number,
  existing: readonly number[][] = [],
): number[][] {
  if (pool.length <= k) return pool.map((p) => [...p]);
  const near = pool.map((p) => existing.reduce((m, e) => Math.min(m, dist2(p, e)), Infinity));
  const out: number[][] = [];
  for (let n = 0; n < k; n++) {
    let pick = 0;
    for (let i = 1; i < pool.length; i++) if (near[i]! > near[pick]!) pick = i;
    const p = pool[pick]!;
    out.push([...p]);
    for (let i = 0; i < pool.length; i++) near[i] = Math.min(near[i]!, dist2(pool[i]!, p));
  }
  return out;
}

/**
 * k distinct indices drawn without replacement with probability proportional to the weights
 * (Efraimidis & Spirakis 2006: the k largest u^(1/w)), in index order.
 */
export function weightedSampleWithoutReplacement(weights: readonly number[], k: number, rng: Rng): number[] {
  const keys = weights.map((w, i) => ({ i, key: w > 0 ? Math.log(Math.max(rng(), 1e-300)) / w : -Infinity }));
  keys.sort((a, b) => b.key - a.key || a.i - b.i);
  return keys
    .slice(0, k)
    .filter((x) => x.key > -Infinity)
    .map((x) => x.i)
    .sort((a, b) => a - b);
}

/**
 * The q-quantile of an equal-weight mixture of normals N(centers[i], sds[i]²) — a prediction over
 * plausible vectors of what a measurement will read, each vector's value blurred by the measurement's
 * noise. Solved by bisection on the mixture's CDF; a zero sd is a point mass (then, with all sds zero, a
 * quantile of the centers without interpolation).
 */
export function mixtureQuantile(centers: readonly number[], sds: readonly number[], q: number): number {
  const n = centers.length;
  if (n === 0) return NaN;
  const cdf = (x: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const sd = sds[i]!;
      s += sd > 0 ? normalCdf((x - centers[i]!) / sd) : x >= centers[i]! ? 1 : 0;
    }
    return s / n;
  };
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, centers[i]! - 9 * sds[i]!);
    hi = Math.max(hi, centers[i]! + 9 * sds[i]!);
  }
  // 200 halvings reach the doubles' resolution on any interval; stop once lo and hi are adjacent.
  for (let k = 0; k < 200 && hi - lo > Math.abs(hi) * 1e-15; k++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return hi;
}
