import { describe, expect, it } from 'vitest';
import { MMC_REFERENCE, runMmcApi } from '../../bench/kernel-mmc.js';
import { Env } from '../../src/kernel/index.js';
import { ci95 } from '../../src/metrics/index.js';
import { createStream, sampler } from '../../src/random/index.js';
import { Pool } from '../../src/resources/index.js';

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let b = 1; // Erlang B by the stable recursion
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return (c * b) / (c - a * (1 - b));
}

/** M/M/c/K stationary probabilities p_0..p_K. */
function mmcK(c: number, K: number, lambda: number, mu: number): number[] {
  const a = lambda / mu;
  const w: number[] = [];
  let term = 1;
  for (let n = 0; n <= K; n++) {
    if (n > 0) term *= n <= c ? a / n : a / c;
    w.push(term);
  }
  const total = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / total);
}

describe('Pool against queueing theory', () => {
  it('M/M/4 (λ = 3.2, μ = 1) via the API matches Erlang C: W = 1.7455 within its 95 % CI over 10 × 200k customers', () => {
    const { lambda, mu, servers } = MMC_REFERENCE;
    const c = erlangC(servers, lambda / mu);
    const w = c / (servers * mu - lambda) + 1 / mu;
    expect(c).toBeCloseTo(0.5964, 4);
    expect(w).toBeCloseTo(1.7455, 4);
    const runs = Array.from({ length: 10 }, (_, i) => runMmcApi(200_000, i + 1));
    const meanW = ci95(runs.map((r) => r.meanResponse));
    const pWait = ci95(runs.map((r) => r.waitProbability));
    expect(Math.abs(meanW.mean - w)).toBeLessThan(meanW.halfWidth);
    expect(meanW.halfWidth / w).toBeLessThan(0.02);
    expect(Math.abs(pWait.mean - c)).toBeLessThan(pWait.halfWidth);
    // Response-time percentiles (analytic p50 / p95 = 1.346 / 4.738): histogram error + sampling.
    const p50 = ci95(runs.map((r) => r.p50)).mean;
    const p95 = ci95(runs.map((r) => r.p95)).mean;
    expect(Math.abs(p50 / 1.346 - 1)).toBeLessThan(0.02);
    expect(Math.abs(p95 / 4.738 - 1)).toBeLessThan(0.02);
    expect(runs[0]?.events).toBe(400_000); // two kernel events per customer
  });

  it('M/M/2/5 (queueLimit 3, ρ = 1.2): rejection rate and mean queue length match the M/M/c/K law', () => {
    const [c, K, lambda, mu] = [2, 5, 2.4, 1];
    const p = mmcK(c, K, lambda, mu);
    const blocking = p[K] as number;
    const lq = p.reduce((s, pn, n) => s + Math.max(0, n - c) * pn, 0);
    const blocked: number[] = [];
    const queue: number[] = [];
    for (let rep = 0; rep < 10; rep++) {
      const env = new Env();
      const pool = new Pool(env, { size: c, queueLimit: K - c });
      const arrival = sampler(
        { dist: 'exponential', mean: 1 / lambda },
        createStream(3, 'mmck/arrivals', rep),
      );
      const service = sampler({ dist: 'exponential', mean: 1 / mu }, createStream(3, 'mmck/service', rep));
      const release = () => pool.release();
      const start = () => env.schedule(service(), release);
      let arrived = 0;
      const arrive = () => {
        pool.acquire(start);
        if (++arrived < 100_000) env.schedule(arrival(), arrive);
      };
      env.schedule(arrival(), arrive);
      env.run();
      blocked.push(pool.rejected / arrived);
      queue.push(pool.meanQueueLength());
    }
    const b = ci95(blocked);
    const q = ci95(queue);
    expect(Math.abs(b.mean - blocking)).toBeLessThan(b.halfWidth);
    expect(Math.abs(q.mean - lq)).toBeLessThan(q.halfWidth);
  });
});
