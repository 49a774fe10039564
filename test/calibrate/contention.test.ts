import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitContention } from '../../src/calibrate/index.js';
import { simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import type { SpanRecord } from '../../src/trace/index.js';

const file = path.join(import.meta.dirname, '../../scenarios/plantnet.yaml');

describe('fitContention()', () => {
  it('recovers the GPU concurrency curve and the per-inference demand from the spans of runs at two configurations', () => {
    // The scenario's truth: extract demand lognormal(mean 0.12 s, cv 0.25) on a V100 whose throughput
    // curve is 1 + 1.5·(n − 1)/(n − 1 + 3). Two configurations make the GPU see different concurrencies.
    const spans: SpanRecord[] = [];
    for (const [i, extra] of [['edge.users.quantity=60'], ['cloud.engine.pools.extract=3']].entries()) {
      const s = loadScenarioOrThrow(file, {
        overrides: ['run.duration=1500', 'run.replications=1', 'run.spanSample=2500', ...extra],
      });
      for (const x of simulate(s).spans) spans.push({ ...x, host: `${i}/${x.host}` });
    }
    const fit = fitContention(spans, 'cloud.engine', 'extract')!;
    expect(fit.samples).toBeGreaterThan(1000);
    expect(fit.demandMean).toBeGreaterThan(0.12 * 0.9);
    expect(fit.demandMean).toBeLessThan(0.12 * 1.1);
    expect(fit.demandCv).toBeGreaterThan(0.2);
    expect(fit.demandCv).toBeLessThan(0.3);
    // The curve at the concurrencies visited (up to 7): the true rate(3) = 1.6 and rate(7) = 2.0.
    const rate = (n: number) => 1 + ((fit.maxSpeedup - 1) * (n - 1)) / (n - 1 + fit.halfConcurrency);
    expect(rate(3)).toBeGreaterThan(1.6 * 0.9);
    expect(rate(3)).toBeLessThan(1.6 * 1.1);
    expect(rate(7)).toBeGreaterThan(2.0 * 0.9);
    expect(rate(7)).toBeLessThan(2.0 * 1.1);
  });

  it('is undefined with too few spans', () => {
    expect(fitContention([], 'cloud.engine', 'extract')).toBeUndefined();
  });
});
