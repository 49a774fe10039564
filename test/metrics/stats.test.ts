import { describe, expect, it } from 'vitest';
import {
  ci,
  ci95,
  Counter,
  MetricsErrorCode,
  studentTQuantile,
  Tally,
  TimeWeighted,
} from '../../src/metrics/index.js';

describe('Tally', () => {
  it('tally.add() tracks mean, sample variance, min and max like a two-pass computation', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9].map((x) => x + 1e9); // large offset: Welford stays stable
    const t = new Tally();
    xs.forEach((x) => t.add(x));
    expect(t.count).toBe(8);
    expect(t.mean).toBeCloseTo(5 + 1e9, 6);
    expect(t.variance).toBeCloseTo(32 / 7, 6);
    expect(t.min).toBe(2 + 1e9);
    expect(t.max).toBe(9 + 1e9);
  });

  it('tally.merge() equals adding both sets', () => {
    const a = new Tally();
    const b = new Tally();
    const both = new Tally();
    [1, 2, 3].forEach((x) => (a.add(x), both.add(x)));
    [10, 20].forEach((x) => (b.add(x), both.add(x)));
    a.merge(b);
    expect(a.mean).toBeCloseTo(both.mean, 12);
    expect(a.variance).toBeCloseTo(both.variance, 10);
    expect(Tally.fromJSON(JSON.parse(JSON.stringify(a))).variance).toBeCloseTo(both.variance, 10);
  });

  it('an empty tally reports NaN and survives a JSON round trip', () => {
    const t = Tally.fromJSON(JSON.parse(JSON.stringify(new Tally())));
    expect(t.mean).toBeNaN();
    expect(t.min).toBe(Infinity);
  });
});

describe('Counter', () => {
  it('counter.add() counts and counter.reset() zeroes', () => {
    const c = new Counter();
    c.add();
    c.add(4);
    expect(c.value).toBe(5);
    c.reset();
    expect(c.value).toBe(0);
  });
});

describe('TimeWeighted', () => {
  it('timeWeighted.mean(now) weights each level by how long it lasted', () => {
    const q = new TimeWeighted(0, 0);
    q.update(2, 3); // 0 during [0, 2)
    q.update(4, 1); // 3 during [2, 4)
    expect(q.mean(4)).toBeCloseTo(1.5, 12);
    expect(q.mean(6)).toBeCloseTo((0 * 2 + 3 * 2 + 1 * 2) / 6, 12);
    expect(q.max).toBe(3);
    expect(q.level).toBe(1);
  });

  it('timeWeighted.reset(now) starts a new window with the current level', () => {
    const q = new TimeWeighted(0, 5);
    q.update(10, 2);
    q.reset(10);
    q.add(12, 2);
    expect(q.mean(14)).toBeCloseTo(3, 12);
    expect(q.max).toBe(4);
    expect(q.min).toBe(2);
  });

  it('timeWeighted.update() back in time throws E2C_ERR_METRICS_TIME_BACKWARDS', () => {
    const q = new TimeWeighted(5, 0);
    expect(() => q.update(4, 1)).toThrow(expect.objectContaining({ code: MetricsErrorCode.TIME_BACKWARDS }));
  });
});

describe('ci95 and Student t', () => {
  it.each([
    [0.975, 9, 2.262157162798205],
    [0.975, 1, 12.706204736174705],
    [0.975, 30, 2.0422724563012373],
    [0.995, 4, 4.604094871415897],
    [0.95, 2.5, 2.5582186141359355], // fractional df; reference values from scipy.stats.t.ppf
    [0.975, 1e6, 1.9599663],
  ])('studentTQuantile(%s, %s) = %s', (p, df, t) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(t, 6);
    expect(studentTQuantile(1 - p, df)).toBeCloseTo(-t, 6);
  });

  it('ci95() gives mean ± t(0.975, n−1)·s/√n', () => {
    const r = ci95([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.n).toBe(10);
    expect(r.mean).toBe(5.5);
    expect(r.halfWidth).toBeCloseTo((2.262157162798205 * Math.sqrt(55 / 6)) / Math.sqrt(10), 9);
    expect(r.lo).toBeCloseTo(5.5 - r.halfWidth, 12);
    expect(r.hi).toBeCloseTo(5.5 + r.halfWidth, 12);
  });

  it('ci() at 99 % is wider than at 95 %', () => {
    const xs = [3.1, 2.9, 3.3, 3.0, 2.8];
    expect(ci(xs, 0.99).halfWidth).toBeGreaterThan(ci95(xs).halfWidth);
  });

  it('ci95() of fewer than two values has a NaN half-width', () => {
    expect(ci95([4]).mean).toBe(4);
    expect(ci95([4]).halfWidth).toBeNaN();
    expect(ci95([]).mean).toBeNaN();
  });

  it('ci() with a level outside (0, 1) throws E2C_ERR_METRICS_BAD_PROBABILITY', () => {
    expect(() => ci([1, 2], 95)).toThrow(expect.objectContaining({ code: MetricsErrorCode.BAD_PROBABILITY }));
  });
});
