import { RandomError, RandomErrorCode } from './errors.js';
import { logGamma } from './special.js';

/**
 * A probability law, as written in scenarios. Every non-trivial law can be given by its mean and
 * coefficient of variation (cv = sd / mean: "mean 0.4 s, cv 0.5"), or by its native parameters.
 *
 * - `normal` is truncated to [`min`, `max`] (default [0, ∞)); `mean` and `sd` are those of the
 *   untruncated law, so the actual mean shifts up when the truncation cuts the lower tail
 *   ({@link distMean} reports the actual one).
 * - `pareto` is Pareto type I (support [xm, ∞)); its mean needs alpha > 1 and its cv alpha > 2.
 *   Given mean and cv, alpha = 1 + √(1 + 1/cv²) is always > 2.
 * - `empirical` resamples the given values with equal probability (a bootstrap of measurements).
 */
export type DistSpec =
  | { readonly dist: 'deterministic'; readonly value: number }
  | { readonly dist: 'exponential'; readonly mean: number }
  | { readonly dist: 'uniform'; readonly min: number; readonly max: number }
  | {
      readonly dist: 'normal';
      readonly mean: number;
      readonly sd: number;
      readonly min?: number | undefined;
      readonly max?: number | undefined;
    }
  | { readonly dist: 'lognormal'; readonly mean: number; readonly cv: number }
  | { readonly dist: 'lognormal'; readonly mu: number; readonly sigma: number }
  | { readonly dist: 'gamma'; readonly mean: number; readonly cv: number }
  | { readonly dist: 'gamma'; readonly shape: number; readonly scale: number }
  | { readonly dist: 'weibull'; readonly mean: number; readonly cv: number }
  | { readonly dist: 'weibull'; readonly shape: number; readonly scale: number }
  | { readonly dist: 'pareto'; readonly mean: number; readonly cv: number }
  | { readonly dist: 'pareto'; readonly alpha: number; readonly xm: number }
  | { readonly dist: 'empirical'; readonly samples: readonly number[] };

/** @internal A law reduced to native parameters, validated. */
export type NativeLaw =
  | { kind: 'deterministic'; value: number }
  | { kind: 'exponential'; mean: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; sd: number; min: number; max: number }
  | { kind: 'lognormal'; mu: number; sigma: number }
  | { kind: 'gamma'; shape: number; scale: number }
  | { kind: 'weibull'; shape: number; scale: number }
  | { kind: 'pareto'; alpha: number; xm: number }
  | { kind: 'empirical'; samples: readonly number[] };

/**
 * @internal Validate `spec` and convert mean/cv forms to native parameters.
 * @throws RandomError `E2C_ERR_RANDOM_BAD_PARAMETER` or `E2C_ERR_RANDOM_UNKNOWN_DIST`
 */
