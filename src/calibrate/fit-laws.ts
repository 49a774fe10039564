import { logGamma, normalCdf } from '../random/index.js';
import { CalibrateError, CalibrateErrorCode } from './errors.js';
import { digamma, gammaP, trigamma } from './special.js';

/** A law fitted by maximum likelihood, in the scenario's terms (mean and cv) and native ones. */
export interface FittedLaw {
  dist: 'exponential' | 'lognormal' | 'gamma' | 'weibull';
  /** Native parameters of the law. */
  params: Record<string, number>;
  mean: number;
  cv: number;
  logLikelihood: number;
  /** Akaike information criterion, 2p − 2 ln L (smaller is better). */
  aic: number;
  /** Kolmogorov–Smirnov distance between the sample and the fitted law. */
  ks: number;
  cdf: (x: number) => number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One-sample Kolmogorov–Smirnov distance sup |F_n − F|. */
export function ksDistance(sorted: readonly number[], cdf: (x: number) => number): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Two-sample Kolmogorov–Smirnov distance between two sorted samples. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): number {
  let i = 0,
    j = 0,
    d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/** A fitted law's figures, before its AIC and KS distance are computed from them. */
interface Fit {
  dist: FittedLaw['dist'];
  params: Record<string, number>;
  mean: number;
  cv: number;
  logLikelihood: number;
  /** Number of fitted parameters (for the AIC). */
  k: number;
  cdf: (x: number) => number;
}

function finish(sorted: number[], f: Fit): FittedLaw {
  return {
    dist: f.dist,
    params: f.params,
    mean: f.mean,
    cv: f.cv,
    logLikelihood: f.logLikelihood,
    aic: 2 * f.k - 2 * f.logLikelihood,
    ks: ksDistance(sorted, f.cdf),
    cdf: f.cdf,
  };
}

export function fitExponential(sorted: number[]): FittedLaw {
  const m = mean(sorted);
  const ll = -sorted.length * (Math.log(m) + 1);
  return finish(sorted, {
    dist: 'exponential',
    params: { mean: m },
    mean: m,
    cv: 1,
    logLikelihood: ll,
    k: 1,
    cdf: (x) => 1 - Math.exp(-x / m),
  });
}

export function fitLognormal(sorted: number[]): FittedLaw {
  const logs = sorted.map(Math.log);
  const mu = mean(logs);
  const s2 = logs.reduce((a, l) => a + (l - mu) ** 2, 0) / logs.length;
  const sigma = Math.sqrt(s2);
  const n = sorted.length;
  const ll = -logs.reduce((a, b) => a + b, 0) - (n / 2) * Math.log(2 * Math.PI * s2) - n / 2;
  return finish(sorted, {
    dist: 'lognormal',
    params: { mu, sigma },
    mean: Math.exp(mu + s2 / 2),
    cv: Math.sqrt(Math.exp(s2) - 1),
    logLikelihood: ll,
    k: 2,
    cdf: (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma)),
  });
}

/** Gamma by Minka's Newton iteration on the shape (s = ln x̄ − mean ln x). */
export function fitGamma(sorted: number[]): FittedLaw {
  const m = mean(sorted);
  const meanLog = mean(sorted.map(Math.log));
  const s = Math.log(m) - meanLog;
  let k = (3 - s + Math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s);
  for (let i = 0; i < 50; i++) {
    const next = k - (Math.log(k) - digamma(k) - s) / (1 / k - trigamma(k));
    if (!(next > 0)) break;
    const done = Math.abs(next - k) < 1e-12 * k;
    k = next;
    if (done) break;
  }
  const theta = m / k;
  const n = sorted.length;
  const ll = n * ((k - 1) * meanLog - m / theta - k * Math.log(theta) - logGamma(k));
  return finish(sorted, {
    dist: 'gamma',
    params: { shape: k, scale: theta },
    mean: m,
    cv: 1 / Math.sqrt(k),
    logLikelihood: ll,
    k: 2,
    cdf: (x) => gammaP(k, x / theta),
  });
}

/** Weibull by Newton's method on the shape's profile likelihood equation. */
export function fitWeibull(sorted: number[]): FittedLaw {
  const logs = sorted.map(Math.log);
  const meanLog = mean(logs);
  const n = sorted.length;
  let k = 1.2 / Math.sqrt(Math.max(1e-12, logs.reduce((a, l) => a + (l - meanLog) ** 2, 0) / n));
  for (let i = 0; i < 100; i++) {
    let s0 = 0,
      s1 = 0,
      s2 = 0;
    for (let j = 0; j < n; j++) {
      const xk = sorted[j]! ** k;
      s0 += xk;
      s1 += xk * logs[j]!;
      s2 += xk * logs[j]! * logs[j]!;
    }
    const f = s1 / s0 - 1 / k - meanLog;
    const df = (s2 * s0 - s1 * s1) / (s0 * s0) + 1 / (k * k);
    const next = k - f / df;
    if (!(next > 0)) break;
    const done = Math.abs(next - k) < 1e-12 * k;
    k = next;
    if (done) break;
  }
  const lambda = (sorted.reduce((a, x) => a + x ** k, 0) / n) ** (1 / k);
  const g1 = Math.exp(logGamma(1 + 1 / k));
  const g2 = Math.exp(logGamma(1 + 2 / k));
  const m = lambda * g1;
  const ll =
    n * (Math.log(k) - k * Math.log(lambda)) +
    (k - 1) * logs.reduce((a, b) => a + b, 0) -
    sorted.reduce((a, x) => a + (x / lambda) ** k, 0);
  return finish(sorted, {
    dist: 'weibull',
    params: { shape: k, scale: lambda },
    mean: m,
    cv: Math.sqrt(g2 / (g1 * g1) - 1),
    logLikelihood: ll,
    k: 2,
    cdf: (x) => 1 - Math.exp(-((Math.max(0, x) / lambda) ** k)),
  });
}

/**
 * Fits exponential, lognormal, gamma and Weibull laws to positive values by maximum likelihood and
 * ranks them by AIC (best first). Values ≤ 0 are dropped (a zero duration carries no shape).
 * @throws CalibrateError `E2C_ERR_CALIBRATE_TOO_FEW` with fewer than 5 positive values
 */
export function fitLaws(values: readonly number[]): FittedLaw[] {
  const sorted = values.filter((v) => v > 0 && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length < 5)
    throw new CalibrateError(
      CalibrateErrorCode.TOO_FEW,
      `only ${sorted.length} positive values to fit (need ≥ 5)`,
      { values: sorted.length },
    );
  const fits = [fitExponential(sorted), fitLognormal(sorted), fitGamma(sorted), fitWeibull(sorted)];
  return fits.filter((f) => Number.isFinite(f.aic)).sort((a, b) => a.aic - b.aic);
}
