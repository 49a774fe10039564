import type { Handler } from '../kernel/index.js';
import type { Rng, Sampler } from '../random/index.js';
import type { ResolvedService } from '../scenario/index.js';
import type { Endpoint } from './endpoint.js';
import type { Routes } from './network.js';
import { BALANCE_POLICY_CODES, type BalanceChooser, chooseInstance, STATIC } from './balance-choice.js';
import { Inflight } from './inflight.js';
import type { Request } from './request.js';
import { failRequest, type ServiceHost } from './service-host.js';
import type { SimContext } from './sim-context.js';

/** The state of one instance slot (a machine that may run an incarnation of the service). */
const NONE = 0;
const STARTING = 1;
const UP = 2;
const DRAINING = 3;
const DOWN = 4;

/** Numbers kept of one incarnation: per pool, then for the whole host (see {@link snapshot}). */
const PER_POOL = 5; // busy area, queue area, granted, waited, rejected
const CPU_AREA = 0;
const GPU_AREA = 1;
const ALIVE_S = 2;
const PER_HOST = 3;

/** What happened to the instances, for the timeline's markers. */
export interface InstanceMarker {
  t: number;
  kind:
    | 'stop'
    | 'restart'
    | 'up'
    | 'start'
    | 'drain'
    | 'gone'
    | 'scale'
    | 'pool'
    | 'load'
    | 'autoscale'
    | 'link'
    | 'link-cut'
    | 'link-restore';
  /** The service, or for link events the constraint (`src->dst`). */
  service: string;
  instance?: number;
  value?: number;
}

/** Markers kept per replication at most (a bound on memory; the count beyond is `markersDropped`). */
export const MAX_MARKERS = 10_000;

/** What an instance set needs from the simulation besides SimContext: making incarnations, logging markers. */
export interface InstanceHooks {
  /** A new incarnation of `service` at slot `index` (its own pools, CPU, GPUs; the slot's machine and links). */
  make(index: number): ServiceHost;
  marker(m: InstanceMarker): void;
}

/**
 * The instances of a service whose instances change (stopped, restarted, scaled) or are balanced: which
 * are up, how a request picks one (the balance policy), and what each incarnation used (for utilization,
 * energy and cost over the instances actually up). Each slot is a machine with its own links; stopping
 * and restarting it makes a new incarnation (fresh pools and processors) on the same slot, while the old
 * one's remaining work only drains (its requests have failed, nothing waits on it).
 */
export class InstanceSet {
  readonly slots: (ServiceHost | null)[];
  readonly state: Int8Array;
  /** Incarnations serving, by slot index. */
  readonly up: ServiceHost[] = [];
  /** Every incarnation made, in order. */
  readonly all: ServiceHost[] = [];
  /** (time, serving, provisioned) after each change, flat. */
  readonly history: number[] = [];
  readonly policy: number;
  readonly #starts: number[];
  /** Pool sizes set by events (pool index → size), applied to every new incarnation too. */
  readonly #poolSizes = new Map<number, number>();
  /** Routes by origin uid × slots + slot (see send). */
  readonly #routes: Routes[] = [];
  /** What the policy's choice reads: draws, the round-robin cursor, instances' requests in flight and weights. */
  readonly #chooser: BalanceChooser<ServiceHost>;
  #starting = 0;
  #draining = 0;

