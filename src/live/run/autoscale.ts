import type { EngineSnapshot } from '../app/engine.js';
import { autoscaleDecision, poolWindowMetric } from '../../model/autoscale-decision.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import type { PlanAutoscaler } from '../plan/types.js';
import { DRAIN_GRACE_S, type EventSchedule } from './events.js';
import { askHost } from './host-http.js';
import { drainLimitMs, setInstanceCount } from './instance-count.js';
import { nowS, sleep, type RunState } from './state.js';
import type { AppliedEvent } from './types.js';

// The scenario's autoscalers in live mode: target tracking as the simulator does it, on what the
// engines measure. Every window the controller reads the counters of the engines serving (GET /stats:
// cumulative busy and waiting thread-seconds of the tracked pool), takes the window's utilization or
// queue as the simulator's Autoscaler does (model/autoscale-decision.ts, the same functions), and
// decides with the simulator's function. A scale out starts the dormant processes (each until ready),
// then tells the drivers the new count (they probe the new instances and send once they answer); a
// scale in tells the drivers first (they stop sending to the removed instances), then drains them.

/** A pool's cumulative counters as an engine reports them (its own wall clock). */
export interface PoolReading {
  t: number;
  busyIntegral: number;
  queueIntegral: number;
  size: number;
}

/** A scaling action as done. */
export interface AutoscaleAction {
  /** The end of the window it was decided at, seconds on the controller's clock. */
  decidedS: number;
  /** When the controller took it (its timer fires a little after the window's end). */
  startedS: number;
  /** When it was in place: the new processes ready and the drivers told, or the removed ones gone. */
  appliedS: number;
  instances: number;
  started: string[];
  how: string;
}

/** What the controller does to the world: the live run's, or a test's fake. */
export interface AutoscaleIO {
  /** Seconds on the controller's clock. */
  now(): number;
  /** The tracked pool's counters of a process's engine now. */
  stats(process: string): Promise<PoolReading>;
  /** The service's instance count set to n (setInstanceCount): new processes ready, removed ones gone. */
  setCount(n: number): Promise<{ started: string[]; how: string[] }>;
  /** The drivers given the new count; resolves once each has applied it. */
  tellDrivers(n: number): Promise<void>;
  record(a: AutoscaleAction): void;
}

/**
 * One autoscaled service's controller. `begin()` at the workload's start takes the first counters of the
 * instances serving; `tick()` at the end of each window measures, decides and starts the action (actions
 * run one after the other; the next decision counts the instances being started, as the simulator's
 * `active`). The serving instances are always the lowest indexes (the simulator's scaleTo keeps them).
 */
export class AutoscaleController {
  readonly #marks = new Map<string, PoolReading>();
  /** Instances serving: the first `#serving` processes (drivers told, counters taken). */
  #serving: number;
  /** Instances serving or starting: the size decided last. */
  #active: number;
  #lastAction = -Infinity;
  #chain: Promise<void> = Promise.resolve();
  #failure: Error | undefined;

  constructor(
    readonly spec: PlanAutoscaler,
    readonly io: AutoscaleIO,
  ) {
    this.#serving = spec.quantity;
    this.#active = spec.quantity;
  }

  get serving(): number {
    return this.#serving;
  }

  get active(): number {
    return this.#active;
  }

  /** The counters of the instances serving at the start: each window is measured from them. */
  async begin(): Promise<void> {
    await Promise.all(
      this.spec.processes
        .slice(0, this.#serving)
        .map(async (p) => this.#marks.set(p, await this.io.stats(p))),
    );
  }

  /** The window's metric over the instances serving (NaN when none served through it). */
  async measure(): Promise<number> {
    const sums = { busy: 0, queue: 0, time: 0, threadTime: 0 };
    const ids = this.spec.processes.slice(0, this.#serving);
    const readings = await Promise.all(ids.map((p) => this.io.stats(p)));
    ids.forEach((p, i) => {
      const r = readings[i]!;
      const m = this.#marks.get(p);
      this.#marks.set(p, r);
      if (!m) return;
      const dt = r.t - m.t;
      sums.busy += r.busyIntegral - m.busyIntegral;
      sums.queue += r.queueIntegral - m.queueIntegral;
      sums.time += dt;
      sums.threadTime += dt * r.size;
    });
    return poolWindowMetric(this.spec.metric, sums);
  }

  /**
   * The end of a window (`at`, on the controller's clock; default now): measure, decide with the
   * simulator's function, start the action. Returns the size decided, or null.
   */
  async tick(at?: number): Promise<number | null> {
    this.check();
    const startedS = this.io.now();
    const now = at ?? startedS;
    const metric = await this.measure();
    const desired = autoscaleDecision(this.spec, {
      now,
      metric,
      serving: this.#serving,
      active: this.#active,
      lastAction: this.#lastAction,
    });
    if (desired === null) return null;
    this.#lastAction = now;
    this.#active = desired;
    this.#chain = this.#chain.then(() =>
      this.#act(desired, now, startedS).catch((e: Error) => {
        this.#failure ??= e;
      }),
    );
    return desired;
  }

