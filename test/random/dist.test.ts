import { describe, expect, it } from 'vitest';
import {
  createStream,
  distCv,
  distMean,
  integerSampler,
  RandomErrorCode,
  sampler,
  type DistSpec,
} from '../../src/random/index.js';

const N = 200_000;

function moments(spec: DistSpec, seed = 1) {
  const draw = sampler(spec, createStream(seed, 'dist-test', 0));
  let sum = 0;
  let sum2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < N; i++) {
    const x = draw();
    sum += x;
    sum2 += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / N;
  const sd = Math.sqrt((sum2 - N * mean * mean) / (N - 1));
  return { mean, cv: sd / mean, min, max };
}

// Laws with a finite fourth moment, so the sample cv converges at the usual rate.
const cases: [string, DistSpec, number, number][] = [
  ['exponential', { dist: 'exponential', mean: 0.4 }, 0.4, 1],
  ['uniform', { dist: 'uniform', min: 1, max: 3 }, 2, 1 / (2 * Math.sqrt(3))],
  ['lognormal (mean, cv)', { dist: 'lognormal', mean: 0.4, cv: 0.5 }, 0.4, 0.5],
  ['gamma (mean, cv)', { dist: 'gamma', mean: 0.4, cv: 0.5 }, 0.4, 0.5],
  ['gamma with shape < 1', { dist: 'gamma', mean: 2, cv: 1.5 }, 2, 1.5],
  ['weibull (mean, cv)', { dist: 'weibull', mean: 0.4, cv: 0.5 }, 0.4, 0.5],
  ['weibull with cv > 1', { dist: 'weibull', mean: 1, cv: 1.8 }, 1, 1.8],
  ['pareto (mean, cv)', { dist: 'pareto', mean: 0.4, cv: 0.2 }, 0.4, 0.2],
  ['normal with min: -Infinity (untruncated)', { dist: 'normal', mean: 10, sd: 2, min: -Infinity }, 10, 0.2],
];

