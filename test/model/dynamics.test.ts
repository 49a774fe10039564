import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { numericLeaves, Simulation, simulate, type SimulationResult } from '../../src/model/index.js';
import { planShortcuts, sourceBooks } from '../../src/model/shortcuts.js';
import { loadScenario, type ResolvedScenario } from '../../src/scenario/index.js';
import { closedStation } from './closed-station.js';

// What timed events, balance policies, retries and autoscaling do to a run, on small scenarios whose
// answers are known (M/M/c formulas, counts), and that the model's shortcuts stay exact under them.
const here = path.join(import.meta.dirname, 'dynamics.yaml');

function load(text: string, overrides: string[] = []): ResolvedScenario {
  const r = loadScenario(here, { text, overrides });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.scenario;
}
const run = (text: string, overrides: string[] = []): SimulationResult =>
  simulate(load(text, overrides)).result;

function stations(opts: {
  quantity?: number;
  balance?: string;
  rate: number;
  run: string;
  rest?: string;
  pool?: string;
}) {
  return `
name: dyn
seed: 3
run: ${opts.run}
layers:
  - name: system
    services:
      - name: station
        quantity: ${opts.quantity ?? 2}
        balance: ${opts.balance ?? 'random'}
        app:
          pools: { server: ${opts.pool ?? '1'} }
          stages:
            - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 1 } }
  - name: outside
    services:
      - name: source
        workload: { kind: open, target: system.station, ratePerS: ${opts.rate} }
${opts.rest ?? ''}`;
}

describe('requests on a stopped instance', () => {
  const stopAt = (extra = '') =>
    stations({
      rate: 1,
      run: '{ duration: 3000, warmup: 100, replications: 4, spanSample: 0 }',
      rest: `events:\n  - { at: 1000, action: stop, service: system.station, instance: 1${extra} }`,
    });

  it('fail with their own status, counted in failed and failureProbability', () => {
    const r = run(stopAt());
    expect(r.failed).toBeGreaterThan(0);
    for (const rep of r.perReplication)
      expect(rep.failureProbability).toBeCloseTo(rep.failed / rep.arrived, 12);
    // Each failure is in the window of the stop (t = 1000 s).
    const { start, windowS } = r.perReplication[0]!.timeline;
    const failed = r.perReplication[0]!.dynamics!.timeline.failed;
    failed.forEach((n, i) => {
      if (n > 0) expect(start[i]! <= 1000 && 1000 < start[i]! + windowS).toBe(true);
    });
    const markers = r.perReplication[0]!.dynamics!.markers;
    expect(markers).toContainEqual({ t: 1000, kind: 'stop', service: 'system.station', instance: 1 });
  });

  it('are retried on the instance still up when the client retries', () => {
    const text = stopAt().replace('ratePerS: 1 }', 'ratePerS: 1, retry: { attempts: 2, backoffS: 0.5 } }');
    const r = run(text);
    expect(r.failed).toBe(0);
    expect(r.dynamics!.retries).toBeGreaterThan(0);
    // A retried request keeps its first start: it is one arrival, and completes once.
    expect(Math.abs(r.arrived - r.completed)).toBeLessThan(60);
  });

  it('come back after the recovery law: the instance restarts and serves again', () => {
    const r = run(stopAt(', recovery: 200'));
    const markers = r.perReplication[0]!.dynamics!.markers;
    expect(markers).toContainEqual({ t: 1200, kind: 'restart', service: 'system.station', instance: 1 });
    // Two instances up but for 200 s of the 2900 s measured.
    expect(r.dynamics!.instances['system.station']!.mean).toBeCloseTo(2 - 200 / 2900, 9);
  });

  it('with no instance up, every request is refused (fails) until one is back', () => {
    const text = stations({
      rate: 1,
      balance: 'round-robin',
      run: '{ duration: 2000, warmup: 0, replications: 2, spanSample: 0 }',
      rest: `events:
  - { at: 500, action: scale, service: system.station, instances: 0 }
  - { at: 1500, action: scale, service: system.station, instances: 2 }`,
    });
    const r = run(text);
    // ~1000 arrivals at 1/s while nothing is up (draining instances finish what they hold).
    expect(r.failed).toBeGreaterThan(900);
    expect(r.failed).toBeLessThan(1100);
    expect(r.dynamics!.instances['system.station']!.mean).toBeCloseTo(1, 9);
  });
});