  constructor(
    readonly sim: SimContext,
    readonly service: ResolvedService,
    readonly hooks: InstanceHooks,
    rng: Rng,
  ) {
    const n = service.maxInstances ?? service.quantity;
    this.slots = Array.from({ length: n }, () => null);
    this.state = new Int8Array(n);
    this.#starts = Array.from({ length: n }, () => 0);
    this.policy = BALANCE_POLICY_CODES[service.balance?.policy ?? 'static'];
    const weights = Float64Array.from({ length: n }, (_, i) => service.balance?.weights?.[i] ?? 1);
    this.#chooser = {
      rng,
      cursor: { rr: 0 },
      outstanding: (h) => h.inflight!.size,
      weight: (h) => weights[h.index]!,
    };
    for (let i = 0; i < service.quantity; i++) this.#bringUp(i, false);
    this.#record();
  }

  /** Instances serving now. */
  get serving(): number {
    return this.up.length;
  }

  /** Instances paid for now: starting, serving or draining. */
  get provisioned(): number {
    return this.up.length + this.#starting + this.#draining;
  }

  /** Instances serving or starting (what an autoscaler counts as its current size). */
  get active(): number {
    return this.up.length + this.#starting;
  }

  /**
   * The instance a request takes, by the policy, among those up; `hint` is the client's own index (the
   * static policy sends client i to instance i mod quantity). Null when none is up (or, static, when the
   * client's instance is not).
   */
  pick(hint: number): ServiceHost | null {
    const up = this.up;
    if (this.policy === STATIC) {
      if (up.length === 0) return null;
      const h = this.slots[hint % this.service.quantity];
      return h !== null && h !== undefined && this.state[h.index] === UP ? h : null;
    }
    return chooseInstance(this.policy, up, this.#chooser);
  }

  /**
   * Sends a new request from `origin` to the instance the policy picks; when none is up it fails at once
   * (a refused connection: no upload), on the client's own slot.
   */
  send(
    origin: Endpoint,
    hint: number,
    onDone: Handler | null,
    owner: unknown,
    topLevel: boolean,
    patienceS: number | undefined,
    newConnection = false,
  ): Request {
    const host = this.pick(hint);
    if (host !== null) {
      // The links of (origin, slot) are the same for every incarnation of the slot: resolved once, as a
      // static client keeps its routes, instead of two lookups of the network's route map per request.
      const k = origin.uid * this.slots.length + host.index;
      let routes = this.#routes[k];
      if (routes === undefined) routes = this.#routes[k] = this.sim.network.routes(origin, host);
      // The hint goes in with the request: it may have ended (and its object been reused) by the time
      // newRequest returns.
      return this.sim.newRequest(
        origin,
        host,
        onDone,
        owner,
        topLevel,
        patienceS,
        routes,
        undefined,
        newConnection,
        hint,
      );
    }
    const req = this.sim.refusedRequest(
      origin,
      this.#anyIncarnation(hint),
      onDone,
      owner,
      topLevel,
      patienceS,
    );
    req.hint = hint;
    return req;
  }

  #anyIncarnation(hint: number): ServiceHost {
    const own = this.slots[hint % this.slots.length];
    return own ?? this.all[this.all.length - 1]!;
  }

  /** Stops instance `index` now (a failure): its requests fail; it restarts after a draw of `recovery`, if given. */
  stop(index: number, recovery: Sampler | undefined): void {
    const h = this.slots[index];
    const s = this.state[index]!;
    if (h === null || h === undefined || (s !== UP && s !== DRAINING)) return;
    const env = this.sim.env;
    if (s === UP) this.#removeUp(h);
    else this.#draining--;
    this.state[index] = DOWN;
    h.down = true;
    freeze(h, env.now);
    this.hooks.marker({ t: env.now, kind: 'stop', service: this.service.id, instance: index });
    for (const req of h.inflight!.inOrder()) failRequest(req);
    this.#record();
    if (recovery !== undefined) env.post(recovery(), restartSlot, new SlotRef(this, index));
  }

  /** Restarts instance `index` now (a fresh incarnation) if it is not running. */
  restart(index: number): void {
    const s = this.state[index]!;
    if (s === UP || s === STARTING) return;
    if (s === DRAINING) {
      // Back in service before it finished draining: the same incarnation serves again.
      const h = this.slots[index]!;
      h.draining = false;
      this.#draining--;
      this.state[index] = UP;
      this.#insertUp(h);
    } else this.#bringUp(index, true);
    this.hooks.marker({ t: this.sim.env.now, kind: 'restart', service: this.service.id, instance: index });
    this.#record();
  }

  /**
   * Scales to `n` instances serving or starting: new ones on the lowest free slots (serving after a draw of
   * `startup`, at once without it), extra ones from the highest slots (starting ones cancelled first, then
   * serving ones drained: they take no new request and leave when their requests are done).
   */
  scaleTo(n: number, startup: Sampler | undefined): void {
    const env = this.sim.env;
    let active = this.active;
    for (let i = 0; i < this.slots.length && active < n; i++) {
      const s = this.state[i]!;
      if (s === UP || s === STARTING) continue;
      if (s === DRAINING) {
        this.restart(i);
        active++;
        continue;
      }
      const delay = startup === undefined ? 0 : startup();
      if (delay > 0) {
        this.state[i] = STARTING;
        this.#starting++;
        this.#starts[i] = env.schedule(delay, startSlot, new SlotRef(this, i));
        this.hooks.marker({ t: env.now, kind: 'start', service: this.service.id, instance: i });
      } else this.#bringUp(i, true);
      active++;
    }
    for (let i = this.slots.length - 1; i >= 0 && active > n; i--) {
      if (this.state[i] === STARTING) {
        env.cancel(this.#starts[i]!);
        this.state[i] = NONE;
        this.#starting--;
        active--;
      }
    }
    for (let i = this.slots.length - 1; i >= 0 && active > n; i--) {
      if (this.state[i] !== UP) continue;
      const h = this.slots[i]!;
      this.#removeUp(h);
      this.state[i] = DRAINING;
      this.#draining++;
      h.draining = true;
      this.hooks.marker({ t: env.now, kind: 'drain', service: this.service.id, instance: i });
      active--;
      if (h.inflight!.size === 0) this.drained(h);
    }
    this.#record();
  }

  /** A draining incarnation has no request left: it leaves. */
  drained(h: ServiceHost): void {
    if (this.slots[h.index] !== h || this.state[h.index] !== DRAINING) return;
    this.state[h.index] = NONE;
    this.#draining--;
    freeze(h, this.sim.env.now);
    this.hooks.marker({ t: this.sim.env.now, kind: 'gone', service: this.service.id, instance: h.index });
    this.#record();
  }

  /** A starting instance is ready: it serves from now. */
  started(index: number): void {
    if (this.state[index] !== STARTING) return;
    this.#starting--;
    this.state[index] = NONE;
    this.#bringUp(index, true);
    this.#record();
  }

  /** Sets pool `pool` to `size` threads on every incarnation running now and on those made later. */
  resizePool(pool: number, size: number): void {
    this.#poolSizes.set(pool, size);
    for (let i = 0; i < this.slots.length; i++) {
      const h = this.slots[i];
      const s = this.state[i];
      if (h && (s === UP || s === DRAINING)) resize(h, pool, size);
    }
  }

  /** A new incarnation serves at slot `index` now. */
  #bringUp(index: number, mark: boolean): void {
    const h = this.hooks.make(index);
    h.set = this;
    h.inflight = new Inflight();
    h.statsFrom = this.sim.env.now;
    for (const [pool, size] of this.#poolSizes) resize(h, pool, size);
    this.slots[index] = h;
    this.all.push(h);
    this.state[index] = UP;
    this.#insertUp(h);
    if (mark)
      this.hooks.marker({ t: this.sim.env.now, kind: 'up', service: this.service.id, instance: index });
  }

  #insertUp(h: ServiceHost): void {
    const up = this.up;
    let i = up.length;
    while (i > 0 && up[i - 1]!.index > h.index) i--;
    up.splice(i, 0, h);
  }

  #removeUp(h: ServiceHost): void {
    const i = this.up.indexOf(h);
    if (i >= 0) this.up.splice(i, 1);
  }

  #record(): void {
    const last = this.history.length - 3;
    const t = this.sim.env.now;
    if (last >= 0 && this.history[last] === t) {
      this.history[last + 1] = this.serving;
      this.history[last + 2] = this.provisioned;
    } else this.history.push(t, this.serving, this.provisioned);
  }

  /**
   * What the service's incarnations used between `from` and `now` (those that ended before `from` left
   * out): per pool [busy area, queue area, granted, waited, rejected], then [CPU area (fraction of cores ×
   * s), GPU area (Σ over GPUs of busy fraction × s), alive seconds].
   */
  usage(from: number, now: number): Float64Array {
    const pools = this.service.app ? Object.keys(this.service.app.pools).length : 0;
    const out = new Float64Array(pools * PER_POOL + PER_HOST);
    for (const h of this.all) {
      if (h.stoppedAt < from) continue;
      const s = h.frozen ?? snapshot(h, now);
      for (let i = 0; i < out.length; i++) out[i]! += s[i]!;
    }
    return out;
  }

  /** Time-weighted mean of serving and provisioned instances over [from, to]. */
  meanInstances(from: number, to: number): { serving: number; provisioned: number; max: number } {
    const h = this.history;
    let serving = 0;
    let provisioned = 0;
    let max = 0;
    for (let k = 0; k < h.length; k += 3) {
      const t0 = Math.max(h[k]!, from);
      const t1 = Math.min(k + 3 < h.length ? h[k + 3]! : Infinity, to);
      if (h[k + 3] !== undefined && h[k + 3]! <= from) continue;
      if (h[k]! > to) break;
      max = Math.max(max, h[k + 1]!);
      if (t1 > t0) {
        serving += h[k + 1]! * (t1 - t0);
        provisioned += h[k + 2]! * (t1 - t0);
      }
    }
    const T = to - from;
    return T > 0
      ? { serving: serving / T, provisioned: provisioned / T, max }
      : { serving: NaN, provisioned: NaN, max };
  }
}

