import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LivePlan, PlanEvent } from '../../src/live/plan/types.js';
import { scheduleEvents } from '../../src/live/run/events.js';
import { reapplyPoolSizes, resetPoolSizes } from '../../src/live/run/pool-events.js';
import { RunState } from '../../src/live/run/state.js';
import type { LiveRunInput, Running } from '../../src/live/run/types.js';

// Timed pool events as the runner applies them (src/live/run/pool-events.ts), against a stand-in for
// the engine's POST /pools on loopback: what is sent, what run.json records, what a stopped engine and
// the reset between repetitions get.

const ID = 'cloud.engine@cloud-1';
let server: http.Server;
let port = 0;
const received: { pool: string; size: number }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const b = JSON.parse(body) as { pool: string; size: number };
      received.push(b);
      // The engine's answers: 404 for a pool it does not have.
      res.writeHead(b.pool === 'nope' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(b.pool === 'nope' ? { error: 'no pool "nope"' } : { size: b.size }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
});

const pool = (index: number, offsetS: number, size: number, name = 'extract'): PlanEvent => ({
  index,
  at: offsetS,
  offsetS,
  label: `pool cloud.engine ${name} → ${size} at ${offsetS} s`,
  action: 'pool',
  service: 'cloud.engine',
  pool: name,
  size,
  processes: [ID],
});

function state(events: PlanEvent[]): RunState {
  const plan = {
    events,
    processes: [{ id: ID, service: 'cloud.engine', port }],
  } as unknown as LivePlan;
  const scenario = {
    services: [{ id: 'cloud.engine', app: { pools: { extract: { size: 1 }, http: { size: 8 } } } }],
  };
  const s = new RunState({ plan, log: () => {}, scenario } as unknown as LiveRunInput);
  s.running.push({
    proc: { id: ID, service: 'cloud.engine', port },
    pid: 4242,
    host: {
      address: '127.0.0.1',
      connect: (p: number, a: string) =>
        new Promise((resolve, reject) => {
          const c = net.connect(p, a, () => resolve(c));
          c.on('error', reject);
        }),
      stop: async () => {},
    },
  } as unknown as Running);
  s.t0 = Date.now() / 1000;
  return s;
}

describe('pool events in the live schedule', () => {
  it('each size goes to the engine at its time, recorded as applied with how; the reset sends the scenario’s sizes back', async () => {
    received.length = 0;
    const s = state([pool(0, 0, 3), pool(1, 0.05, 2)]);
    await scheduleEvents(s, 1, Date.now()).finish();
    expect(received).toEqual([
      { pool: 'extract', size: 3 },
      { pool: 'extract', size: 2 },
    ]);
    expect(s.appliedEvents.map((e) => [e.index, e.action, e.how, e.note])).toEqual([
      [0, 'pool', `POST /pools to ${ID}`, undefined],
      [1, 'pool', `POST /pools to ${ID}`, undefined],
    ]);
    for (const e of s.appliedEvents) expect(e.appliedS).toBeGreaterThanOrEqual(e.scheduledS);
    expect(s.poolSizes.get(ID)).toEqual(new Map([['extract', 2]]));
    expect(await resetPoolSizes(s)).toBe(1);
    expect(received.at(-1)).toEqual({ pool: 'extract', size: 1 });
    expect(s.poolSizes.size).toBe(0);
  });

  it('an engine a stop event stopped is not asked (a note says so); it gets the size once restarted', async () => {
    received.length = 0;
    const stop: PlanEvent = {
      index: 0,
      at: 0,
      offsetS: 0,
      label: 'stop cloud.engine#0',
      action: 'stop',
      service: 'cloud.engine',
      instance: 0,
      process: ID,
    };
    const s = state([stop, pool(1, 0, 4)]);
    const engine = s.running[0]!;
    await scheduleEvents(s, 1, Date.now()).finish();
    expect(received).toEqual([]);
    expect(s.appliedEvents.map((e) => [e.action, e.how ?? e.note])).toEqual([
      ['stop', 'SIGKILL to process group 4242'],
      ['pool', `${ID} stopped: resized when restarted`],
    ]);
    // As restartInstance does once the new process is ready.
    s.running.push(engine);
    s.stopped.delete(ID);
    await reapplyPoolSizes(s, ID);
    expect(received).toEqual([{ pool: 'extract', size: 4 }]);
  });

  it('an engine that refuses the size fails the run with its answer', async () => {
    const s = state([pool(0, 0, 2, 'nope')]);
    await expect(scheduleEvents(s, 1, Date.now()).finish()).rejects.toThrow(
      /events: pool cloud\.engine nope → 2 at 0 s: cloud\.engine@cloud-1: POST \/pools \{pool: nope, size: 2\} answered 404/,
    );
  });
});