describe('balance policies', () => {
  it('weighted sends in proportion to the weights (3:1)', () => {
    const scenario = load(
      stations({
        rate: 1,
        balance: '{ policy: weighted, weights: [3, 1] }',
        run: '{ duration: 20000, warmup: 0, replications: 1, spanSample: 0 }',
      }),
    );
    const sim = new Simulation(scenario, { seed: 1, replication: 0, spanSample: 0 });
    sim.run();
    const [a, b] = sim.instances.get('system.station')!.all.map((h) => h.pools[0]!.granted);
    const share = a! / (a! + b!);
    // Binomial(20 000, 0.75): sd 0.003.
    expect(Math.abs(share - 0.75)).toBeLessThan(0.015);
  });

  it('power-of-two sits between random and least-outstanding with four instances', () => {
    const mean = (balance: string) =>
      run(
        stations({
          quantity: 4,
          balance,
          rate: 3.2,
          run: '{ requests: 200000, warmup: 200, replications: 5, spanSample: 0 }',
        }),
      ).ci95['responseTime.mean']!;
    const random = mean('random');
    const p2 = mean('power-of-two');
    const jsq = mean('least-outstanding');
    expect(p2.hi).toBeLessThan(random.lo);
    expect(jsq.hi).toBeLessThan(p2.lo);
  });

  it('static keeps today’s binding: without balance a service is not balanced at all', () => {
    const s = load(stations({ rate: 1, run: '{ duration: 100 }' }).replace('        balance: random\n', ''));
    expect(s.services[0]!.balance).toBeUndefined();
    expect(s.services[0]!.maxInstances).toBeUndefined();
  });
});

describe('pool size and load events', () => {
  it('a pool grown from 1 to 2 threads makes an M/M/1 an M/M/2 (Erlang C) from then on', () => {
    const text = stations({
      quantity: 1,
      rate: 0.9,
      run: '{ duration: 200500, warmup: 500, replications: 10, spanSample: 0 }',
      rest: 'events:\n  - { at: 400, action: pool, service: system.station, pool: server, size: 2 }',
    });
    const r = run(text);
    const a = 0.9;
    const top = a ** 2 / (2 * (1 - a / 2));
    const erlangC = top / (1 + a + top);
    const w = 1 + erlangC / (2 - a);
    expect(r.pools.server!.size).toBe(2);
    const ci = r.ci95['responseTime.mean']!;
    expect(Math.abs(r.responseTime.mean - w) / w).toBeLessThan(0.02);
    expect(ci.halfWidth / w).toBeLessThan(0.02);
  });

  it('a load step multiplies the open rate from its time on', () => {
    const text = stations({
      rate: 0.5,
      run: '{ duration: 20000, warmup: 10000, replications: 2, spanSample: 0 }',
      rest: 'events:\n  - { at: 10000, action: load, service: outside.source, factor: 2 }',
    });
    const r = run(text);
    expect(Math.abs(r.throughput - 1) / 1).toBeLessThan(0.05);
  });

  it('a load step on closed users activates more users than written (factor 2 → twice the throughput)', () => {
    const closed = (factor: number) =>
      run(
        closedStation({
          name: 'closed-step',
          seed: 2,
          run: '{ duration: 20000, warmup: 10000, replications: 2, spanSample: 0 }',
          quantity: 5,
          users: 4,
          think: '{ dist: exponential, mean: 9 }',
          demand: '1',
          loads: [[5000, factor]],
        }),
      ).throughput;
    // An infinite server: 20 users each cycle in 10 s → 2/s; 40 users → 4/s.
    expect(closed(2) / closed(1)).toBeGreaterThan(1.9);
    expect(closed(2) / closed(1)).toBeLessThan(2.1);
  });
});

