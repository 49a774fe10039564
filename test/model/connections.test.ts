import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/model/index.js';
import { loadScenario, type ResolvedScenario } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');

/**
 * One user, a pure-delay server (10 ms) and a 20 ms path each way with no rate limit worth counting:
 * a request on an open connection takes 20 + 10 + 20 ms; one on a new connection adds the handshake's
 * round trip, 40 ms. Which requests open one depends only on the think time against keepAliveS.
 */
function scenario(thinkS: number, keepAlive: string): ResolvedScenario {
  const text = `name: t
seed: 1
run: { duration: 200, warmup: 0, replications: 1 }
layers:
  - name: s
    services:
      - name: app
        app: { stages: [{ name: work, resource: delay, demand: 0.01 }] }
  - name: c
    services:
      - name: load
        workload: { kind: closed, target: s.app, users: 1, thinkTime: ${thinkS}${keepAlive} }
network:
  - { src: c, dst: s, delayMs: 20, rateMbps: 100000, symmetric: true }
`;
  const r = loadScenario(path.join(root, 'scenarios/inline.yaml'), { text });
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r.scenario;
}
const meanOf = (s: ResolvedScenario) => simulate(s, { replications: 1 }).result.responseTime.mean;

describe('connections (workload keepAliveS)', () => {
  it('not set: every request as on an open connection (50 ms)', () => {
    expect(meanOf(scenario(1, ''))).toBeCloseTo(0.05, 6);
  });

  it('think time shorter than keepAliveS: only the first request opens a connection', () => {
    const s = scenario(1, ', keepAliveS: 4');
    const r = simulate(s, { replications: 1 }).result;
    const n = r.completed;
    // One request of n pays 40 ms more.
    expect(r.responseTime.mean).toBeCloseTo(0.05 + 0.04 / n, 6);
  });

  it('think time longer than keepAliveS: every request pays the handshake round trip (90 ms)', () => {
    expect(meanOf(scenario(5, ', keepAliveS: 4'))).toBeCloseTo(0.09, 6);
  });

  it('keepAliveS 0: a new connection per request whatever the think time', () => {
    expect(meanOf(scenario(0.5, ', keepAliveS: 0'))).toBeCloseTo(0.09, 6);
  });
});
