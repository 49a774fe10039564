import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../src/model/index.js';
import { slowStartS } from '../../src/resources/tcp-window.js';
import { loadScenario } from '../../src/scenario/index.js';

// run.tcpSlowStart in the model: one user asks a file over an idle 20 Mbit/s path, one request at a time
// (think time far above a response), so every response is a single transfer alone on its link.

const root = path.join(import.meta.dirname, '../..');
const SPB = 8 / 20e6;
const DEMAND = 0.001;

function once(bytes: number, delayMs: number, overrides: string[]): SimulationResult {
  const text = `name: t
seed: 5
run: { duration: 200, warmup: 0, replications: 1, spanSample: 0 }
layers:
  - name: s
    services:
      - name: web
        app:
          requestBytes: 200
          responseBytes: ${bytes}
          pools: { w: 1 }
          stages: [ { name: serve, pool: w, resource: delay, demand: ${DEMAND} } ]
  - name: c
    services:
      - name: user
        workload: { kind: closed, target: s.web, users: 1, thinkTime: 5 }
network:
  - { src: c, dst: s, delayMs: ${delayMs}, rateMbps: 20, symmetric: true }
`;
  const r = loadScenario(path.join(root, 'scenarios/inline.yaml'), { text, overrides });
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return simulate(r.scenario, { replications: 1 }).result;
}

describe('run.tcpSlowStart in the model', () => {
  for (const delayMs of [10, 40]) {
    for (const bytes of [10_000, 100_000, 1e6, 1e7]) {
      it(`${bytes} B over ${delayMs} ms one way: on adds slowStartS(bytes, 2·delay) to every response, off does not`, () => {
        // The request (200 B) fits in the initial window: only the response pays slow start.
        const off = 200 * SPB + delayMs / 1000 + DEMAND + bytes * SPB + delayMs / 1000;
        const extra = slowStartS(bytes, (2 * delayMs) / 1000, SPB);
        const a = once(bytes, delayMs, []);
        const b = once(bytes, delayMs, ['run.tcpSlowStart=false']);
        const c = once(bytes, delayMs, ['run.tcpSlowStart=true']);
        expect(a.completed).toBeGreaterThan(5);
        for (const r of [a, b]) {
          expect(r.responseTime.mean).toBeCloseTo(off, 9);
          expect(r.responseTime.max).toBeCloseTo(off, 9);
        }
        // Off is the default: the same run, number for number.
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
        expect(c.responseTime.mean).toBeCloseTo(off + extra, 9);
        expect(c.responseTime.max).toBeCloseTo(off + extra, 9);
        if (bytes > 14_480) expect(extra).toBeGreaterThan(0.01);
      });
    }
  }

  it('slow start holds no bandwidth: the link carries the same bytes, busy for the same time per byte', () => {
    const b = once(1e6, 40, []);
    const c = once(1e6, 40, ['run.tcpSlowStart=true']);
    const link = (r: SimulationResult) => Object.values(r.links).find((l) => l.bytes > 1e6)!;
    expect(link(c).utilization / link(c).bytes).toBeCloseTo(link(b).utilization / link(b).bytes, 9);
    expect(c.completed).toBeLessThan(b.completed + 1);
  });
});