  /** Throws the failure of an action, if one failed. */
  check(): void {
    if (this.#failure) throw this.#failure;
  }

  /** Waits for the actions under way (rethrows their failure). */
  async settle(): Promise<void> {
    await this.#chain;
    this.check();
  }

  async #act(n: number, decidedS: number, startedS: number): Promise<void> {
    const from = this.#serving;
    if (n === from) return;
    let change: { started: string[]; how: string[] };
    if (n > from) {
      change = await this.io.setCount(n);
      // Counted from when it is ready: its counters now are the start of its first window.
      for (const p of this.spec.processes.slice(from, n)) this.#marks.set(p, await this.io.stats(p));
      await this.io.tellDrivers(n);
      this.#serving = n;
    } else {
      // Out of the measure at once (the simulator takes them out of the instances up), then drained.
      this.#serving = n;
      for (const p of this.spec.processes.slice(n, from)) this.#marks.delete(p);
      await this.io.tellDrivers(n);
      change = await this.io.setCount(n);
    }
    this.io.record({
      decidedS,
      startedS,
      appliedS: this.io.now(),
      instances: n,
      started: change.started,
      how: change.how.join('; ') || 'nothing to change',
    });
  }
}

/**
 * Starts the plan's autoscalers for repetition `rep` (1-based) whose workload starts at `startAtMs`:
 * counters taken at the start, a decision at the end of each window until the workload's planned end
 * (checked, finished and stopped as the repetition's events are).
 */
export function scheduleAutoscalers(s: RunState, rep: number, startAtMs: number): EventSchedule {
  let cancelled = false;
  const controllers = s.plan.autoscalers.map((a) => new AutoscaleController(a, liveIO(s, a, rep)));
  let failure: Error | undefined;
  const endMs = startAtMs + s.plan.durationS * 1000;
  const loops = controllers.map(async (c) => {
    const waitUntil = async (due: number) => {
      for (let left = due - Date.now(); left > 0 && !cancelled; left = due - Date.now())
        await s.guard(sleep(Math.min(100, left)));
    };
    await waitUntil(startAtMs);
    if (cancelled) return;
    await c.begin();
    for (let k = 1; ; k++) {
      const due = startAtMs + k * c.spec.windowS * 1000;
      if (due >= endMs) break;
      await waitUntil(due);
      if (cancelled) break;
      // Decided at the window's end on the run's clock, whatever the timer's lateness.
      const n = await c.tick(due / 1000 - s.t0);
      if (n !== null)
        s.log(
          `autoscale ${c.spec.service}: ${n} instances (decided at +${((due - startAtMs) / 1000).toFixed(1)} s)`,
        );
    }
    await c.settle();
  });
  const all = Promise.all(
    loops.map((l) =>
      l.catch((e: Error) => {
        failure ??= e;
      }),
    ),
  ).then(() => {});
  return {
    check() {
      if (failure) throw failure;
      for (const c of controllers) c.check();
    },
    async finish() {
      await all;
      if (failure) throw failure;
    },
    async stop() {
      cancelled = true;
      await all;
      await Promise.all(controllers.map((c) => c.settle().catch(() => {})));
    },
  };
}

/** The live run's side of a controller: the engines' /stats, setInstanceCount, the drivers' POST /scale, run.json. */
function liveIO(s: RunState, a: PlanAutoscaler, rep: number): AutoscaleIO {
  let seq = 0;
  return {
    now: () => nowS() - s.t0,
    async stats(id) {
      const r = s.running.find((x) => x.proc.id === id);
      if (!r?.proc.port)
        throw new LiveError(LiveErrorCode.SERVICE, `autoscale ${a.service}: ${id} is not running`);
      const { status, body } = await askHost(s, {
        host: r.host,
        port: r.proc.port,
        method: 'GET',
        path: '/stats',
      });
      const snap = status === 200 ? (JSON.parse(body) as EngineSnapshot) : undefined;
      const pool = snap?.pools[a.pool];
      if (!snap || !pool)
        throw new LiveError(
          LiveErrorCode.SERVICE,
          `autoscale ${a.service}: GET /stats of ${id} answered ${status}${pool ? '' : ` without pool ${a.pool}`}`,
          { service: a.service },
        );
      return {
        t: snap.t,
        busyIntegral: pool.busyIntegral,
        queueIntegral: pool.queueIntegral,
        size: pool.size,
      };
    },
    async setCount(n) {
      const c = await setInstanceCount(s, a.service, n, {
        graceS: DRAIN_GRACE_S,
        limitMs: drainLimitMs(s, a.service),
      });
      return { started: c.started, how: c.how };
    },
    async tellDrivers(n) {
      await Promise.all(
        a.drivers.map(async (id) => {
          const r = s.running.find((x) => x.proc.id === id);
          // A driver already done (the workload's end) needs no count.
          if (!r) return;
          const { status, body } = await askHost(s, {
            host: r.host,
            port: a.driverPort,
            method: 'POST',
            path: '/scale',
            body: JSON.stringify({ instances: n }),
          });
          if (status !== 200)
            throw new LiveError(
              LiveErrorCode.SERVICE,
              `autoscale ${a.service}: POST /scale {instances: ${n}} to ${id} answered ${status} ${body.slice(0, 200)}`,
              { service: a.service, host: r.proc.host },
            );
        }),
      );
    },
    record(x) {
      const rec: AppliedEvent = {
        // After the plan's events: an autoscaler's actions are not in the scenario's list.
        index: s.plan.events.length + seq++,
        action: 'autoscale',
        label: `autoscale ${a.service} to ${x.instances}`,
        repetition: rep,
        scheduledS: x.decidedS,
        startedS: x.startedS,
        appliedS: x.appliedS,
        lateS: x.appliedS - x.decidedS,
        how: x.how,
        service: a.service,
        instances: x.instances,
        started: x.started,
      };
      s.appliedEvents.push(rec);
      // In the order of the other events: by repetition, then index (the plan's events first).
      s.appliedEvents.sort((p, q) => p.repetition - q.repetition || p.index - q.index);
      s.log(
        `autoscale ${a.service} to ${x.instances}: applied ${(rec.lateS * 1000).toFixed(0)} ms after its decision (${x.how})`,
      );
    },
  };
}
