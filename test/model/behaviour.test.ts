import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../src/model/index.js';
import { loadScenario, loadScenarioOrThrow, type ResolvedScenario } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');

/** A scenario from YAML text (presets resolve from the shipped models/; traces from test/fixtures/). */
function scenario(text: string, overrides: string[] = []): ResolvedScenario {
  const r = loadScenario(path.join(root, 'scenarios/inline.yaml'), {
    text,
    overrides,
    extraRoots: [path.join(root, 'test/fixtures')],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r.scenario;
}
const run = (s: ResolvedScenario, replications = 1): SimulationResult => simulate(s, { replications }).result;

/** One service with the given app stages and pools, fed by closed users or open arrivals. */
function oneService(app: string, workload: string, extra = ''): string {
  return `name: t
seed: 3
run: { duration: 2000, warmup: 100, replications: 1, spanSample: 50 }
layers:
  - name: s
    services:
      - name: app
${extra}        app:
${app.replace(/^/gm, '          ')}
  - name: c
    services:
      - name: load
        workload: ${workload}
`;
}

describe('model behaviour', () => {
  it('a thread held for the whole request (hold: request) bounds the requests served at once', () => {
    const app = `pools: { front: 2, work: 10 }
stages:
  - { name: accept, pool: front, hold: request, resource: delay, demand: 0.001 }
  - { name: work, pool: work, resource: delay, demand: { dist: exponential, mean: 1 } }`;
    const r = run(scenario(oneService(app, '{ kind: open, target: s.app, ratePerS: 1.5 }')));
    // Two front threads held across "work": at most 2 requests in work, like an M/M/2 at ρ = 0.75.
    expect(r.pools.work!.meanBusy).toBeLessThanOrEqual(2);
    expect(r.pools.front!.utilization).toBeGreaterThan(0.7);
    expect(r.pools.front!.waitProbability).toBeGreaterThan(0.5);
    expect(r.pools.work!.waitProbability).toBe(0);
  });

  it('a full wait queue rejects requests, counted and excluded from response times', () => {
    const app = `pools: { one: { size: 1, queueLimit: 0 } }
stages: [ { name: serve, pool: one, resource: delay, demand: 1 } ]`;
    const r = run(scenario(oneService(app, '{ kind: open, target: s.app, ratePerS: 1 }')));
    // M/D/1/1 loss system: P(block) = ρ/(1 + ρ) = 0.5 for exponential or deterministic service.
    expect(r.rejectionProbability).toBeGreaterThan(0.45);
    expect(r.rejectionProbability).toBeLessThan(0.55);
    expect(r.responseTime.max).toBeCloseTo(1, 9);
  });

  it('users with patience abandon slow requests and the count says so', () => {
    const app = `pools: { one: 1 }
stages: [ { name: serve, pool: one, resource: delay, demand: { dist: exponential, mean: 1 } }]`;
    const patient = run(scenario(oneService(app, '{ kind: closed, target: s.app, users: 5, thinkTime: 1 }')));
    const hasty = run(
      scenario(oneService(app, '{ kind: closed, target: s.app, users: 5, thinkTime: 1, patienceS: 2 }')),
    );
    expect(patient.abandoned).toBe(0);
    expect(hasty.abandoned).toBeGreaterThan(0.1 * hasty.arrived);
  });

  it('per-item stages fork one task per item and join before the next stage', () => {
    const app = `pools: { p: 100 }
items: 3
stages:
  - { name: each, pool: p, perItem: true, resource: delay, demand: 1 }
  - { name: after, resource: delay, demand: 0.5 }`;
    const s = scenario(oneService(app, '{ kind: open, target: s.app, ratePerS: 0.1 }'));
    const { result, spans } = simulate(s);
    expect(result.responseTime.mean).toBeCloseTo(1.5, 9); // items in parallel, then the join
    const first = spans.filter((x) => x.request === spans[0]!.request && x.name === 'each');
    expect(first.map((x) => x.item).sort()).toEqual([0, 1, 2]);
    expect(new Set(first.map((x) => x.lane)).size).toBe(3);
  });

  it('k cores are shared by processor sharing: two equal jobs on one core take twice as long', () => {
    const text = (cores: number) => `name: t
run: { duration: 100, replications: 1 }
layers:
  - name: s
    services:
      - name: app
        host: { cpu: { cores: ${cores} } }
        app: { stages: [ { name: cpu, resource: cpu, demand: 1 } ] }
  - name: c
    services:
      - name: load
        workload: { kind: trace, target: s.app, file: ../test/fixtures/traces/three.csv }
`;
    const traces = new Map([['c.load', Float64Array.from([10, 10])]]);
    expect(simulate(scenario(text(1)), { traces }).result.responseTime.mean).toBeCloseTo(2, 9);
    expect(simulate(scenario(text(2)), { traces }).result.responseTime.mean).toBeCloseTo(1, 9);
  });

  it('network stages pay the delay both ways and the bytes at the link rate', () => {
    const text = `name: t
run: { duration: 1000, replications: 1 }
layers:
  - name: cloud
    services:
      - name: app
        app:
          stages: [ { name: fetch, resource: network, sizeBytes: 1250000 } ]
  - name: edge
    services:
      - name: load
        workload: { kind: open, target: cloud.app, ratePerS: 0.01, arrivals: periodic }
network:
  - { src: edge, dst: cloud, delayMs: 50, rateMbps: 100 }
`;
    // upload (0 bytes, 50 ms) + fetch (50 ms there, 0.1 s of bytes + 50 ms back) + response (50 ms)
    expect(run(scenario(text)).responseTime.mean).toBeCloseTo(0.3, 6);
  });

  it('a GPU memory reservation beyond the card makes the configuration infeasible', () => {
    const s = loadScenarioOrThrow(path.join(root, 'scenarios/plantnet.yaml'), {
      overrides: ['cloud.engine.pools.extract=9', 'run.duration=400', 'run.warmup=50', 'run.replications=1'],
    });
    const r = run(s);
    expect(r.gpuMemoryPeakGiB).toBeCloseTo(2 + 9 * 3.5, 9);
    expect(r.feasible).toBe(false);
    expect(r.infeasible[0]).toMatch(/33\.5 GiB exceeds the V100-PCIE-32GB's 32 GiB/);
    const ok = run(
      loadScenarioOrThrow(path.join(root, 'scenarios/plantnet.yaml'), {
        overrides: ['run.duration=400', 'run.warmup=50', 'run.replications=1'],
      }),
    );
    expect(ok.feasible).toBe(true);
    expect(ok.gpuMemoryPeakGiB).toBeCloseTo(26.5, 9);
  });

  it('a rate profile thins open arrivals (a ramp from 0 to 2 averages 1 over the ramp)', () => {
    const app = `stages: [ { name: d, resource: delay, demand: 0.001 } ]`;
    const flat = run(
      scenario(oneService(app, '{ kind: open, target: s.app, ratePerS: 2 }'), ['run.warmup=0']),
    );
    const ramp = run(
      scenario(
        oneService(
          app,
          '{ kind: open, target: s.app, ratePerS: 1, profile: { kind: ramp, from: 0, to: 2, start: 0, end: 2000 } }',
        ),
        ['run.warmup=0'],
      ),
    );
    expect(flat.throughput).toBeGreaterThan(1.9);
    expect(ramp.throughput).toBeGreaterThan(0.9);
    expect(ramp.throughput).toBeLessThan(1.1);
  });

  it('energy integrates idle plus utilization-proportional power, and cost the hourly price', () => {
    const text = `name: t
run: { duration: 3700, warmup: 100, replications: 1 }
layers:
  - name: s
    services:
      - name: app
        host: { cpu: { cores: 2 }, power: { idleW: 100, maxW: 300 }, pricePerHour: 2 }
        app: { stages: [ { name: c, resource: cpu, demand: 1 } ] }
  - name: c
    services:
      - name: load
        workload: { kind: open, target: s.app, ratePerS: 1, arrivals: periodic }
`;
    const r = run(scenario(text));
    // One job per second of 1 s on 2 cores: utilization 0.5, power 200 W over the 3600 s measured.
    expect(r.services['s.app']!.cpuUtilization).toBeCloseTo(0.5, 3);
    expect(r.energyJ).toBeCloseTo(200 * 3600, -3);
    expect(r.cost).toBeCloseTo(2, 9);
  });

  it('fog gateways forward in batches: the cloud answers one request per batch', () => {
    const s = loadScenarioOrThrow(path.join(root, 'scenarios/iot-camera-fog-cloud.yaml'), {
      overrides: [
        'run.duration=120',
        'run.warmup=20',
        'run.replications=1',
        'edge.camera.quantity=200',
        'fog.gateway.quantity=4',
      ],
    });
    const r = run(s);
    const frames = r.services['fog.gateway']!.completed;
    const batches = r.services['cloud.detector']!.completed;
    // 20 % of the frames pass the pre-filter and go up in batches of 5.
    expect(batches / frames).toBeGreaterThan((0.2 / 5) * 0.85);
    expect(batches / frames).toBeLessThan((0.2 / 5) * 1.15);
  });

  it('trace replay sends one request per row at the recorded times', () => {
    const text = `name: t
run: { duration: 100, replications: 1, spanSample: 10 }
layers:
  - name: s
    services:
      - name: app
        app: { stages: [ { name: d, resource: delay, demand: 0.5 } ] }
  - name: c
    services:
      - name: load
        workload: { kind: trace, target: s.app, file: ../test/fixtures/traces/three.csv }
`;
    const s = scenario(text);
    const traces = new Map([['c.load', Float64Array.from([1, 2.5, 7])]]);
    const { spans, result } = simulate(s, { traces });
    expect(result.completed).toBe(3);
    expect(spans.filter((x) => x.kind === 'request').map((x) => x.start)).toEqual([1, 2.5, 7]);
  });
});
