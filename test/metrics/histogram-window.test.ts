import { describe, expect, it } from 'vitest';
import { quantileBetween } from '../../src/metrics/histogram-window.js';
import { LOG_HISTOGRAM_RELATIVE_ERROR, LogHistogram } from '../../src/metrics/index.js';
import { createStream, sampler } from '../../src/random/index.js';

// The quantile of a time window from two snapshots of one growing histogram (series.json's p95 per
// window): against the exact nearest-rank quantile of the window's own values.

/** The nearest-rank q-quantile of `xs`. */
const exact = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.max(1, Math.ceil(q * xs.length)) - 1]!;

describe('quantileBetween(earlier, later, q)', () => {
  it("is the window's own quantile within 1 %, window after window", () => {
    const draw = sampler({ dist: 'exponential', mean: 1 }, createStream(7, 'window-test', 0));
    const h = new LogHistogram();
    let before = undefined as ReturnType<LogHistogram['toJSON']> | undefined;
    for (let w = 0; w < 20; w++) {
      // Each window its own scale: the quantile must not be pulled towards the earlier windows.
      const scale = 0.1 * (w + 1);
      const xs = Array.from({ length: 200 + 37 * w }, () => draw() * scale);
      for (const x of xs) h.record(x);
      const now = h.toJSON();
      for (const q of [0.5, 0.95, 0.99]) {
        const got = quantileBetween(before, now, q);
        expect(Math.abs(got / exact(xs, q) - 1)).toBeLessThanOrEqual(LOG_HISTOGRAM_RELATIVE_ERROR);
      }
      before = now;
    }
  });

  it('is NaN for a window without values, and counts zeros exactly', () => {
    const h = new LogHistogram();
    h.record(1);
    const a = h.toJSON();
    expect(quantileBetween(a, h.toJSON(), 0.95)).toBeNaN();
    for (let i = 0; i < 10; i++) h.record(0);
    h.record(2);
    expect(quantileBetween(a, h.toJSON(), 0.5)).toBe(0);
    expect(quantileBetween(a, h.toJSON(), 0.95) / 2 - 1).toBeLessThan(LOG_HISTOGRAM_RELATIVE_ERROR);
  });
});
