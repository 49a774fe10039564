import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/model/index.js';
import { slowStartS, TCP_PAYLOAD_SHARE } from '../../src/resources/tcp-window.js';
import { loadScenario, type ResolvedScenario } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');

/**
 * One user, a pure-delay server (10 ms) and a 20 ms path each way with no rate limit worth counting:
 * a request on an open connection takes 20 + 10 + 20 ms; one on a new connection adds the handshake's
 * round trip, 40 ms. Which requests open one depends only on the think time against keepAliveS.
 */
function scenario(
  thinkS: number,
  keepAlive: string,
  o: { run?: string; rate?: number; response?: number } = {},
): ResolvedScenario {
  const text = `name: t
seed: 1
run: { duration: 200, warmup: 0, replications: 1${o.run ?? ''} }
layers:
  - name: s
    services:
      - name: app
        app: { responseBytes: ${o.response ?? 0}, stages: [{ name: work, resource: delay, demand: 0.01 }] }
  - name: c
    services:
      - name: load
        workload: { kind: closed, target: s.app, users: 1, thinkTime: ${thinkS}${keepAlive} }
network:
  - { src: c, dst: s, delayMs: 20, rateMbps: ${o.rate ?? 100000}, symmetric: true }
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

  it('tcpSlowStart new-connections: only answers on new connections pay slow start; tcpFraming: payload at 1448/1514 of the rate', () => {
    const bytes = 100_000;
    const spb = 8 / 20e6;
    const base = 0.05 + bytes * spb; // 20 + 10 + 20 ms, and the answer's bytes at the full rate
    const slow = slowStartS(bytes, 0.04, spb);
    expect(slow).toBeGreaterThan(0.03); // two rounds waited at 40 ms, 20 Mbit/s (tcp-window.test.ts)
    const ss = ', tcpSlowStart: new-connections';
    // Kept connections (think 1 s < keepAliveS): only the first answer pays, like the handshake.
    const kept = simulate(scenario(1, ', keepAliveS: 4', { run: ss, rate: 20, response: bytes }), {
      replications: 1,
    }).result;
    expect(kept.responseTime.mean).toBeCloseTo(base + (0.04 + slow) / kept.completed, 6);
    // A new connection per request: every one pays the handshake and slow start.
    expect(meanOf(scenario(1, ', keepAliveS: 0', { run: ss, rate: 20, response: bytes }))).toBeCloseTo(
      base + 0.04 + slow,
      6,
    );
    // Off: no slow start, the handshake still counted (it belongs to keepAliveS).
    expect(meanOf(scenario(1, ', keepAliveS: 0', { rate: 20, response: bytes }))).toBeCloseTo(base + 0.04, 6);
    // Framing: the bytes take 1514/1448 as long.
    expect(meanOf(scenario(1, '', { run: ', tcpFraming: true', rate: 20, response: bytes }))).toBeCloseTo(
      0.05 + (bytes * spb) / TCP_PAYLOAD_SHARE,
      6,
    );
  });
});
