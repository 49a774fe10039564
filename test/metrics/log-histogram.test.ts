import { describe, expect, it } from 'vitest';
import { LOG_HISTOGRAM_RELATIVE_ERROR, LogHistogram, MetricsErrorCode } from '../../src/metrics/index.js';
import { createStream, sampler, type DistSpec } from '../../src/random/index.js';

function values(spec: DistSpec, n: number, seed = 1): number[] {
  const draw = sampler(spec, createStream(seed, 'histogram-test', 0));
  return Array.from({ length: n }, draw);
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

const laws: [string, DistSpec][] = [
  ['exponential', { dist: 'exponential', mean: 0.4 }],
  ['lognormal cv 2', { dist: 'lognormal', mean: 1, cv: 2 }],
  ['uniform', { dist: 'uniform', min: 5, max: 6 }],
  ['pareto', { dist: 'pareto', alpha: 1.5, xm: 1e-3 }],
  ['weibull cv 3 (wide range)', { dist: 'weibull', mean: 1, cv: 3 }],
];

describe('LogHistogram', () => {
  it('states a relative error bound of at most 1 %', () => {
    expect(LOG_HISTOGRAM_RELATIVE_ERROR).toBeCloseTo(0.01, 12);
    expect(LOG_HISTOGRAM_RELATIVE_ERROR).toBeLessThanOrEqual(0.01);
  });

  it('histogram.quantile() moves continuously with q inside one bucket (rank interpolation)', () => {
    const h = new LogHistogram();
    for (let i = 0; i < 1000; i++) h.record(1 + 0.004 * (i / 1000)); // all in one 1 % bucket
    const q = [0.1, 0.3, 0.5, 0.7, 0.9].map((p) => h.quantile(p));
    for (let i = 1; i < q.length; i++) expect(q[i]!).toBeGreaterThan(q[i - 1]!);
  });

  it.each(laws)(
    'histogram.quantile() is within the stated relative error of exact quantiles (%s, 1e5 values)',
    (_, spec) => {
      const xs = values(spec, 100_000);
      const h = new LogHistogram();
      for (const x of xs) h.record(x);
      const sorted = [...xs].sort((a, b) => a - b);
      let worst = 0;
      for (let q = 0.001; q < 1; q += 0.001) {
        const exact = exactQuantile(sorted, q);
        worst = Math.max(worst, Math.abs(h.quantile(q) / exact - 1));
      }
      expect(worst).toBeLessThanOrEqual(LOG_HISTOGRAM_RELATIVE_ERROR * (1 + 1e-9));
      expect(h.quantile(0)).toBe(sorted[0]);
      expect(h.quantile(1)).toBe(sorted.at(-1));
    },
  );

  it('histogram.count, mean, min and max are exact', () => {
    const xs = values({ dist: 'gamma', mean: 2, cv: 0.8 }, 10_000);
    const h = new LogHistogram();
    for (const x of xs) h.record(x);
    expect(h.count).toBe(10_000);
    expect(h.mean).toBeCloseTo(xs.reduce((s, x) => s + x, 0) / xs.length, 12);
    expect(h.min).toBe(xs.reduce((a, b) => Math.min(a, b)));
    expect(h.max).toBe(xs.reduce((a, b) => Math.max(a, b)));
  });

  it('histogram.record(0) counts zeros exactly', () => {
    const h = new LogHistogram();
    for (let i = 0; i < 30; i++) h.record(0);
    for (let i = 0; i < 70; i++) h.record(1);
    expect(h.quantile(0.3)).toBe(0);
    expect(Math.abs(h.quantile(0.31) - 1)).toBeLessThanOrEqual(LOG_HISTOGRAM_RELATIVE_ERROR);
  });

  it('an empty histogram reports NaN', () => {
    const h = new LogHistogram();
    expect(h.mean).toBeNaN();
    expect(h.quantile(0.5)).toBeNaN();
    expect(h.min).toBeNaN();
  });

  it('histogram.merge() equals recording both sets of values', () => {
    const a = new LogHistogram();
    const b = new LogHistogram();
    const both = new LogHistogram();
    values({ dist: 'exponential', mean: 1 }, 5000, 1).forEach((x) => (a.record(x), both.record(x)));
    values({ dist: 'exponential', mean: 3 }, 5000, 2).forEach((x) => (b.record(x), both.record(x)));
    a.merge(b);
    const { sum, ...rest } = a.toJSON();
    const { sum: bothSum, ...bothRest } = both.toJSON();
    expect(rest).toEqual(bothRest);
    expect(sum).toBeCloseTo(bothSum, 9); // summation order differs
  });

  it('LogHistogram.fromJSON(JSON round trip) restores the same quantiles', () => {
    const h = new LogHistogram();
    values({ dist: 'lognormal', mean: 0.4, cv: 1 }, 5000).forEach((x) => h.record(x));
    h.record(0);
    const copy = LogHistogram.fromJSON(JSON.parse(JSON.stringify(h)));
    for (const q of [0, 0.1, 0.5, 0.9, 0.99, 1]) expect(copy.quantile(q)).toBe(h.quantile(q));
    expect(copy.mean).toBe(h.mean);
    expect(copy.count).toBe(h.count);
  });

  it('LogHistogram.fromJSON() rejects another bucket layout with E2C_ERR_METRICS_INCOMPATIBLE', () => {
    const data = { ...new LogHistogram().toJSON(), ratio: 1.05 };
    expect(() => LogHistogram.fromJSON(data)).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.INCOMPATIBLE }),
    );
  });

  it('memory does not grow with the number of recorded values (1e6 values)', () => {
    const h = new LogHistogram();
    const before = h.byteLength;
    const draw = sampler({ dist: 'lognormal', mean: 1, cv: 3 }, createStream(5, 'mem', 0));
    for (let i = 0; i < 1_000_000; i++) h.record(draw());
    expect(h.byteLength).toBe(before);
    expect(h.toJSON().indices.length).toBeLessThanOrEqual(before / 8);
    expect(h.count).toBe(1_000_000);
  });

  it('histogram.reset() forgets everything', () => {
    const h = new LogHistogram();
    h.record(3);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.toJSON().indices).toEqual([]);
  });

  it.each([-1, Number.NaN])('histogram.record(%s) throws E2C_ERR_METRICS_BAD_VALUE', (x) => {
    expect(() => new LogHistogram().record(x)).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.BAD_VALUE }),
    );
  });

  it('histogram.quantile() outside [0, 1] throws E2C_ERR_METRICS_BAD_PROBABILITY', () => {
    expect(() => new LogHistogram().quantile(1.5)).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.BAD_PROBABILITY }),
    );
  });
});
