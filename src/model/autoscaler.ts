import { LogHistogram } from '../metrics/index.js';
import type { Sampler } from '../random/index.js';
import type { Autoscale } from '../scenario/index.js';
import { autoscaleDecision, poolWindowMetric } from './autoscale-decision.js';
import type { InstanceSet } from './instances.js';
import type { ServiceHost } from './service-host.js';
import type { Simulation } from './simulation.js';

/** Where an incarnation's level areas stood at the end of the last window. */
interface Mark {
  /** Its statsFrom then (a reset at the end of the warm-up restarts its areas from 0). */
  from: number;
  t: number;
  busy: number;
  queue: number;
}

/**
 * Target tracking (as cloud autoscalers do it): at the end of each window, the metric measured over it
 * (utilization or queue of a pool per instance up, or the service's p95 response time) gives the size
 * ceil(instances up × metric / target), bounded by [min, max]; the set is scaled to it unless an action
 * was taken within the cool-down (for a scale-in, within the scale-in cool-down, usually longer). New instances serve after a draw of the start-up law (cold start) and
 * cost from their launch.
 */
export class Autoscaler {
  readonly #pool: number;
  readonly #marks = new Map<ServiceHost, Mark>();
  readonly #startup: Sampler;
  readonly #window: LogHistogram | null;
  #lastAction = -Infinity;

  constructor(
    readonly sim: Simulation,
    readonly set: InstanceSet,
    readonly spec: Autoscale,
  ) {
    const pools = Object.keys(set.service.app!.pools);
    this.#pool = spec.pool !== undefined ? pools.indexOf(spec.pool) : 0;
    this.#startup = sim.streams.law(spec.startupS, `startup:${set.service.id}`);
    this.#window = spec.metric === 'p95' ? new LogHistogram() : null;
    if (this.#window !== null) sim.collector.statsOf(set.service.id).window = this.#window;
  }

  start(): void {
    this.sim.env.post(this.spec.windowS, tick, this);
  }

  /** The metric over the window that ends now (NaN when nothing was up, or no response for p95). */
  measure(): number {
    const now = this.sim.env.now;
    if (this.#window !== null) {
      const h = this.#window;
      const v = h.count > 0 ? h.quantile(0.95) : NaN;
      h.reset();
      return v;
    }
    let busy = 0;
    let queue = 0;
    let time = 0;
    let threadTime = 0;
    for (const h of this.set.up) {
      const pool = h.pools[this.#pool]!;
      const alive = now - h.statsFrom;
      const b = pool.meanBusy(now) * alive;
      const q = pool.meanQueueLength(now) * alive;
      let m = this.#marks.get(h);
      if (m === undefined || m.from !== h.statsFrom)
        m = { from: h.statsFrom, t: h.statsFrom, busy: 0, queue: 0 };
      busy += b - m.busy;
      queue += q - m.queue;
      time += now - m.t;
      threadTime += (now - m.t) * pool.size;
      this.#marks.set(h, { from: h.statsFrom, t: now, busy: b, queue: q });
    }
    for (const h of this.#marks.keys()) if (h.set !== null && !this.set.up.includes(h)) this.#marks.delete(h);
    return poolWindowMetric(this.spec.metric === 'queue' ? 'queue' : 'utilization', {
      busy,
      queue,
      time,
      threadTime,
    });
  }

  /** The end of a window: measure, decide, act (outside the cool-down). */
  tick(): void {
    const { sim, set, spec } = this;
    const now = sim.env.now;
    const desired = autoscaleDecision(spec, {
      now,
      metric: this.measure(),
      serving: set.serving,
      active: set.active,
      lastAction: this.#lastAction,
    });
    if (desired !== null) {
      this.#lastAction = now;
      sim.marker({ t: now, kind: 'autoscale', service: set.service.id, value: desired });
      set.scaleTo(desired, this.#startup);
    }
    sim.env.post(spec.windowS, tick, this);
  }
}

function tick(a: Autoscaler): void {
  a.tick();
}
