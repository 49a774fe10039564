import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../src/model/index.js';
import { loadScenario } from '../../src/scenario/index.js';

// Target tracking on utilization: a Poisson load on M/M/1 instances (μ = 1/s) steps from λ = 0.5/s to
// 1.5/s at T. The utilization law (U = λ S / N) says N instances hold utilization 0.6 or less when
// N ≥ λ S / 0.6: 1 before the step (0.83), 3 after it (2.5). The autoscaler must reach 3 within one
// cool-down of its first action after the step (an overloaded instance reads at most 100 % busy, so
// target tracking gets there in two actions: 1 → ceil(1/0.6) = 2 → ceil(2 × 0.75/0.6) = 3; the backlog
// built before the first action may make it overshoot to 4 for one cool-down), settle there, and never
// exceed its max.
const here = path.join(import.meta.dirname, 'autoscale.yaml');
const T = 4000;
const WINDOW = 300;
const COOLDOWN = 300;
const MAX = 4;
const text = `
name: autoscale-step
seed: 9
run: { duration: 20000, warmup: 0, replications: 10, spanSample: 0 }
layers:
  - name: system
    services:
      - name: station
        quantity: 1
        autoscale: { metric: utilization, target: 0.6, min: 1, max: ${MAX}, windowS: ${WINDOW}, cooldownS: ${COOLDOWN} }
        app:
          pools: { server: 1 }
          stages:
            - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 1 } }
  - name: outside
    services:
      - name: source
        workload: { kind: open, target: system.station, ratePerS: 0.5 }
events:
  - { at: ${T}, action: load, service: outside.source, factor: 3 }
`;

describe('autoscaling on utilization through a load step 1× → 3× (target 0.6)', () => {
  let result: SimulationResult;
  beforeAll(() => {
    const r = loadScenario(here, { text });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    result = simulate(r.scenario).result;
  }, 300_000);

  it('reaches the instance count of the utilization law (3) within one cool-down of its first action, in every replication', () => {
    let exact = 0;
    const lawN = Math.ceil((1.5 * 1) / 0.6);
    expect(lawN).toBe(3);
    for (const rep of result.perReplication) {
      const actions = rep.dynamics!.markers.filter((m) => m.kind === 'autoscale' && m.t >= T);
      expect(actions.length).toBeGreaterThan(0);
      const first = actions[0]!.t;
      // The first window that ends after the step decides.
      expect(first).toBeLessThanOrEqual(T + WINDOW);
      const reached = actions.find((m) => m.value! >= lawN);
      expect(reached, JSON.stringify(actions)).toBeDefined();
      expect(reached!.t - first).toBeLessThanOrEqual(COOLDOWN);
      if (reached!.value === lawN) exact++;
    }
    // Most replications land on the law's count itself (the others overshoot by one, then come back).
    expect(exact).toBeGreaterThanOrEqual(result.perReplication.length / 2);
  });

  it('holds it afterwards: 3 instances serve on average over the rest of the run', () => {
    for (const rep of result.perReplication) {
      const { windowS, start } = rep.timeline;
      const series = rep.dynamics!.timeline.instances['system.station']!;
      const after = series.filter((_, i) => start[i]! >= T + 2 * WINDOW + COOLDOWN);
      const mean = after.reduce((a, x) => a + x, 0) / after.length;
      expect(mean, `windows of ${windowS} s`).toBeGreaterThan(2.9);
      expect(mean).toBeLessThan(3.1);
    }
  });

  it('starts from the one instance the law gives before the step (on average over the replications)', () => {
    const rep0 = result.perReplication.map((rep) => {
      const series = rep.dynamics!.timeline.instances['system.station']!;
      const before = series.filter((_, i) => rep.timeline.start[i]! + rep.timeline.windowS <= T);
      return before.reduce((a, x) => a + x, 0) / before.length;
    });
    const mean = rep0.reduce((a, x) => a + x, 0) / rep0.length;
    expect(mean).toBeGreaterThanOrEqual(1);
    expect(mean).toBeLessThan(1.25);
  });

  it('never exceeds max', () => {
    for (const rep of result.perReplication) {
      expect(rep.dynamics!.instances['system.station']!.max).toBeLessThanOrEqual(MAX);
      for (const m of rep.dynamics!.markers)
        if (m.kind === 'autoscale') expect(m.value).toBeLessThanOrEqual(MAX);
    }
  });

  it('utilization settles below the target once scaled, and cost follows the instances paid for', () => {
    // Over the whole run: one instance at 0.5 before T, three at 0.5 after (two transitions in between).
    expect(result.pools.server!.utilization).toBeLessThan(0.65);
    const d = result.dynamics!.instances['system.station']!;
    expect(d.mean).toBeGreaterThan(2);
    expect(d.provisioned).toBeGreaterThanOrEqual(d.mean);
    expect(result.services['system.station']!.quantity).toBeCloseTo(d.mean, 9);
  });
});
