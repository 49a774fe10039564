import { nativeLaw, type DistSpec } from './dist-params.js';
import { normalCdf, normalQuantile } from './special.js';
import type { Rng } from './streams.js';

/** A function that draws one value of a law per call. */
export type Sampler = () => number;

/**
 * A sampler of `spec` drawing from `rng`. The closure is built once (parameters resolved, mean/cv
 * converted to native parameters); each call then costs one or two uniforms and a few flops.
 *
 * Continuous laws other than gamma use inversion (one uniform per draw), so two configurations fed
 * the same stream stay synchronized (common random numbers); normals come from Wichura's AS 241
 * quantile rather than Box–Muller for the same reason. Gamma uses Marsaglia–Tsang rejection.
 * @throws RandomError `E2C_ERR_RANDOM_BAD_PARAMETER` if the spec is out of its domain
 */
export function sampler(spec: DistSpec, rng: Rng): Sampler {
  const law = nativeLaw(spec);
  switch (law.kind) {
    case 'deterministic': {
      const value = law.value;
      return () => value;
    }
    case 'exponential': {
      const mean = law.mean;
      // 1 − u is in (0, 1], so the log is finite.
      return () => -mean * Math.log(1 - rng());
    }
    case 'uniform': {
      const { min } = law;
      const width = law.max - law.min;
      return () => min + width * rng();
    }
    case 'normal':
      return truncatedNormal(law.mean, law.sd, law.min, law.max, rng);
    case 'lognormal': {
      const { mu, sigma } = law;
      return () => Math.exp(mu + sigma * normalQuantile(rng()));
    }
    case 'gamma':
      return gamma(law.shape, law.scale, rng);
    case 'weibull': {
      const { scale } = law;
      const inverseShape = 1 / law.shape;
      return () => scale * (-Math.log(1 - rng())) ** inverseShape;
    }
    case 'pareto': {
      const { xm } = law;
      const exponent = -1 / law.alpha;
      return () => xm * (1 - rng()) ** exponent;
    }
    case 'empirical': {
      const samples = Float64Array.from(law.samples);
      const n = samples.length;
      return () => samples[Math.floor(rng() * n)] as number;
    }
  }
}

/**
 * A sampler of non-negative integers (counts such as "images per request"). A `uniform` spec draws
 * each integer of [⌈min⌉, ⌊max⌋] with equal probability (`{ dist: 'uniform', min: 1, max: 5 }` gives
 * 1..5); any other law is sampled and rounded to the nearest integer, negatives clamped to 0.
 * @throws RandomError `E2C_ERR_RANDOM_BAD_PARAMETER` if the spec is out of its domain, or a uniform
 *   range holds no integer
 */
export function integerSampler(spec: DistSpec, rng: Rng): Sampler {
  if (spec.dist === 'uniform') {
    nativeLaw(spec);
    const lo = Math.ceil(spec.min);
    const count = Math.floor(spec.max) - lo + 1;
    if (count < 1) {
      nativeLaw({ dist: 'uniform', min: spec.min, max: lo - 1 }); // throws with the field named
    }
    return () => lo + Math.floor(rng() * count);
  }
  const draw = sampler(spec, rng);
  return () => Math.max(0, Math.round(draw()));
}

// Inversion restricted to [Φ(a), Φ(b)]. When the interval lies in the upper tail, the mirrored law
// is inverted instead, so tail probabilities near 1 never lose their precision to rounding.
function truncatedNormal(mean: number, sd: number, min: number, max: number, rng: Rng): Sampler {
  if (sd === 0) {
    const value = Math.min(max, Math.max(min, mean));
    return () => value;
  }
  const a = (min - mean) / sd;
  const b = (max - mean) / sd;
  const clamp = (x: number): number => (x < min ? min : Math.min(x, max));
  if (a <= 0) {
    const pa = normalCdf(a);
    const width = normalCdf(b) - pa;
    return () => clamp(mean + sd * normalQuantile(pa + width * rng()));
  }
  const qb = normalCdf(-b);
  const width = normalCdf(-a) - qb;
  return () => clamp(mean - sd * normalQuantile(qb + width * rng()));
}

// Marsaglia & Tsang (2000), "A simple method for generating gamma variables". For shape < 1 it
// draws Gamma(shape + 1) and multiplies by U^(1/shape).
function gamma(shape: number, scale: number, rng: Rng): Sampler {
  const boost = shape < 1;
  const d = (boost ? shape + 1 : shape) - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  const inverseShape = 1 / shape;
  return () => {
    let x: number;
    let v: number;
    for (;;) {
      x = normalQuantile(rng());
      v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = rng();
      if (u < 1 - 0.0331 * x * x * x * x) break;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) break;
    }
    const g = d * v * scale;
    return boost ? g * (1 - rng()) ** inverseShape : g;
  };
}