describe('shortcuts under dynamics', () => {
  const text = `
name: dyn-shortcuts
seed: 4
run: { duration: 3000, warmup: 200, replications: 3, spanSample: 0 }
layers:
  - name: cloud
    services:
      - name: balanced
        quantity: 3
        balance: least-outstanding
        app:
          pools: { server: 2 }
          stages:
            - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 1 } }
      - name: plain
        app:
          pools: { server: 4 }
          stages:
            - { name: serve, pool: server, resource: cpu, demand: { dist: exponential, mean: 0.05 } }
  - name: edge
    services:
      - name: a
        quantity: 40
        workload: { kind: open, target: cloud.balanced, ratePerS: 0.05, arrivals: periodic }
      - name: b
        quantity: 40
        workload: { kind: open, target: cloud.plain, ratePerS: 0.5, arrivals: periodic }
network:
  - { src: edge, dst: cloud, delayMs: 20, rateMbps: 10 }
events:
  - { at: 600, action: stop, service: cloud.balanced, instance: 0, recovery: { dist: exponential, mean: 100 } }
  - { at: 1200, action: scale, service: cloud.balanced, instances: 2 }
  - { at: 1500, action: pool, service: cloud.balanced, pool: server, size: 3 }
  - { at: 2000, action: load, service: edge.a, factor: 2 }
`;

  it('a source whose target balances its requests books nothing (the instance is chosen at send time)', () => {
    const plan = planShortcuts(load(text));
    const facts = {
      upPerHost: true,
      originHasApp: false,
      targetPulls: false,
      constantRate: true,
      patience: false,
      attemptTimeout: false,
    };
    expect(sourceBooks(plan, { ...facts, balanced: false })).toBe(true);
    expect(sourceBooks(plan, { ...facts, balanced: true })).toBe(false);
    // A per-attempt timeout acts on a request before it arrives: no booking either.
    expect(sourceBooks(plan, { ...facts, balanced: false, attemptTimeout: true })).toBe(false);
  });

  it('an autoscaler on p95 turns settle-answers off (it reads response times at its own instants)', () => {
    expect(planShortcuts(load(text)).settleAnswers).toBe(true);
    const p95 = text.replace(
      '        balance: least-outstanding\n',
      '        autoscale: { metric: p95, target: 2, min: 1, max: 4 }\n',
    );
    expect(planShortcuts(load(p95)).settleAnswers).toBe(false);
  });

  it('events, balance and load steps give the same results with and without shortcuts (to 1e-9)', () => {
    const fast = run(text);
    const plain = run(text, ['run.shortcuts=false']);
    expect(plain.events).toBeGreaterThan(fast.events); // the shortcuts did apply (to cloud.plain's sources)
    expect(fast.failed).toBeGreaterThanOrEqual(0);
    fast.perReplication.forEach((rep, r) => {
      const a = numericLeaves(rep);
      const b = numericLeaves(plain.perReplication[r]!);
      a.delete('events');
      b.delete('events');
      expect([...a.keys()]).toEqual([...b.keys()]);
      for (const [key, value] of a) {
        // Links see an upload's bytes at other instants when it is booked (see performance.md).
        if (key.startsWith('links.')) continue;
        const other = b.get(key)!;
        if (Number.isNaN(value)) expect(other, key).toBeNaN();
        else
          expect(Math.abs(value - other), `${key}: ${value} vs ${other}`).toBeLessThanOrEqual(
            1e-9 * Math.max(1, Math.abs(value)),
          );
      }
    });
    expect(JSON.stringify(fast.dynamics!.markers)).toBe(JSON.stringify(plain.dynamics!.markers));
  });

  it('is deterministic: the same seed gives byte-identical metrics', () => {
    expect(JSON.stringify(run(text))).toBe(JSON.stringify(run(text)));
  });
});

describe('network events', () => {
  const base = (network: string, events = '') => `
name: link-events
seed: 6
run: { duration: 4000, warmup: 2010, replications: 2, spanSample: 0 }
layers:
  - name: cloud
    services:
      - name: engine
        app:
          pools: { server: 1000 }
          requestBytes: { dist: exponential, mean: 200000 }
          responseBytes: 2000
          stages:
            - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 0.5 } }
  - name: edge
    services:
      - name: phones
        quantity: 20
        workload: { kind: open, target: cloud.engine, ratePerS: 0.1 }
network:
  - ${network}
${events}`;
  const good = '{ src: edge, dst: cloud, delayMs: 10, rateMbps: 100 }';
  const bad = '{ src: edge, dst: cloud, delayMs: 200, rateMbps: 2, lossPercent: 0 }';

  it('a degraded link gives, from then on, what a scenario with that link from the start gives', () => {
    const degraded = run(
      base(good, 'events:\n  - { at: 2000, action: link, src: edge, dst: cloud, delayMs: 200, rateMbps: 2 }'),
    );
    // The reference on the plain path: with a static link its Poisson sources would book their uploads,
    // drawing sizes in another order (performance.md), and the comparison is to 1e-9.
    const always = run(base(bad), ['run.shortcuts=false']);
    expect(degraded.responseTime.mean).toBeGreaterThan(run(base(good)).responseTime.mean + 0.39);
    expect(Math.abs(degraded.responseTime.mean - always.responseTime.mean)).toBeLessThan(
      1e-9 * always.responseTime.mean,
    );
    expect(degraded.perReplication[0]!.dynamics!.markers).toContainEqual({
      t: 2000,
      kind: 'link',
      service: 'edge->cloud',
    });
  });

  it('a restored link gives back the original figures', () => {
    const restored = run(
      base(
        good,
        `events:
  - { at: 1000, action: link, src: edge, dst: cloud, delayMs: 200, rateMbps: 2 }
  - { at: 2000, action: link-restore, src: edge, dst: cloud }`,
      ),
    );
    const never = run(base(good), ['run.shortcuts=false']);
    expect(Math.abs(restored.responseTime.mean - never.responseTime.mean)).toBeLessThan(
      1e-9 * never.responseTime.mean,
    );
  });

  it('with links changing, uploads are not booked, and both paths give the same results', () => {
    const text = base(good, 'events:\n  - { at: 2000, action: link, src: edge, dst: cloud, lossPercent: 2 }');
    const plan = planShortcuts(load(text));
    expect([plan.bookUploads, plan.fleet, plan.claim]).toEqual([false, false, false]);
    expect(planShortcuts(load(base(good))).bookUploads).toBe(true);
    const fast = run(text);
    const plain = run(text, ['run.shortcuts=false']);
    expect(fast.responseTime.mean).toBeCloseTo(plain.responseTime.mean, 9);
    expect(fast.links['edge->cloud']!.bytes).toBeGreaterThan(0);
  });
});
