import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../src/model/index.js';
import { loadScenario } from '../../src/scenario/index.js';

// host.cpu.sharedPerRequestS: CPU time other software on the same cores spends per request (a testbed's
// userspace switch forwarding the request's bytes, clients on the same machine), served on the service's
// cores beside the request's stages from the moment the request begins, in no pool and nobody's path.
// - One request at a time (one closed-loop user), a CPU stage of x s and shared work of s s, both at the
//   core's speed: on one core the two share it, so the request takes x + s when x ≥ s (half a core until
//   the shared work is done at 2s, then the whole core) and 2x when x < s; on two cores each has its own,
//   and the request takes x. Exact: with 1 s of thinking the shared work of one request (done by
//   x + s) never meets the next.
// - Open Poisson load: the cores are busy λ(d + s) ÷ cores of the time, d the mean demand.

const here = path.join(import.meta.dirname, 'shared-cpu.yaml');

function run(opts: { cores: number; shared?: number; demand: string; workload: string }): SimulationResult {
  const shared = opts.shared === undefined ? '' : `, sharedPerRequestS: ${opts.shared}`;
  const text = `
name: shared-cpu
seed: 7
run: { duration: 20000, warmup: 100, replications: 3 }
layers:
  - name: system
    services:
      - name: station
        host: { name: box, cpu: { cores: ${opts.cores}, speed: 2${shared} } }
        app:
          stages:
            - { name: work, resource: cpu, demand: ${opts.demand} }
  - name: outside
    services:
      - name: source
        workload: ${opts.workload}
`;
  const r = loadScenario(here, { text });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return simulate(r.scenario).result;
}

const oneUser = '{ kind: closed, target: system.station, users: 1, thinkTime: 1 }';
const det = (s: number) => `${s}`; // a bare number: a deterministic law

describe('host.cpu.sharedPerRequestS (co-located CPU work per request)', () => {
  it('shares the cores with the request from its start: x + s on one core when x ≥ s, 2x when x < s, x on two cores (speed 2 halving both)', () => {
    const cases = [
      { cores: 1, x: 0.4, s: 0.3, expected: 0.2 + 0.15 },
      { cores: 1, x: 0.2, s: 0.3, expected: 2 * 0.1 },
      { cores: 2, x: 0.4, s: 0.3, expected: 0.2 },
      { cores: 1, x: 0.4, s: 0, expected: 0.2 },
    ];
    for (const c of cases) {
      const r = run({ cores: c.cores, shared: c.s, demand: det(c.x), workload: oneUser });
      expect(r.completed, JSON.stringify(c)).toBeGreaterThan(1000);
      expect(r.responseTime.mean, JSON.stringify(c)).toBeCloseTo(c.expected, 9);
      expect(r.responseTime.max, JSON.stringify(c)).toBeCloseTo(c.expected, 9);
    }
  });

  it('keeps the cores busy λ(d + s) ÷ cores under open Poisson load, and slows the requests', () => {
    const open = '{ kind: open, target: system.station, ratePerS: 2 }';
    const demand = '{ dist: exponential, mean: 0.4 }';
    const shared = run({ cores: 1, shared: 0.3, demand, workload: open });
    const alone = run({ cores: 1, demand, workload: open });
    // Demands at speed 2: d = 0.2 s, s = 0.15 s: busy 2 × 0.35 = 0.7 of the time (0.4 without).
    expect(shared.services['system.station']!.cpuUtilization).toBeCloseTo(0.7, 1);
    expect(alone.services['system.station']!.cpuUtilization).toBeCloseTo(0.4, 1);
    expect(shared.responseTime.mean).toBeGreaterThan(1.5 * alone.responseTime.mean);
  });

  it('at 0 changes nothing: the same metrics, byte for byte, as without the field', () => {
    const demand = '{ dist: exponential, mean: 0.4 }';
    const open = '{ kind: open, target: system.station, ratePerS: 2 }';
    expect(JSON.stringify(run({ cores: 1, shared: 0, demand, workload: open }))).toBe(
      JSON.stringify(run({ cores: 1, demand, workload: open })),
    );
  });
});
