import { describe, expect, it } from 'vitest';
import {
  measuredResponseTimes,
  plotData,
  scoreValidation,
  sideSummary,
  wasserstein1,
  type ConfigInput,
  type SideSummary,
} from '../../src/calibrate/index.js';
import type { SpanRecord } from '../../src/trace/index.js';

const est = (value: number, half = 0) => ({ value, lo: value - half, hi: value + half });
function side(
  mean: number,
  p95: number,
  throughput: number,
  responseTimes: number[],
  half = 0,
): SideSummary & { responseTimes: number[] } {
  return {
    mean: est(mean, half),
    p95: est(p95, half),
    throughput: est(throughput, half),
    runs: 3,
    samples: responseTimes.length,
    responseTimes,
  };
}
const seq = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => f(i)).sort((a, b) => a - b);

describe('validation report math', () => {
  it('wasserstein1() is the mean horizontal gap between two CDFs: a shift by c gives c', () => {
    const a = seq(1000, (i) => i / 1000);
    expect(
      wasserstein1(
        a,
        a.map((x) => x + 0.25),
      ),
    ).toBeCloseTo(0.25, 6);
    expect(wasserstein1(a, a)).toBe(0);
    expect(wasserstein1([1], [3])).toBe(2);
    expect(wasserstein1([], [1])).toBeNaN();
  });

  it('measuredResponseTimes() keeps answered requests ending inside a measured window, as the live metrics count them', () => {
    const req = (
      request: number,
      start: number,
      end: number,
      status: SpanRecord['status'] = 'ok',
    ): SpanRecord => ({
      request,
      kind: 'request',
      name: 'request',
      service: 'edge.users',
      host: 'edge.users#0',
      start,
      end,
      status,
    });
    const spans = [
      req(1, 1, 2), // in the warm-up
      req(2, 4, 6), // counted
      req(3, 9, 12), // ends after the window
      req(4, 5, 5.5, 'abandoned'),
      { ...req(5, 5, 7), kind: 'stage' as const, name: 'http' },
      req(6, 21, 21.5), // second window
    ];
    expect(
      measuredResponseTimes(spans, [
        { warmupEnd: 3, end: 10 },
        { warmupEnd: 21, end: 30 },
      ]),
    ).toEqual([0.5, 2]);
  });

  it('sideSummary() reads mean, p95 and throughput with their intervals from a metrics object (a single run is its own interval)', () => {
    const m = {
      replications: 3,
      responseTime: { mean: 1, p95: 2 },
      throughput: 4,
      ci95: { 'responseTime.mean': { lo: 0.9, hi: 1.1 }, 'responseTime.p95': { lo: null, hi: null } },
    };
    const s = sideSummary(m, [1, 2, 3]);
    expect(s.mean).toEqual({ value: 1, lo: 0.9, hi: 1.1 });
    expect(s.p95).toEqual({ value: 2, lo: 2, hi: 2 });
    expect(s.throughput).toEqual({ value: 4, lo: 4, hi: 4 });
    expect(s).toMatchObject({ runs: 3, samples: 3 });
  });

  it('scores configurations: signed errors, MAPE, bias, KS, Spearman, regret and the testbed noise; missing ones are carried', () => {
    const same = seq(400, (i) => 0.5 + i / 400);
    const inputs: ConfigInput[] = [
      // twin 10 % high on the mean, exact otherwise, same distribution
      { name: 'a', set: ['x=1'], predicted: side(1.1, 2, 4, same), measured: side(1, 2, 4, same, 0.1) },
      // twin 20 % low on the mean and p95; its distribution shifted well left
      {
        name: 'b',
        set: ['x=2'],
        predicted: side(
          1.6,
          2.4,
          3,
          same.map((x) => x - 10),
        ),
        measured: side(2, 3, 3, same, 0.2),
      },
      // the twin ranks c below a although it is measured worst: rank correlation below 1
      { name: 'c', set: ['x=3'], predicted: side(1.0, 4, 2, same), measured: side(3, 4, 2, same, 0.3) },
    ];
    const r = scoreValidation('s', inputs, [{ name: 'd', reason: 'live run failed: boom' }], {
      replications: 10,
    });
    expect(r.configs.map((c) => c.error.mean)).toEqual([
      expect.closeTo(0.1, 12),
      expect.closeTo(-0.2, 12),
      expect.closeTo(-2 / 3, 12),
    ]);
    expect(r.overall.mape.mean).toBeCloseTo((0.1 + 0.2 + 2 / 3) / 3, 12);
    expect(r.overall.bias.mean).toBeCloseTo((0.1 - 0.2 - 2 / 3) / 3, 12);
    expect(r.overall.mape.throughput).toBe(0);
    expect(r.configs[0]!.ks).toBe(0);
    expect(r.configs[1]!.ks).toBe(1);
    expect(r.configs[1]!.wasserstein).toBeCloseTo(10, 6);
    expect(r.overall.ks).toEqual({ mean: 1 / 3, max: 1 });
    // predicted means 1.1, 1.6, 1.0 rank (2, 3, 1); measured 1, 2, 3 rank (1, 2, 3): ρ = 1 − 6·(1+1+4)/(3·8) = −0.5
    expect(r.overall.spearman.mean).toBeCloseTo(-0.5, 12);
    expect(r.overall.spearman.throughput).toBeCloseTo(1, 12);
    // The twin's best mean is c (1.0) — measured 3, the best measured is 1: regret 3.
    expect(r.overall.regret.mean).toBe(3);
    // Throughput is maximized: the twin's best (a, 4) is the measured best.
    expect(r.overall.regret.throughput).toBe(1);
    expect(r.overall.noiseFloor.mean).toBeCloseTo((0.1 / 1 + 0.2 / 2 + 0.3 / 3) / 3, 12);
    expect(r.missing).toEqual([{ name: 'd', reason: 'live run failed: boom' }]);
    expect(r.targets.map((t) => [t.what, t.met])).toEqual([
      ['held-out configurations measured', false],
      ['MAPE of the mean response time', false],
      ['MAPE of the p95 response time', true], // (0 + 0.2 + 0)/3
      ['Spearman rank correlation (mean)', false],
    ]);
    expect(JSON.parse(JSON.stringify(r))).toMatchObject({
      format: 'e2ctwin-validation',
      version: 1,
      setup: { replications: 10 },
    });
  });

  it('meets the targets when the twin is within them on at least five configurations', () => {
    const rt = seq(100, (i) => 1 + i / 100);
    const inputs: ConfigInput[] = [1, 2, 3, 4, 5].map((k) => ({
      name: `c${k}`,
      set: [],
      predicted: side(k * 1.05, k * 2 * 0.9, 1 / k, rt),
      measured: side(k, k * 2, 1 / k, rt),
    }));
    const r = scoreValidation('s', inputs, [], {});
    expect(r.overall.mape.mean).toBeCloseTo(0.05, 12);
    expect(r.overall.mape.p95).toBeCloseTo(0.1, 12);
    expect(r.overall.spearman.mean).toBe(1);
    expect(r.targets.every((t) => t.met)).toBe(true);
  });

  it('plotData() gives both CDFs thinned to the requested number of points, ending at probability 1', () => {
    const rt = seq(1000, (i) => i / 1000);
    const r = scoreValidation(
      's',
      [{ name: 'a', set: [], predicted: side(1, 2, 3, rt), measured: side(1, 2, 3, rt.slice(0, 50)) }],
      [{ name: 'b', reason: 'x' }],
      {},
    );
    const p = plotData(r, new Map([['a', { predicted: rt, measured: rt.slice(0, 50) }]]), 100);
    expect(p.cdfs[0]!.predicted.x).toHaveLength(100);
    expect(p.cdfs[0]!.measured.x).toHaveLength(50);
    expect(p.cdfs[0]!.predicted.p.at(-1)).toBe(1);
    expect(p.cdfs[0]!.predicted.x.at(-1)).toBe(0.999);
    // Monotone.
    expect(p.cdfs[0]!.predicted.p.every((v, i, a) => i === 0 || v >= a[i - 1]!)).toBe(true);
    expect(p.points[0]!.predicted.mean.value).toBe(1);
    expect(p.missing).toEqual(['b']);
  });
});
