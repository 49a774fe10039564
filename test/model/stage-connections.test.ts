import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/model/index.js';
import { slowStartS } from '../../src/resources/tcp-window.js';
import { loadScenario, type ResolvedScenario } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');

/**
 * One user and a service that fetches 100 KB from it (a network stage) then works 10 ms, across a 20 ms
 * path each way at 20 Mbit/s. On an open connection a request takes 20 (request) + 20 (ask) + the bytes
 * (+ 20 ms) + 10 + 20 (answer) ms; a stage with `newConnection` adds the handshake's round trip before
 * the ask, and with `tcpSlowStart: new-connections` the bytes' slow start (apps/image-service: urllib
 * opens a connection per picture).
 */
function scenario(o: { newConnection?: boolean; run?: string } = {}): ResolvedScenario {
  const stage = `{ name: fetch, resource: network, sizeBytes: 100000${o.newConnection === undefined ? '' : `, newConnection: ${o.newConnection}`} }`;
  const text = `name: t
seed: 1
run: { duration: 100, warmup: 0, replications: 1${o.run ?? ''} }
layers:
  - name: s
    services:
      - name: app
        app: { stages: [${stage}, { name: work, resource: delay, demand: 0.01 }] }
  - name: c
    services:
      - name: load
        workload: { kind: closed, target: s.app, users: 1, thinkTime: 1 }
network:
  - { src: c, dst: s, delayMs: 20, rateMbps: 20, symmetric: true }
`;
  const r = loadScenario(path.join(root, 'scenarios/inline.yaml'), { text });
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r.scenario;
}
const meanOf = (s: ResolvedScenario) => simulate(s, { replications: 1 }).result.responseTime.mean;

describe('network stages on new connections (stage newConnection)', () => {
  const spb = 8 / 20e6;
  const bytes = 100_000;
  const open = 0.02 + 0.02 + bytes * spb + 0.02 + 0.01 + 0.02;
  const slow = slowStartS(bytes, 0.04, spb);
  const ss = ', tcpSlowStart: new-connections';

  it('off (the default, or false): the bytes flow on an open connection', () => {
    expect(meanOf(scenario())).toBeCloseTo(open, 6);
    expect(meanOf(scenario({ newConnection: false, run: ss }))).toBeCloseTo(open, 6);
  });

  it('on: the handshake round trip first; with tcpSlowStart new-connections the bytes in slow start too', () => {
    expect(slow).toBeGreaterThan(0.03); // two rounds waited at 40 ms, 20 Mbit/s (tcp-window.test.ts)
    expect(meanOf(scenario({ newConnection: true }))).toBeCloseTo(open + 0.04, 6);
    expect(meanOf(scenario({ newConnection: true, run: ss }))).toBeCloseTo(open + 0.04 + slow, 6);
    // tcpSlowStart true: the link charges slow start on every transfer; the stage adds only the handshake.
    expect(meanOf(scenario({ newConnection: true, run: ', tcpSlowStart: true' }))).toBeCloseTo(
      meanOf(scenario({ run: ', tcpSlowStart: true' })) + 0.04,
      6,
    );
  });

  it('the same with the shortcuts off (transfer-lead: the ask and handshake as a scheduled delay)', () => {
    const on = meanOf(scenario({ newConnection: true, run: ss }));
    const off = meanOf(scenario({ newConnection: true, run: `${ss}, shortcuts: false` }));
    expect(off).toBeCloseTo(on, 9);
  });

  it('only network stages open connections: a located error otherwise', () => {
    const text = `name: t
run: { duration: 10 }
layers:
  - name: s
    services:
      - name: app
        app: { stages: [{ name: work, resource: delay, demand: 0.01, newConnection: true }] }
  - name: c
    services:
      - name: load
        workload: { kind: closed, target: s.app, users: 1, thinkTime: 1 }
`;
    const r = loadScenario(path.join(root, 'scenarios/inline.yaml'), { text });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]!.path).toMatch(/newConnection$/);
    }
  });
});
