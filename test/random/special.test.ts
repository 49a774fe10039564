import { describe, expect, it } from 'vitest';
import { erfc, incompleteBeta, logGamma, normalCdf, normalQuantile } from '../../src/random/index.js';

const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe('special functions', () => {
  it('erfc() matches reference values to 1e-13 relative, far into the tail', () => {
    // Reference values from Python's math.erfc.
    const cases: [number, number][] = [
      [0.1, 0.8875370839817152],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [1.99, 0.004888586800383003],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [10, 2.088487583762545e-45],
      [-1, 1.8427007929497148],
    ];
    for (const [x, want] of cases) expect(rel(erfc(x), want)).toBeLessThan(1e-13);
  });

  it('normalQuantile() inverts normalCdf() and matches known quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    for (const p of [1e-300, 1e-20, 1e-5, 0.01, 0.3, 0.7, 0.99, 1 - 1e-12]) {
      expect(rel(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-11);
    }
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });

  it('logGamma() matches ln Γ to 1e-13 absolute', () => {
    expect(Math.abs(logGamma(0.5) - Math.log(Math.sqrt(Math.PI)))).toBeLessThan(1e-13);
    expect(Math.abs(logGamma(5) - Math.log(24))).toBeLessThan(1e-13);
    expect(Math.abs(logGamma(3.3) - 0.9870985778947339)).toBeLessThan(1e-13);
    expect(Math.abs(logGamma(171) - 706.5730622457874)).toBeLessThan(1e-10);
  });

  it('incompleteBeta() matches closed forms', () => {
    expect(incompleteBeta(0.5, 2, 3)).toBeCloseTo(0.6875, 13);
    expect(incompleteBeta(0.2, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(0.2)), 13);
    expect(incompleteBeta(0.9, 1, 4)).toBeCloseTo(1 - 0.1 ** 4, 13);
  });
});
