import { describe, expect, it } from 'vitest';
import { autoscaleDecision } from '../../src/model/autoscale-decision.js';
import type { PlanAutoscaler } from '../../src/live/plan/types.js';
import {
  type AutoscaleAction,
  AutoscaleController,
  type AutoscaleIO,
  type PoolReading,
} from '../../src/live/run/autoscale.js';

// The live autoscaler's controller against a fake testbed: engines whose pool counters grow at the
// levels the test sets (busy and waiting threads per process), a clock the test moves, and a record of
// what the controller asked (instance counts, driver messages) in order.

const POOL = 4;

function spec(o: Partial<PlanAutoscaler> = {}): PlanAutoscaler {
  return {
    service: 'cloud.engine',
    metric: 'utilization',
    pool: 'extract',
    target: 0.6,
    min: 1,
    max: 3,
    windowS: 10,
    cooldownS: 20,
    quantity: 1,
    processes: ['e@0', 'e@1', 'e@2'],
    drivers: ['users@fog'],
    driverPort: 18080,
    ...o,
  };
}

/** Engines with cumulative counters (their clock is the test's), and the calls the controller made. */
class FakeTestbed implements AutoscaleIO {
  t = 0;
  readonly busy = new Map<string, number>();
  readonly queue = new Map<string, number>();
  readonly #acc = new Map<string, { busy: number; queue: number }>();
  readonly calls: string[] = [];
  readonly actions: AutoscaleAction[] = [];
  running: number;

  constructor(readonly sp: PlanAutoscaler) {
    this.running = sp.quantity;
  }

  /** Time passes: each running engine's areas grow at its levels. */
  advance(dt: number): void {
    for (const p of this.sp.processes.slice(0, this.running)) {
      const a = this.#acc.get(p) ?? { busy: 0, queue: 0 };
      a.busy += (this.busy.get(p) ?? 0) * dt;
      a.queue += (this.queue.get(p) ?? 0) * dt;
      this.#acc.set(p, a);
    }
    this.t += dt;
  }

  now(): number {
    return this.t;
  }

  async stats(p: string): Promise<PoolReading> {
    const i = this.sp.processes.indexOf(p);
    if (i >= this.running) throw new Error(`${p} is not running`);
    const a = this.#acc.get(p) ?? { busy: 0, queue: 0 };
    return { t: this.t, busyIntegral: a.busy, queueIntegral: a.queue, size: POOL };
  }

  async setCount(n: number): Promise<{ started: string[]; how: string[] }> {
    this.calls.push(`setCount ${n}`);
    const started = this.sp.processes.slice(this.running, n);
    // A new engine's counters start from zero.
    for (const p of started) this.#acc.delete(p);
    this.running = n;
    return { started, how: started.map((p) => `${p} started`) };
  }

  async tellDrivers(n: number): Promise<void> {
    this.calls.push(`drivers ${n}`);
  }

  record(a: AutoscaleAction): void {
    this.actions.push(a);
  }
}

/** Every engine serving at `busy` threads (of POOL) and `queue` waiting. */
function levels(tb: FakeTestbed, busy: number, queue = 0): void {
  for (const p of tb.sp.processes) {
    tb.busy.set(p, busy);
    tb.queue.set(p, queue);
  }
}

async function window(c: AutoscaleController, tb: FakeTestbed): Promise<number | null> {
  tb.advance(c.spec.windowS);
  const n = await c.tick();
  await c.settle();
  return n;
}