/** The layout of {@link InstanceSet.usage}. */
export const USAGE = { PER_POOL, CPU_AREA, GPU_AREA, ALIVE_S, PER_HOST } as const;

/** What an incarnation used since its statistics started (its creation, or the end of the warm-up). */
function snapshot(h: ServiceHost, now: number): Float64Array {
  const n = h.pools.length;
  const out = new Float64Array(n * PER_POOL + PER_HOST);
  const end = Math.min(now, h.stoppedAt);
  const alive = Math.max(0, end - h.statsFrom);
  h.pools.forEach((p, i) => {
    const o = i * PER_POOL;
    out[o] = p.meanBusy(end) * alive;
    out[o + 1] = p.meanQueueLength(end) * alive;
    out[o + 2] = p.granted;
    out[o + 3] = p.waited;
    out[o + 4] = p.rejected;
  });
  const o = n * PER_POOL;
  out[o + CPU_AREA] = h.cpu ? h.cpu.utilization(end) * alive : 0;
  out[o + GPU_AREA] = h.gpus.reduce((a, g) => a + g.utilization(end) * alive, 0);
  out[o + ALIVE_S] = alive;
  return out;
}

/** The incarnation ends now: what it used is kept as it is now. */
function freeze(h: ServiceHost, now: number): void {
  h.stoppedAt = now;
  h.frozen = snapshot(h, now);
}

function resize(h: ServiceHost, pool: number, size: number): void {
  const lanes = h.freeLanes;
  if (lanes !== null) {
    // Spans name thread lanes: new threads get new lane numbers, on a stack large enough for all of them.
    const old = lanes[pool]!;
    const before = h.pools[pool]!.size;
    if (size > old.length) {
      const grown = new Int32Array(size);
      grown.set(old);
      lanes[pool] = grown;
    }
    for (let l = before; l < size; l++) lanes[pool]![h.laneTop![pool]!++] = l;
  }
  h.pools[pool]!.resize(size);
}

class SlotRef {
  constructor(
    readonly set: InstanceSet,
    readonly index: number,
  ) {}
}

function restartSlot(r: SlotRef): void {
  r.set.restart(r.index);
}

function startSlot(r: SlotRef): void {
  r.set.started(r.index);
}
