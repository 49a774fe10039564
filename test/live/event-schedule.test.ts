import { describe, expect, it } from 'vitest';
import type { LivePlan, PlanEvent } from '../../src/live/plan/types.js';
import { scheduleEvents } from '../../src/live/run/events.js';
import { nowS, RunState } from '../../src/live/run/state.js';
import type { LiveRunInput, Running } from '../../src/live/run/types.js';
import { until } from '../support/poll.js';

const link = (index: number, offsetS: number): PlanEvent => ({
  index,
  at: offsetS,
  offsetS,
  label: `link ${index}`,
  action: 'link',
  constraint: 0,
  link: 'edge->cloud',
  conditions: { delayMs: 50, rateMbps: Infinity, lossPercent: 0, cut: false },
  commands: { netem: {}, fallback: { kernel: {} } },
});

/** A stop of cloud.web's only instance, due at once. */
const stop: PlanEvent = {
  index: 0,
  at: 0,
  offsetS: 0,
  label: 'stop cloud.web#0',
  action: 'stop',
  service: 'cloud.web',
  instance: 0,
  process: 'cloud.web@cloud-1',
};

/** cloud.web's container, its first process `pid` (0: none running); what is asked of it goes to `calls`. */
function container(calls: string[], pid: number, waitStopped: () => Promise<void>): Running {
  return {
    proc: { id: 'cloud.web@cloud-1' },
    container: 'c0ffee',
    host: {
      stop: async (p: number, graceMs: number) => {
        calls.push(`stop ${p} ${graceMs}`);
      },
    },
    engine: {
      pid: async () => {
        calls.push('pid');
        return pid;
      },
      kill: async () => {
        calls.push('docker kill');
      },
      waitStopped: () => {
        calls.push('wait');
        return waitStopped();
      },
    },
  } as unknown as Running;
}

describe('the live event schedule (src/live/run/events.ts)', () => {
  it('a stop that takes long (its container slow to die) does not hold back a link change due meanwhile; the record keeps the plan order', async () => {
    const plan = { events: [stop, link(1, 0.05)] } as unknown as LivePlan;
    const s = new RunState({ plan, log: () => {} } as unknown as LiveRunInput);
    let killed: () => void = () => {};
    s.running.push({
      proc: { id: 'cloud.web@cloud-1' },
      container: 'c0ffee',
      engine: { pid: async () => 0, kill: () => new Promise<void>((r) => (killed = r)) },
    } as unknown as Running);
    s.t0 = Date.now() / 1000;
    const schedule = scheduleEvents(s, 1, Date.now());
    // The link change is recorded while the kill has not returned (emulation off here: a note says so).
    await until('the link change applied', () => s.appliedEvents.some((e) => e.action === 'link'));
    expect(s.appliedEvents.map((e) => e.action)).toEqual(['link']);
    killed();
    await schedule.finish();
    expect(s.appliedEvents.map((e) => [e.index, e.action, e.how ?? e.note])).toEqual([
      [0, 'stop', 'docker kill c0ffee'],
      [1, 'link', 'network emulation off: nothing changed'],
    ]);
    expect(s.appliedEvents[0]!.appliedS).toBeGreaterThan(s.appliedEvents[1]!.appliedS);
  });

  it("a container's stop is in place when its process is killed: the engine's record of the exit is awaited but not counted (appliedS before the engine was asked)", async () => {
    const s = new RunState({ plan: { events: [stop] }, log: () => {} } as unknown as LiveRunInput);
    const calls: string[] = [];
    let askedAt = 0;
    let seen: () => void = () => {};
    s.running.push(
      container(calls, 4242, () => {
        askedAt = nowS();
        return new Promise<void>((r) => (seen = r));
      }),
    );
    s.t0 = nowS();
    const schedule = scheduleEvents(s, 1, Date.now());
    await until('the engine asked', () => calls.includes('wait'));
    // The engine sees the exit a while after it was asked (polled: only the order of the times matters).
    await until('time moved on', () => nowS() > askedAt + 0.02);
    const seenAt = nowS();
    seen();
    await schedule.finish();
    expect(calls).toEqual(['pid', 'stop 4242 0', 'wait']);
    const [rec] = s.appliedEvents;
    expect(rec!.how).toMatch(/^SIGKILL to container c0ffee \(pid 4242\), its engine saw the exit \+\d+ ms$/);
    expect(Number(/\+(\d+) ms/.exec(rec!.how!)![1])).toBeGreaterThanOrEqual(
      Math.floor((seenAt - askedAt) * 1000),
    );
    expect(rec!.appliedS + s.t0).toBeLessThanOrEqual(askedAt);
  });

  it('a container with no process running (it ended by itself): docker kill, as before', async () => {
    const s = new RunState({ plan: { events: [stop] }, log: () => {} } as unknown as LiveRunInput);
    const calls: string[] = [];
    s.running.push(container(calls, 0, async () => {}));
    s.t0 = nowS();
    await scheduleEvents(s, 1, Date.now()).finish();
    expect(calls).toEqual(['pid', 'docker kill']);
    expect(s.appliedEvents[0]!.how).toBe('docker kill c0ffee');
  });

  it('events on the same process run in order: a restart due while its stop is still under way waits for it (both due at once)', async () => {
    const ev = (index: number, action: 'stop' | 'restart', offsetS: number): PlanEvent => ({
      index,
      at: offsetS,
      offsetS,
      label: `${action} cloud.web#0`,
      action,
      service: 'cloud.web',
      instance: 0,
      process: 'cloud.web@cloud-1',
    });
    const plan = { events: [ev(0, 'stop', 0), ev(1, 'restart', 0)] } as unknown as LivePlan;
    const s = new RunState({ plan, log: () => {} } as unknown as LiveRunInput);
    const calls: string[] = [];
    let killed: () => void = () => {};
    s.running.push({
      proc: { id: 'cloud.web@cloud-1' },
      container: 'c0ffee',
      engine: {
        pid: async () => 0,
        kill: () => {
          calls.push('kill');
          return new Promise<void>((r) => (killed = r));
        },
        start: async () => {
          calls.push('start');
          // Fails the restart here (no health to wait for in this test): enough to see it came after the kill.
          throw new Error('no engine in this test');
        },
      },
    } as unknown as Running);
    s.t0 = Date.now() / 1000;
    const schedule = scheduleEvents(s, 1, Date.now());
    await until('the kill called', () => calls.includes('kill'));
    // Both were due at once; however long the kill takes, the restart has not begun.
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['kill']);
    killed();
    await expect(schedule.finish()).rejects.toThrow(/restart cloud\.web#0: no engine in this test/);
    expect(calls).toEqual(['kill', 'start']);
  });
});
