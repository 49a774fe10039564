import { nativeLaw, type DistSpec, type NativeLaw } from './dist-params.js';
import { logGamma, normalCdf, normalPdf } from './special.js';

/**
 * The mean of `spec`, computed analytically (for `normal`, the mean of the truncated law; for
 * `empirical`, the mean of the samples). `Infinity` for a Pareto law with alpha ≤ 1.
 * @throws RandomError `E2C_ERR_RANDOM_BAD_PARAMETER` if the spec is out of its domain
 */
export function distMean(spec: DistSpec): number {
  return moments(nativeLaw(spec)).mean;
}

/**
 * The coefficient of variation (sd / mean) of `spec`, computed analytically. 0 for
 * `deterministic`, `Infinity` for a Pareto law with alpha ≤ 2.
 * @throws RandomError `E2C_ERR_RANDOM_BAD_PARAMETER` if the spec is out of its domain
 */
export function distCv(spec: DistSpec): number {
  const { mean, sd } = moments(nativeLaw(spec));
  return sd / mean;
}

function moments(law: NativeLaw): { mean: number; sd: number } {
  switch (law.kind) {
    case 'deterministic':
      return { mean: law.value, sd: 0 };
    case 'exponential':
      return { mean: law.mean, sd: law.mean };
    case 'uniform':
      return { mean: (law.min + law.max) / 2, sd: (law.max - law.min) / Math.sqrt(12) };
    case 'normal':
      return truncatedNormalMoments(law.mean, law.sd, law.min, law.max);
    case 'lognormal': {
      const s2 = law.sigma * law.sigma;
      const mean = Math.exp(law.mu + s2 / 2);
      return { mean, sd: mean * Math.sqrt(Math.expm1(s2)) };
    }
    case 'gamma':
      return { mean: law.shape * law.scale, sd: Math.sqrt(law.shape) * law.scale };
    case 'weibull': {
      const g1 = logGamma(1 + 1 / law.shape);
      const g2 = logGamma(1 + 2 / law.shape);
      const mean = law.scale * Math.exp(g1);
      return { mean, sd: mean * Math.sqrt(Math.expm1(g2 - 2 * g1)) };
    }
    case 'pareto': {
      const { alpha, xm } = law;
      const mean = alpha > 1 ? (alpha * xm) / (alpha - 1) : Infinity;
      const sd = alpha > 2 ? mean / Math.sqrt(alpha * (alpha - 2)) : Infinity;
      return { mean, sd };
    }
    case 'empirical': {
      const n = law.samples.length;
      let mean = 0;
      for (const x of law.samples) mean += x / n;
      let variance = 0;
      for (const x of law.samples) variance += (x - mean) ** 2 / n;
      return { mean, sd: Math.sqrt(variance) };
    }
  }
}

// Moments of N(mean, sd²) truncated to [min, max]: with α, β the standardized bounds and
// Z = Φ(β) − Φ(α), E = μ + σ(φ(α) − φ(β))/Z and Var = σ²[1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²].
function truncatedNormalMoments(
  mean: number,
  sd: number,
  min: number,
  max: number,
): { mean: number; sd: number } {
  if (sd === 0) return { mean: Math.min(max, Math.max(min, mean)), sd: 0 };
  const a = (min - mean) / sd;
  const b = (max - mean) / sd;
  // Computed on the side where the tail probabilities keep their precision.
  const z = a <= 0 ? normalCdf(b) - normalCdf(a) : normalCdf(-a) - normalCdf(-b);
  const pa = normalPdf(a);
  const pb = normalPdf(b);
  const ratio = (pa - pb) / z;
  const edge = ((Number.isFinite(a) ? a * pa : 0) - (Number.isFinite(b) ? b * pb : 0)) / z;
  return { mean: mean + sd * ratio, sd: sd * Math.sqrt(Math.max(0, 1 + edge - ratio * ratio)) };
}
