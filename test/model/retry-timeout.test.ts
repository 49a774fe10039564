import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  numericLeaves,
  simulate,
  type ReplicationMetrics,
  type SimulationResult,
} from '../../src/model/index.js';
import { loadScenario } from '../../src/scenario/index.js';

// A per-attempt timeout (workload retry.timeoutS): an attempt with no answer after timeoutS is given up by
// its client and sent again after the backoff; the server is not told (an attempt still queued leaves the
// queue, as for patienceS; work under way runs on, wasted); with no attempt left the request is abandoned.
// Checked against models whose answers are known in closed form.
const here = path.join(import.meta.dirname, 'retry-timeout.yaml');

interface Setup {
  /** Threads of the one pool (1: a single server, M/M/1; many: no queue, M/G/∞). */
  threads: number;
  ratePerS: number;
  /** Workload fields after ratePerS, e.g. `, retry: { attempts: 2, timeoutS: 1.5 }`. */
  extra: string;
  duration: number;
  replications?: number;
  shortcuts?: boolean;
}

function run(s: Setup): SimulationResult {
  const text = `
name: retry-timeout
seed: 11
run: { duration: ${s.duration}, warmup: 200, replications: ${s.replications ?? 10}, spanSample: 0${
    s.shortcuts === false ? ', shortcuts: false' : ''
  } }
layers:
  - name: cloud
    services:
      - name: engine
        app:
          pools: { server: ${s.threads} }
          stages:
            - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 1 } }
  - name: edge
    services:
      - name: phones
        workload: { kind: open, target: cloud.engine, ratePerS: ${s.ratePerS}${s.extra} }
`;
  const r = loadScenario(here, { text });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return simulate(r.scenario).result;
}

/**
 * `expected` is within three standard errors of the replications' mean of `f` (about a 98.5 % interval with
 * 10 replications: several figures are checked, and a 95 % one would miss one in twenty by chance), and
 * that standard error is below `maxSe` (the check says something).
 */
function expectWithin(
  r: SimulationResult,
  f: (m: ReplicationMetrics) => number,
  expected: number,
  maxSe: number,
) {
  const v = r.perReplication.map(f);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const se = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) / v.length);
  expect(se).toBeLessThan(maxSe);
  expect(Math.abs(mean - expected)).toBeLessThanOrEqual(3 * se);
}

/**
 * The same metrics on both paths (shortcuts on and off): every numeric leaf of every replication equal to
 * 1e-9 relative (sums of response times may be added in another order), the event count aside.
 */
function expectSameRuns(a: SimulationResult, b: SimulationResult) {
  a.perReplication.forEach((ra, i) => {
    const la = numericLeaves(ra);
    const lb = numericLeaves(b.perReplication[i]);
    expect([...la.keys()]).toEqual([...lb.keys()]);
    for (const [k, v] of la) {
      if (k === 'events') continue;
      const w = lb.get(k)!;
      if (Number.isNaN(v)) expect(Number.isNaN(w), k).toBe(true);
      else expect(Math.abs(v - w), k).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
    }
  });
}