describe('the live autoscaler (controller on a fake testbed)', () => {
  it('measures the window’s utilization as the simulator does and decides with its function: 0.9 busy on one instance → 2, target 0.6', async () => {
    const sp = spec();
    const tb = new FakeTestbed(sp);
    const c = new AutoscaleController(sp, tb);
    await c.begin();
    levels(tb, 0.9 * POOL);
    expect(await c.measure()).toBeNaN(); // nothing elapsed since the start
    tb.advance(10);
    expect(await c.measure()).toBeCloseTo(0.9, 12);
    tb.advance(10);
    expect(await c.tick()).toBe(2);
    await c.settle();
    expect(tb.actions).toEqual([
      { decidedS: 20, startedS: 20, appliedS: 20, instances: 2, started: ['e@1'], how: 'e@1 started' },
    ]);
    // Out: the processes first, the drivers once they are ready.
    expect(tb.calls).toEqual(['setCount 2', 'drivers 2']);
    expect(c.serving).toBe(2);
  });

  it('on any sequence of loads, each decision is the simulator’s function of the window’s metric, serving, size and last action', async () => {
    const sp = spec({ max: 3, cooldownS: 20, scaleInCooldownS: 30 });
    const tb = new FakeTestbed(sp);
    const c = new AutoscaleController(sp, tb);
    await c.begin();
    // A deterministic walk of loads (busy threads per instance), light and heavy.
    const loads = [3.9, 3.9, 2.0, 0.5, 0.2, 0.2, 3.5, 4, 4, 1, 0.1, 0.1, 0.1, 2.5, 2.5, 0.3];
    let lastAction = -Infinity;
    let active = sp.quantity;
    let decisions = 0;
    for (const b of loads) {
      levels(tb, b);
      const serving = c.serving;
      tb.advance(sp.windowS);
      const now = tb.t;
      // The window's utilization, computed here from the levels: every serving engine was at b all along.
      const expected = autoscaleDecision(sp, { now, metric: b / POOL, serving, active, lastAction });
      const got = await c.tick();
      await c.settle();
      expect(got, `at ${now} s, load ${b}`).toBe(expected);
      if (got !== null) {
        lastAction = now;
        active = got;
        decisions++;
      }
      expect(c.serving).toBe(active);
    }
    // The walk goes both ways.
    expect(decisions).toBeGreaterThanOrEqual(4);
    expect(tb.actions.some((a, i) => i > 0 && a.instances < tb.actions[i - 1]!.instances)).toBe(true);
  });

  it('acts at most once per cool-down and never above max under saturation', async () => {
    const sp = spec({ max: 3, cooldownS: 30, windowS: 10 });
    const tb = new FakeTestbed(sp);
    const c = new AutoscaleController(sp, tb);
    await c.begin();
    levels(tb, POOL, 5);
    const sizes: number[] = [];
    for (let k = 0; k < 20; k++) {
      await window(c, tb);
      sizes.push(c.active);
    }
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.at(-1)).toBe(3);
    const times = tb.actions.map((a) => a.decidedS);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(30);
    // 1 → ceil(1 × 1 / 0.6) = 2 at the first window, 2 → ceil(2/0.6) = 4, bounded to 3, a cool-down later.
    expect(tb.actions.map((a) => [a.decidedS, a.instances])).toEqual([
      [10, 2],
      [40, 3],
    ]);
  });

  it('scales in after the scale-in cool-down: the drivers first, then the drain; the removed instance leaves the measure at once', async () => {
    const sp = spec({ quantity: 3, min: 1, scaleInCooldownS: 40, cooldownS: 10 });
    const tb = new FakeTestbed(sp);
    const c = new AutoscaleController(sp, tb);
    await c.begin();
    levels(tb, 0.4); // 10 % busy: ceil(3 × 0.1 / 0.6) = 1
    expect(await window(c, tb)).toBe(1); // no action yet: the first one is free of cool-down
    expect(tb.calls).toEqual(['drivers 1', 'setCount 1']);
    expect(c.serving).toBe(1);
    // A new scale out only after the cool-down (10 s), measured over the one instance left.
    levels(tb, POOL);
    expect(await window(c, tb)).toBe(2);
    // A scale in again only 40 s after the last action.
    levels(tb, 0);
    const decided: (number | null)[] = [];
    for (let k = 0; k < 5; k++) decided.push(await window(c, tb));
    expect(decided).toEqual([null, null, null, 1, null]);
  });

  it('tracks the queue (waiting requests per instance serving)', async () => {
    const sp = spec({ metric: 'queue', target: 2, max: 3 });
    const tb = new FakeTestbed(sp);
    const c = new AutoscaleController(sp, tb);
    await c.begin();
    levels(tb, POOL, 5); // 5 waiting on the one instance: ceil(1 × 5 / 2) = 3
    expect(await window(c, tb)).toBe(3);
    expect(tb.calls).toEqual(['setCount 3', 'drivers 3']);
  });

  it('a new instance is measured from when it is ready: its counters then start its first window', async () => {
    const sp = spec({ cooldownS: 0 });
    const tb = new FakeTestbed(sp);
    const c = new AutoscaleController(sp, tb);
    await c.begin();
    tb.busy.set('e@0', POOL); // saturated: → 2
    expect(await window(c, tb)).toBe(2);
    // The new engine was idle until now, and from now on both are at 0.3 × POOL: the window reads 0.3.
    levels(tb, 0.3 * POOL);
    tb.advance(10);
    expect(await c.measure()).toBeCloseTo(0.3, 12);
  });
});
