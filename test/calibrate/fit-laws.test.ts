import { describe, expect, it } from 'vitest';
import { fitGamma, fitLaws, fitLognormal, fitWeibull, ksTwoSample } from '../../src/calibrate/fit-laws.js';
import { digamma, gammaP, trigamma } from '../../src/calibrate/special.js';
import { createStream, sampler, type DistSpec } from '../../src/random/index.js';

const draw = (spec: DistSpec, n: number, name = 'fit') => {
  const s = sampler(spec, createStream(7, name, 0));
  return Array.from({ length: n }, () => s());
};

describe('special functions', () => {
  it('digamma, trigamma and the incomplete gamma match known values', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649, 9);
    expect(digamma(0.5)).toBeCloseTo(-1.963510026, 9);
    expect(trigamma(1)).toBeCloseTo(Math.PI ** 2 / 6, 9);
    expect(gammaP(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(gammaP(3, 2.5)).toBeCloseTo(0.4561868841, 9);
    expect(gammaP(10, 15)).toBeCloseTo(0.9301463, 6);
  });
});

describe('maximum-likelihood fits', () => {
  it('fitLognormal() recovers mean and cv of a lognormal sample', () => {
    const f = fitLognormal(draw({ dist: 'lognormal', mean: 0.12, cv: 0.25 }, 20000).sort((a, b) => a - b));
    expect(f.mean).toBeCloseTo(0.12, 3);
    expect(f.cv).toBeCloseTo(0.25, 2);
  });

  it('fitGamma() recovers shape and scale', () => {
    const f = fitGamma(draw({ dist: 'gamma', shape: 2.5, scale: 0.4 }, 20000).sort((a, b) => a - b));
    expect(f.params.shape).toBeCloseTo(2.5, 1);
    expect(f.params.scale).toBeCloseTo(0.4, 1);
  });

  it('fitWeibull() recovers shape and scale', () => {
    const f = fitWeibull(draw({ dist: 'weibull', shape: 1.7, scale: 2 }, 20000).sort((a, b) => a - b));
    expect(f.params.shape).toBeCloseTo(1.7, 1);
    expect(f.params.scale).toBeCloseTo(2, 1);
  });

  for (const [dist, spec] of [
    ['exponential', { dist: 'exponential', mean: 1 }],
    ['lognormal', { dist: 'lognormal', mean: 1, cv: 1.2 }],
    ['gamma', { dist: 'gamma', mean: 1, cv: 0.4 }],
    ['weibull', { dist: 'weibull', shape: 3, scale: 1 }],
  ] as const) {
    it(`fitLaws() ranks ${dist} first by AIC on a large ${dist} sample, with a small KS distance`, () => {
      const fits = fitLaws(draw(spec as DistSpec, 20000, dist));
      expect(fits[0]!.dist).toBe(dist);
      expect(fits[0]!.ks).toBeLessThan(0.015);
    });
  }

  it('fitLaws() refuses fewer than 5 positive values', () => {
    expect(() => fitLaws([1, 2, 0, -1])).toThrow(/need ≥ 5/);
  });

  it('ksTwoSample() is 0 for equal samples and 1 for disjoint ones', () => {
    expect(ksTwoSample([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksTwoSample([1, 2, 3], [4, 5, 6])).toBe(1);
  });
});
