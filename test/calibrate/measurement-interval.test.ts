import { describe, expect, it } from 'vitest';
import {
  type CalibrationSet,
  measurementRelSd,
  mixtureQuantile,
  predictOverSet,
  quantile,
} from '../../src/calibrate/index.js';
import { createStream, normalQuantile } from '../../src/random/index.js';

describe('mixtureQuantile', () => {
  it('is the normal quantile for one component', () => {
    expect(mixtureQuantile([10], [2], 0.95)).toBeCloseTo(10 + 2 * normalQuantile(0.95), 9);
    expect(mixtureQuantile([10], [2], 0.05)).toBeCloseTo(10 - 2 * normalQuantile(0.95), 9);
  });

  it('matches the empirical quantile of draws from the mixture', () => {
    const centers = [1, 1.2, 1.5, 3];
    const sds = [0.1, 0.05, 0.3, 0.2];
    const rng = createStream(7, 'mixture', 0);
    const draws: number[] = [];
    for (let k = 0; k < 100_000; k++) {
      const i = k % centers.length;
      // Box–Muller from the project's stream.
      const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
      draws.push(centers[i]! + sds[i]! * z);
    }
    for (const q of [0.05, 0.5, 0.95])
      expect(mixtureQuantile(centers, sds, q)).toBeCloseTo(quantile(draws, q), 2);
  });

  it('is wider than the centers alone, and reduces to a quantile of the centers with no noise', () => {
    const centers = [2, 2.1, 2.2, 2.3, 2.4];
    expect(
      mixtureQuantile(
        centers,
        centers.map(() => 0),
        0.05,
      ),
    ).toBeCloseTo(2, 12);
    expect(
      mixtureQuantile(
        centers,
        centers.map(() => 0),
        0.95,
      ),
    ).toBeCloseTo(2.4, 12);
    const sds = centers.map((c) => c * 0.05);
    expect(mixtureQuantile(centers, sds, 0.05)).toBeLessThan(2);
    expect(mixtureQuantile(centers, sds, 0.95)).toBeGreaterThan(2.4);
  });
});

describe('intervals of a measurement over a calibration set', () => {
  const set = {
    method: { discrepancy: 0.04 },
    noise: {
      'measurement.responseTime.mean': 0.03,
      'simulation.responseTime.mean': 0.02,
      'measurement.throughput': 0.07,
    },
  } as unknown as CalibrationSet;

  it('combine the measurement noise and the discrepancy in quadrature, metric by metric', () => {
    expect(measurementRelSd(set)).toEqual({ 'responseTime.mean': 0.05, throughput: Math.hypot(0.07, 0.04) });
    const noDisc = { ...set, method: {} } as unknown as CalibrationSet;
    expect(measurementRelSd(noDisc)['responseTime.mean']).toBe(0.03);
  });

  it('contain the parameters-only interval and are given only for metrics with a measurement noise', async () => {
    // A backend whose value depends on the vector (parameter spread) and the replication (simulator noise).
    const backend = async (reqs: { overrides: string[]; replication: number }[]) =>
      reqs.map((r) => {
        const theta = Number(r.overrides.find((o) => o.startsWith('theta='))!.slice(6));
        return {
          'responseTime.mean': theta * (1 + 0.01 * Math.sin(r.replication)),
          'responseTime.p95': 2 * theta,
        };
      });
    const [p] = await predictOverSet({
      backend: backend as never,
      samples: Array.from({ length: 20 }, (_, i) => [`theta=${1 + i / 100}`]),
      configs: [{ name: 'c', overrides: [] }],
      metrics: ['responseTime.mean', 'responseTime.p95'],
      seed: 1,
      replications: 2,
      streams: 'independent',
      measurementRelSd: measurementRelSd(set),
    });
    const mean = p!.metrics['responseTime.mean']!;
    expect(mean.measured!.relSd).toBe(0.05);
    expect(mean.measured!.lo).toBeLessThan(mean.lo);
    expect(mean.measured!.hi).toBeGreaterThan(mean.hi);
    expect(p!.metrics['responseTime.p95']!.measured).toBeUndefined();
  });
});