describe('sampler', () => {
  it.each(cases)('sampler(%s) matches the stated mean and cv', (_, spec, mean, cv) => {
    expect(distMean(spec)).toBeCloseTo(mean, 9);
    expect(distCv(spec)).toBeCloseTo(cv, 9);
    const m = moments(spec);
    // 4.5 standard errors: a failure means a bug, not bad luck (and the seed is fixed anyway).
    expect(Math.abs(m.mean - mean)).toBeLessThan((4.5 * cv * mean) / Math.sqrt(N));
    expect(Math.abs(m.cv / cv - 1)).toBeLessThan(0.03);
  });

  it('sampler() is deterministic for a given stream', () => {
    const spec: DistSpec = { dist: 'gamma', mean: 1, cv: 0.7 };
    const a = sampler(spec, createStream(9, 's', 0));
    const b = sampler(spec, createStream(9, 's', 0));
    for (let i = 0; i < 1000; i++) expect(a()).toBe(b());
  });

  it('native parameters give the same law as mean/cv', () => {
    const sigma2 = Math.log(1 + 0.25);
    const native: DistSpec = { dist: 'lognormal', mu: Math.log(0.4) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
    expect(distMean(native)).toBeCloseTo(0.4, 12);
    expect(distCv(native)).toBeCloseTo(0.5, 12);
    expect(distMean({ dist: 'gamma', shape: 4, scale: 0.1 })).toBeCloseTo(0.4, 12);
    expect(distCv({ dist: 'gamma', shape: 4, scale: 0.1 })).toBeCloseTo(0.5, 12);
    // Weibull k = 1.5, λ = 2: mean 2Γ(5/3) = 1.805490585901867.
    expect(distMean({ dist: 'weibull', shape: 1.5, scale: 2 })).toBeCloseTo(1.805490585901867, 10);
    expect(distCv({ dist: 'weibull', shape: 1, scale: 3 })).toBeCloseTo(1, 10);
    expect(distMean({ dist: 'pareto', alpha: 3, xm: 2 })).toBe(3);
    expect(distCv({ dist: 'pareto', alpha: 3, xm: 2 })).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(distMean({ dist: 'pareto', alpha: 1, xm: 2 })).toBe(Infinity);
    expect(distCv({ dist: 'pareto', alpha: 2, xm: 2 })).toBe(Infinity);
  });

  it('normal is truncated at min 0 by default, and distMean() reports the truncated mean', () => {
    const spec: DistSpec = { dist: 'normal', mean: 0.1, sd: 0.1 };
    // 0.1 + 0.1·φ(−1)/(1 − Φ(−1))
    expect(distMean(spec)).toBeCloseTo(0.1 + (0.1 * 0.24197072451914337) / 0.8413447460685429, 12);
    const m = moments(spec);
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(Math.abs(m.mean / distMean(spec) - 1)).toBeLessThan(0.005);
    expect(Math.abs(m.cv / distCv(spec) - 1)).toBeLessThan(0.02);
  });

  it('normal truncated to a far upper-tail interval stays inside it and matches its moments', () => {
    const spec: DistSpec = { dist: 'normal', mean: 0, sd: 1, min: 5, max: 6 };
    const m = moments(spec);
    expect(m.min).toBeGreaterThanOrEqual(5);
    expect(m.max).toBeLessThanOrEqual(6);
    expect(distMean(spec)).toBeGreaterThan(5.17);
    expect(distMean(spec)).toBeLessThan(5.2);
    expect(Math.abs(m.mean / distMean(spec) - 1)).toBeLessThan(0.001);
    expect(Math.abs(m.cv / distCv(spec) - 1)).toBeLessThan(0.02);
  });

  it('deterministic and empirical laws', () => {
    const det = sampler({ dist: 'deterministic', value: 0.25 }, createStream(1, 'd', 0));
    expect(det()).toBe(0.25);
    expect(distCv({ dist: 'deterministic', value: 0.25 })).toBe(0);
    const samples = [0.1, 0.2, 0.2, 0.9];
    const spec: DistSpec = { dist: 'empirical', samples };
    const m = moments(spec);
    expect(new Set([m.min, m.max])).toEqual(new Set([0.1, 0.9]));
    expect(distMean(spec)).toBeCloseTo(0.35, 12);
    expect(Math.abs(m.mean - 0.35)).toBeLessThan(0.003);
  });

  it('integerSampler(uniform 1..5) draws each of 1..5 equally often', () => {
    const draw = integerSampler({ dist: 'uniform', min: 1, max: 5 }, createStream(3, 'images', 0));
    const counts = new Map<number, number>();
    for (let i = 0; i < 50_000; i++) {
      const k = draw();
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('integerSampler() rounds other laws to non-negative integers', () => {
    const draw = integerSampler({ dist: 'normal', mean: 3, sd: 2, min: -10 }, createStream(3, 'n', 0));
    for (let i = 0; i < 1000; i++) {
      const k = draw();
      expect(Number.isInteger(k) && k >= 0).toBe(true);
    }
  });

  it.each([
    [{ dist: 'exponential', mean: -1 }, 'mean'],
    [{ dist: 'gamma', mean: 1, cv: 0 }, 'cv'],
    [{ dist: 'uniform', min: 2, max: 1 }, 'max'],
    [{ dist: 'normal', mean: 0, sd: 1, min: 3, max: 3 }, 'max'],
    [{ dist: 'empirical', samples: [] }, 'samples'],
    [{ dist: 'lognormal', mean: 1, cv: Number.NaN }, 'cv'],
  ] as [DistSpec, string][])(
    'sampler(%j) throws E2C_ERR_RANDOM_BAD_PARAMETER naming %s',
    (spec, parameter) => {
      expect(() => sampler(spec, () => 0.5)).toThrow(
        expect.objectContaining({ code: RandomErrorCode.BAD_PARAMETER, parameter }),
      );
    },
  );

  it('an unknown law throws E2C_ERR_RANDOM_UNKNOWN_DIST', () => {
    expect(() => distMean({ dist: 'cauchy' } as unknown as DistSpec)).toThrow(
      expect.objectContaining({ code: RandomErrorCode.UNKNOWN_DIST }),
    );
  });
});
