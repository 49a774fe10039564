import type { Dist } from './schema/index.js';

/**
 * The mean of a law as written, for the budget checks: exact for every law except the truncated normal,
 * where it is an upper estimate (max(mean, min) + 2 sd, capped at max). Infinity when the law has no finite
 * mean (or one beyond double precision). The simulator computes its own moments in random/; the scenario
 * layer imports nothing, hence this small copy of the formulas.
 */
export function lawMean(d: Dist): number {
  if (typeof d === 'number') return d;
  switch (d.dist) {
    case 'deterministic':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'empirical':
      return d.samples.reduce((a, b) => a + b / d.samples.length, 0);
    case 'exponential':
      return d.mean;
    case 'normal':
      return Math.min(d.max ?? Infinity, Math.max(d.mean, d.min ?? 0) + 2 * d.sd);
    case 'lognormal':
      return d.mean ?? Math.exp(d.mu! + d.sigma! ** 2 / 2);
    case 'gamma':
      return d.mean ?? d.shape! * d.scale!;
    case 'weibull':
      return d.mean ?? d.scale! * Math.exp(logGamma(1 + 1 / d.shape!));
    case 'pareto':
      return d.mean ?? (d.alpha! > 1 ? (d.alpha! * d.xm!) / (d.alpha! - 1) : Infinity);
  }
}

// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15): enough to size a Weibull mean.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}