export function nativeLaw(spec: DistSpec): NativeLaw {
  const s = spec as Record<string, unknown> & { dist: string };
  switch (spec.dist) {
    case 'deterministic':
      return { kind: 'deterministic', value: finite(s, 'value') };
    case 'exponential':
      return { kind: 'exponential', mean: positive(s, 'mean') };
    case 'uniform': {
      const min = finite(s, 'min');
      const max = finite(s, 'max');
      if (max < min) bad(s, 'max', max, `must be ≥ min (${min})`);
      return { kind: 'uniform', min, max };
    }
    case 'normal': {
      const min = s.min === undefined ? 0 : number(s, 'min');
      const max = s.max === undefined ? Infinity : number(s, 'max');
      if (!(max > min)) bad(s, 'max', max, `must be > min (${min})`);
      return { kind: 'normal', mean: finite(s, 'mean'), sd: nonNegative(s, 'sd'), min, max };
    }
    case 'lognormal': {
      if ('mu' in spec) return { kind: 'lognormal', mu: finite(s, 'mu'), sigma: positive(s, 'sigma') };
      const mean = positive(s, 'mean');
      const sigma2 = Math.log1p(positive(s, 'cv') ** 2);
      return { kind: 'lognormal', mu: Math.log(mean) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
    }
    case 'gamma': {
      if ('shape' in spec) return { kind: 'gamma', shape: positive(s, 'shape'), scale: positive(s, 'scale') };
      const mean = positive(s, 'mean');
      const cv = positive(s, 'cv');
      return { kind: 'gamma', shape: 1 / (cv * cv), scale: mean * cv * cv };
    }
    case 'weibull': {
      if ('shape' in spec)
        return { kind: 'weibull', shape: positive(s, 'shape'), scale: positive(s, 'scale') };
      const mean = positive(s, 'mean');
      const shape = weibullShapeForCv(s, positive(s, 'cv'));
      return { kind: 'weibull', shape, scale: mean / Math.exp(logGamma(1 + 1 / shape)) };
    }
    case 'pareto': {
      if ('alpha' in spec) return { kind: 'pareto', alpha: positive(s, 'alpha'), xm: positive(s, 'xm') };
      const mean = positive(s, 'mean');
      const cv = positive(s, 'cv');
      // cv² = 1/(α(α−2))  ⇔  α² − 2α − 1/cv² = 0; mean = α·xm/(α−1).
      const alpha = 1 + Math.sqrt(1 + 1 / (cv * cv));
      return { kind: 'pareto', alpha, xm: (mean * (alpha - 1)) / alpha };
    }
    case 'empirical': {
      const samples = s.samples;
      if (!Array.isArray(samples) || samples.length === 0)
        bad(s, 'samples', samples, 'must be a non-empty array');
      samples.forEach((x: unknown, i: number) => {
        if (typeof x !== 'number' || !Number.isFinite(x))
          bad(s, `samples[${i}]`, x, 'must be a finite number');
      });
      return { kind: 'empirical', samples: samples as number[] };
    }
    default:
      throw new RandomError(
        RandomErrorCode.UNKNOWN_DIST,
        `unknown distribution '${String(s.dist)}'`,
        String(s.dist),
        'dist',
        s.dist,
      );
  }
}

/**
 * Weibull shape k whose cv is `cv`: cv² + 1 = Γ(1+2/k)/Γ(1+1/k)². The right side decreases
 * monotonically in k, so bisection on ln k (over k ∈ [0.02, 1e4], i.e. cv from ~1.3e-4 up to
 * ~1e16) converges to machine precision in about 100 steps; this runs once per sampler.
 */
function weibullShapeForCv(s: Record<string, unknown> & { dist: string }, cv: number): number {
  const target = Math.log1p(cv * cv);
  const f = (k: number): number => logGamma(1 + 2 / k) - 2 * logGamma(1 + 1 / k) - target;
  let lo = Math.log(0.02);
  let hi = Math.log(1e4);
  if (f(Math.exp(lo)) < 0 || f(Math.exp(hi)) > 0)
    bad(s, 'cv', cv, 'is outside the range a Weibull law can reach');
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2;
    if (f(Math.exp(mid)) > 0) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

function number(s: Record<string, unknown> & { dist: string }, field: string): number {
  const v = s[field];
  if (typeof v !== 'number' || Number.isNaN(v)) bad(s, field, v, 'must be a number');
  return v as number;
}

function finite(s: Record<string, unknown> & { dist: string }, field: string): number {
  const v = number(s, field);
  if (!Number.isFinite(v)) bad(s, field, v, 'must be finite');
  return v;
}

function nonNegative(s: Record<string, unknown> & { dist: string }, field: string): number {
  const v = finite(s, field);
  if (v < 0) bad(s, field, v, 'must be ≥ 0');
  return v;
}

function positive(s: Record<string, unknown> & { dist: string }, field: string): number {
  const v = finite(s, field);
  if (!(v > 0)) bad(s, field, v, 'must be > 0');
  return v;
}

function bad(s: { dist: string }, field: string, value: unknown, why: string): never {
  throw new RandomError(
    RandomErrorCode.BAD_PARAMETER,
    `${s.dist} distribution: ${field} = ${String(value)} ${why}`,
    s.dist,
    field,
    value,
  );
}