describe('retry timeoutS: per-attempt timeout', () => {
  it('M/M/1: the fraction of first attempts timed out is the M/M/1+D formula (queued ones leave, served ones run on)', () => {
    // λ = 0.8, µ = 1, T = 2; retries wait 10⁶ s, so none comes back within the run: the server sees the
    // Poisson first attempts alone. A timed-out attempt still queued leaves (its wait exceeded T), one in
    // service runs to its end: an M/M/1 with deterministic reneging from the queue (M/M/1+D). Its virtual
    // wait V has an atom π₀ at 0, density π₀λe^{−(µ−λ)x} below T and π₀λa·e^{−µ(x−T)} above, a = e^{−(µ−λ)T},
    // π₀ = (1−ρ)/(1−ρ²a). An arrival (PASTA) times out if V > T (it leaves the queue) or V ≤ T < V + S:
    // P = π₀ρa + π₀a = (1−ρ²)a/(1−ρ²a). Without the withdrawal it would be M/M/1's P(R > T) = a (0.670).
    const lambda = 0.8;
    const mu = 1;
    const T = 2;
    const rho = lambda / mu;
    const a = Math.exp(-(mu - lambda) * T);
    const pTimeout = ((1 - rho * rho) * a) / (1 - rho * rho * a);
    const pLeave = ((1 - rho) * rho * a) / (1 - rho * rho * a);
    expect(pTimeout).toBeCloseTo(0.4226, 3);
    const r = run({
      threads: 1,
      ratePerS: lambda,
      extra: `, retry: { attempts: 1, backoffS: 1000000, timeoutS: ${T} }`,
      duration: 20_200,
    });
    for (const m of r.perReplication) {
      expect(m.attempts).toBeDefined();
      expect(m.attempts!.retries).toBe(0);
      // Pending retries are not abandonments yet: the user still waits.
      expect(m.abandoned).toBe(0);
      expect(m.failed).toBe(0);
    }
    expectWithin(r, (m) => m.attempts!.timedOut / m.arrived, pTimeout, 0.005);
    // The server works only for the attempts that did not leave its queue: utilization λ(1 − P(leave))/µ.
    expectWithin(r, (m) => m.pools.server!.utilization, (lambda * (1 - pLeave)) / mu, 0.005);
    // Those that timed out in service still answered, for nobody: wasted = P(timeout) − P(leave).
    expectWithin(r, (m) => m.attempts!.wasted / m.arrived, pTimeout - pLeave, 0.005);
    // And the users saw answers only within T.
    for (const m of r.perReplication) expect(m.responseTime.max).toBeLessThanOrEqual(T * 1.01);
  });

  it('M/G/∞: each attempt times out with P(S > T); retries add the load the geometric count of attempts says', () => {
    // No queue (many threads): an attempt's response time is its service time S ~ Exp(1), independent of
    // the load, so each times out with p = e^{−T}, independently. With 2 retries a request sends
    // 1 + p + p² attempts on average, is abandoned with p³, and every attempt's work runs to its end: the
    // mean number of busy threads is λ(1 + p + p²)E[S] against λE[S] without the timeout.
    const lambda = 20;
    const T = 1.5;
    const p = Math.exp(-T);
    const attempts = 1 + p + p * p;
    const extra = `, retry: { attempts: 2, backoffS: 0.25, timeoutS: ${T} }`;
    const r = run({ threads: 10_000, ratePerS: lambda, extra, duration: 4200 });
    expectWithin(r, (m) => m.attempts!.timedOut / (m.arrived + m.attempts!.retries), p, 0.003);
    expectWithin(r, (m) => m.attempts!.retries / m.arrived, p + p * p, 0.003);
    expectWithin(r, (m) => m.abandonmentProbability, p ** 3, 0.001);
    expectWithin(r, (m) => m.pools.server!.meanBusy, lambda * attempts, 0.2);
    for (const m of r.perReplication) expect(m.failed).toBe(0);
    const plain = run({ threads: 10_000, ratePerS: lambda, extra: '', duration: 4200 });
    expectWithin(plain, (m) => m.pools.server!.meanBusy, lambda, 0.2);
    expect(r.pools.server!.meanBusy / plain.pools.server!.meanBusy).toBeGreaterThan(1.2);
  });

  it('patienceS bounds the retries: the user gives up at its patience from the first send, whatever attempts remain', () => {
    // T = 1.5, backoff 0, patience 4: attempts go out at 0, 1.5 and 3; the third would time out at 4.5,
    // after the patience, so it has no timer and the user abandons at 4. Abandoned: S₁ > 1.5, S₂ > 1.5,
    // S₃ > 1 — probability e^{−4}; retries per request p + p² (p = e^{−1.5}); no answer seen after 4 s.
    const lambda = 20;
    const p = Math.exp(-1.5);
    const r = run({
      threads: 10_000,
      ratePerS: lambda,
      extra: ', patienceS: 4, retry: { attempts: 5, timeoutS: 1.5 }',
      duration: 4200,
    });
    expectWithin(r, (m) => m.abandonmentProbability, Math.exp(-4), 0.001);
    expectWithin(r, (m) => m.attempts!.retries / m.arrived, p + p * p, 0.003);
    expectWithin(r, (m) => m.attempts!.timedOut / m.arrived, p + p * p, 0.003);
  });

  it('closed-loop users: a timed-out attempt is sent again for its user, the last one frees the user (abandoned)', () => {
    // 5 users (think 1 s) on one exponential server: each timed-out attempt is either sent again or the
    // request's last (abandoned), so timedOut = retries + abandoned, but for a retry still waiting at the
    // end (+) or a request sent in the warm-up and abandoned after it (−), one per user at most; a user
    // never has two requests out.
    const text = `
name: retry-timeout-closed
seed: 3
run: { duration: 5000, warmup: 100, replications: 2, spanSample: 0 }
layers:
  - name: cloud
    services:
      - name: engine
        app:
          pools: { server: 1 }
          stages:
            - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 0.5 } }
  - name: edge
    services:
      - name: users
        workload:
          kind: closed
          target: cloud.engine
          users: 5
          thinkTime: { dist: exponential, mean: 1 }
          retry: { attempts: 2, backoffS: 0.1, timeoutS: 1.5 }
`;
    const loaded = loadScenario(here, { text });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const r = simulate(loaded.scenario).result;
    for (const m of r.perReplication) {
      expect(m.arrived).toBeGreaterThan(1000);
      expect(m.attempts!.timedOut).toBeGreaterThan(100);
      expect(m.abandoned).toBeGreaterThan(10);
      expect(Math.abs(m.attempts!.timedOut - m.attempts!.retries - m.abandoned)).toBeLessThanOrEqual(5);
      expect(m.inSystem.mean).toBeLessThanOrEqual(5);
      expect(m.failed).toBe(0);
    }
  });

  it('with instances stopped under it: failures and timeouts of one request mix, every run the same with or without shortcuts', () => {
    const text = (shortcuts: boolean) => `
name: retry-timeout-stops
seed: 5
run: { duration: 3000, warmup: 100, replications: 2, spanSample: 50, shortcuts: ${shortcuts} }
layers:
  - name: cloud
    services:
      - name: engine
        quantity: 2
        balance: least-outstanding
        app:
          pools: { server: 1 }
          stages:
            - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 0.5 } }
  - name: edge
    services:
      - name: phones
        workload: { kind: open, target: cloud.engine, ratePerS: 3, patienceS: 6, retry: { attempts: 3, backoffS: 0.2, timeoutS: 1 } }
network:
  - { src: edge, dst: cloud, delayMs: 20 }
events:
  - { at: 1000, action: stop, service: cloud.engine, instance: 0 }
  - { at: 1500, action: restart, service: cloud.engine, instance: 0 }
  - { at: 2000, action: stop, service: cloud.engine, instance: 1 }
  - { at: 2100, action: stop, service: cloud.engine, instance: 0 }
  - { at: 2200, action: restart, service: cloud.engine, instance: 0 }
  - { at: 2300, action: restart, service: cloud.engine, instance: 1 }
`;
    const results = [true, false].map((on) => {
      const loaded = loadScenario(here, { text: text(on) });
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      return simulate(loaded.scenario).result;
    });
    expectSameRuns(results[0]!, results[1]!);
    const m = results[0]!;
    expect(m.attempts!.timedOut).toBeGreaterThan(0);
    expect(m.failed).toBeGreaterThan(0);
    expect(m.dynamics!.retries).toBe(m.attempts!.retries);
  });

  it('a patience no longer than the timeout leaves the timeout nothing to do: the same run as without it', () => {
    const base = { threads: 1, ratePerS: 0.8, duration: 5200, replications: 2 };
    const without = run({ ...base, extra: ', patienceS: 3' });
    for (const t of [3, 7]) {
      const withT = run({ ...base, extra: `, patienceS: 3, retry: { attempts: 3, timeoutS: ${t} }` });
      for (const [i, m] of withT.perReplication.entries()) {
        expect(m.attempts).toEqual({ retries: 0, timedOut: 0, wasted: 0 });
        const { attempts: _, ...rest } = m;
        expect(rest).toEqual(without.perReplication[i]);
      }
      expect(withT.abandoned).toBeGreaterThan(0);
    }
  });

  it('a workload without timeoutS prints no attempts key; with one, the shortcuts change nothing', () => {
    const plain = run({
      threads: 2,
      ratePerS: 1.5,
      extra: ', retry: { attempts: 2 }',
      duration: 1200,
      replications: 1,
    });
    expect(plain.attempts).toBeUndefined();
    const extra = ', retry: { attempts: 2, backoffS: 0.5, timeoutS: 2 }';
    const fast = run({ threads: 2, ratePerS: 1.5, extra, duration: 1200, replications: 2 });
    const slow = run({ threads: 2, ratePerS: 1.5, extra, duration: 1200, replications: 2, shortcuts: false });
    expectSameRuns(fast, slow);
    expect(fast.attempts!.timedOut).toBeGreaterThan(0);
  });
});
