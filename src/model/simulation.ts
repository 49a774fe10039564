import { Env, type Handler } from '../kernel/index.js';
import { type Link, rememberStallOdds } from '../resources/index.js';
import type { ResolvedScenario } from '../scenario/index.js';
import type { Budget } from './budget.js';
import { Collector } from './collector.js';
import { compileApp } from './compiled-app.js';
import { Device, type Endpoint } from './endpoint.js';
import { Streams } from './laws.js';
import { Network, type Routes } from './network.js';
import type { Request, Task } from './request.js';
import { RequestPool } from './request-pool.js';
import { failRequest, ServiceHost } from './service-host.js';
import {
  type AttemptContext,
  armAttempt,
  patienceOver,
  requestFailed,
  sendRequest,
  uploaded,
} from './attempts.js';
import { InstanceSet, MAX_MARKERS, type InstanceMarker } from './instances.js';
import { startDynamics } from './timed-events.js';
import { planShortcuts, type ShortcutName, type ShortcutPlan } from './shortcuts.js';
import { startWorkload } from './workloads.js';

/** Options of one replication. */
export interface ReplicationOptions {
  seed: number;
  replication: number;
  /** Requests whose spans are kept (0 for none). */
  spanSample: number;
  /** Arrival times of trace workloads, by service id (read by the scenario layer). */
  traces?: ReadonlyMap<string, Float64Array>;
  /** Called now and then with the fraction of the run done (0..1). */
  onProgress?: (fraction: number) => void;
  /** Events and memory the run may use (looked at every CHECK_EVERY events and while building hosts). */
  budget?: Budget;
  /** Shortcuts turned off one by one (to compare a shortcut's path with the plain one; see shortcuts.ts). */
  shortcutsOff?: readonly ShortcutName[];
}

/**
 * One replication of a scenario: builds the hosts, network and workloads on a fresh kernel, runs it,
 * and exposes everything the metrics need. Nothing here knows about files or wall-clock time.
 */
export class Simulation implements AttemptContext {
  readonly env: Env;
  readonly streams: Streams;
  readonly network: Network;
  readonly collector: Collector;
  readonly tracing: boolean;
  readonly shortcuts: ShortcutPlan;
  readonly spareBatches: (Task | null)[][][] = [];
  /** Host instances of services with an app, by service id. */
  readonly hosts = new Map<string, ServiceHost[]>();
  /** Every host instance (with or without an app), by service id. */
  readonly endpoints = new Map<string, Endpoint[]>();
  /** Instance sets of the services whose instances are balanced or change during the run (instances.ts). */
  readonly instances = new Map<string, InstanceSet>();
  /** What happened to instances, scaling and load, in time order (at most MAX_MARKERS; see markersDropped). */
  readonly markers: InstanceMarker[] = [];
  markersDropped = 0;
  /** Timed events change link delays: a request reads its answer's delay from the link, not a cache. */
  readonly #linksChange: boolean;
  /** Some workload gives each attempt a timeout (retry.timeoutS): its requests get a timer each. */
  readonly #attemptTimeouts: boolean;
  #nextId = 0;
  /** Objects of ended requests, reused (reuse-requests). */
  readonly #pool: RequestPool;
  /** When statistics are read: the ends of the run's chunks (null when the end is not known in advance). */
  #reads: Float64Array | null = null;
  /** The current chunk: reads before it are past. */
  #chunk = 0;

  constructor(
    readonly scenario: ResolvedScenario,
    readonly options: ReplicationOptions,
  ) {
    this.streams = new Streams(options.seed, options.replication);
    this.tracing = options.spanSample > 0;
    this.shortcuts = planShortcuts(scenario, options.shortcutsOff);
    this.env = new Env({ lazyPop: this.shortcuts.lazyPop });
    rememberStallOdds(this.shortcuts.stallOdds);
    this.#pool = new RequestPool(this.shortcuts.reuseRequests);
    this.#linksChange = (scenario.events ?? []).some(
      (e) => e.action === 'link' || e.action === 'link-restore',
    );
    this.#attemptTimeouts = scenario.services.some((s) => s.workload?.retry?.timeoutS !== undefined);
    const hostCount = scenario.services.reduce((n, s) => n + (s.maxInstances ?? s.quantity), 0);
    this.network = new Network(this.env, scenario, this.streams, hostCount, this.shortcuts);
    const { duration, warmup } = scenario.run;
    this.collector = new Collector(
      this.env,
      options.spanSample,
      scenario.run.requests ?? 0,
      duration !== undefined ? duration - warmup : undefined,
    );
    let uid = 0;
    for (const service of scenario.services) {
      const compiled = service.app ? compileApp(service, this.streams) : undefined;
      const list: Endpoint[] = [];
      const hosts: ServiceHost[] = [];
      if (compiled && service.maxInstances !== undefined) {
        // A service whose instances change: slots of its own uids (machines with their own links), each
        // running one incarnation at a time (instances.ts).
        const base = uid;
        uid += service.maxInstances;
        const set = new InstanceSet(
          this,
          service,
          {
            make: (index) => new ServiceHost(this, base + index, service, index, compiled),
            marker: (m) => this.marker(m),
          },
          this.streams.stream(`balance:${service.id}`),
        );
        this.instances.set(service.id, set);
        this.hosts.set(service.id, set.all);
        this.endpoints.set(service.id, set.all);
        continue;
      }
      for (let i = 0; i < service.quantity; i++) {
        if ((uid & 4095) === 4095) this.#checkBudget('setup');
        if (compiled) {
          const h = new ServiceHost(this, uid++, service, i, compiled);
          hosts.push(h);
          list.push(h);
        } else {
          list.push(new Device(uid++, service, i));
        }
      }
      this.endpoints.set(service.id, list);
      if (compiled) this.hosts.set(service.id, hosts);
    }
    const targets = new Set(scenario.services.flatMap((s) => (s.workload ? [s.workload.target] : [])));
    const forwards = scenario.services.some((s) => s.app?.stages.some((st) => st.resource === 'forward'));
    this.collector.perServiceHistograms = targets.size > 1 || forwards;
  }

  hostsOf(serviceId: string): ServiceHost[] {
    return this.hosts.get(serviceId)!;
  }

  instancesOf(serviceId: string): InstanceSet | null {
    return this.instances.get(serviceId) ?? null;
  }

  /** Logs what happened to instances, scaling or load (bounded, for the timeline). */
  marker(m: InstanceMarker): void {
    if (this.markers.length < MAX_MARKERS) this.markers.push(m);
    else this.markersDropped++;
  }

  refusedRequest(
    origin: Endpoint,
    host: ServiceHost,
    onDone: Handler | null,
    owner: unknown,
    topLevel: boolean,
    patienceS: number | undefined,
  ): Request {
    const req = this.#routedRequest(origin, host, onDone, owner, topLevel, this.env.now);
    if (patienceS !== undefined) req.timer = this.env.schedule(patienceS, patienceOver, req);
    failRequest(req);
    return req;
  }

  /** Requests made on the object of an ended one (reuse-requests). */
  get requestsReused(): number {
    return this.#pool.reused;
  }

  requestEnded(req: Request): void {
    this.#pool.ended(req);
  }

  requestFailed(req: Request): void {
    requestFailed(this, req);
  }

  nextAttempt(prev: Request, host: ServiceHost, up: Link | null, down: Link | null): Request {
    return this.#request(
      prev.origin,
      host,
      prev.onDone,
      prev.owner,
      prev.topLevel,
      prev.start,
      up,
      down,
      Network.delay(down),
      prev.attempt + 1,
    );
  }

  newRequest(
    origin: Endpoint,
    host: ServiceHost,
    onDone: Handler | null,
    owner: unknown,
    topLevel: boolean,
    patienceS?: number,
    routes?: Routes,
    bytes?: number,
    newConnection = false,
    hint = 0,
  ): Request {
    const env = this.env;
    const req =
      routes !== undefined
        ? this.#request(
            origin,
            host,
            onDone,
            owner,
            topLevel,
            env.now,
            routes.up,
            routes.down,
            routes.answerS,
          )
        : this.#routedRequest(origin, host, onDone, owner, topLevel, env.now);
    req.hint = hint;
    if (patienceS !== undefined) req.timer = env.schedule(patienceS, patienceOver, req);
    if (newConnection) {
      // A connection opened for this request (workload keepAliveS): the TCP handshake's round trip
      // comes first, and the answer starts in slow start (req.coldStart).
      req.coldStart = true;
      env.post(Network.delay(req.up) + req.answerS, connected, req);
    } else sendRequest(req, bytes ?? host.app.requestBytes());
    return req;
  }

  uploadedRequest(
    origin: Endpoint,
    host: ServiceHost,
    owner: unknown,
    start: number,
    up: Link | null,
    down: Link | null,
    answerS: number,
  ): Request {
    const req = this.#request(origin, host, null, owner, true, start, up, down, answerS);
    uploaded(req);
    return req;
  }

  #request(
    origin: Endpoint,
    host: ServiceHost,
    onDone: Handler | null,
    owner: unknown,
    topLevel: boolean,
    start: number,
    up: Link | null,
    down: Link | null,
    answerS: number,
    attempt = 0,
  ): Request {
    const req = this.#pool.take(this.#nextId++, origin, host, start, onDone, owner, topLevel);
    if (attempt > 0) req.attempt = attempt;
    if (host.inflight !== null) host.inflight.add(req);
    this.collector.sent(req);
    req.t0 = start;
    req.up = up;
    req.down = down;
    req.answerS = this.#linksChange ? Network.delay(down) : answerS;
    if (this.#attemptTimeouts && topLevel) armAttempt(this.env, req);
    return req;
  }

  #routedRequest(
    origin: Endpoint,
    host: ServiceHost,
    onDone: Handler | null,
    owner: unknown,
    topLevel: boolean,
    start: number,
  ): Request {
    const up = this.network.route(origin, host);
    const down = this.network.route(host, origin);
    return this.#request(origin, host, onDone, owner, topLevel, start, up, down, Network.delay(down));
  }

  nextRead(from: number): number {
    const reads = this.#reads;
    if (reads === null) return -Infinity;
    // The end of the warm-up resets the statistics: it counts as a read.
    const warmup = this.scenario.run.warmup;
    let i = this.#chunk;
    while (i < reads.length && reads[i]! < from) i++;
    const read = i < reads.length ? reads[i]! : Infinity;
    return !this.collector.measuring && from <= warmup && warmup < read ? warmup : read;
  }

  /** Runs the replication to its end (duration, or the number of requests after warm-up). */
  run(): void {
    const { env, scenario, collector } = this;
    const { duration, warmup } = scenario.run;
    const horizon = duration ?? Infinity;
    for (const service of scenario.services) {
      if (service.workload) {
        startWorkload({
          sim: this,
          service,
          origins: this.endpoints.get(service.id)!,
          streams: this.streams,
          horizon,
          trace: this.options.traces?.get(service.id),
        });
      }
    }
    startDynamics(this);
    if (warmup > 0) env.scheduleAt(warmup, startMeasuring, this);
    else startMeasuring(this);
    const progress = this.options.onProgress;
    if (duration !== undefined) {
      // Always the same chunks (a hundredth of the run each), whether progress is reported or not: their
      // ends are where statistics may be read, so they bound what may be settled early (nextRead), and
      // the result must not depend on being watched. Chunking alone does not change the order of events.
      // With a number of requests as well, the run may stop at any time: nothing is settled early then.
      const target = scenario.run.requests;
      const step = duration / 100;
      if (target === undefined) {
        const reads: number[] = [];
        for (let t = 0; t < horizon; ) reads.push((t = Math.min(t + step, horizon)));
        this.#reads = Float64Array.from(reads);
      }
      while (env.now < horizon) {
        const until = env.pending === 0 ? horizon : Math.min(env.now + step, horizon);
        this.#advance(until);
        this.#chunk++;
        progress?.(Math.min(1, Math.max(0, env.now / duration)));
        if (target !== undefined && collector.measuring && collector.completed >= target) return;
      }
      return;
    }
    if (!progress) {
      this.#advance(Infinity);
      return;
    }
    // Run in chunks to report progress, growing while they hold few events.
    const target = scenario.run.requests!;
    let step = 1;
    while (true) {
      const before = env.eventsProcessed;
      this.#advance(env.now + step);
      const done = (collector.measuring && collector.completed >= target) || env.pending === 0;
      progress(Math.min(1, Math.max(0, collector.measuring ? collector.completed / target : 0)));
      if (done) return;
      if (env.eventsProcessed - before < 200_000) step *= 2;
    }
  }

  /** Runs the kernel up to `until`, in slices between which the budget is looked at (if there is one). */
  #advance(until: number): void {
    const budget = this.options.budget;
    if (budget === undefined || !budget.bounded) {
      this.env.run({ until });
      return;
    }
    while (!this.env.run({ until, maxEvents: budget.nextSlice(this.env) })) this.#checkBudget('run');
  }

  #checkBudget(phase: 'setup' | 'run'): void {
    const { run } = this.scenario;
    this.options.budget?.check({
      env: this.env,
      phase,
      replication: this.options.replication,
      simulatedTime: this.env.now,
      ...(run.duration !== undefined ? { duration: run.duration } : {}),
      completed: this.collector.completed,
    });
  }

  /** Resources whose statistics restart after the warm-up. */
  *resources(): Iterable<{ resetStats(): void }> {
    for (const hosts of this.hosts.values()) {
      for (const h of hosts) {
        yield* h.pools;
        if (h.cpu) yield h.cpu;
        yield* h.gpus;
      }
    }
    yield* this.network.links;
  }
}

function startMeasuring(sim: Simulation): void {
  sim.collector.startMeasuring();
  for (const r of sim.resources()) r.resetStats();
  const now = sim.env.now;
  for (const set of sim.instances.values()) for (const h of set.all) if (h.stoppedAt > now) h.statsFrom = now;
}

/** The handshake of a new connection is over: the request goes out on it. */
function connected(req: Request): void {
  if (req.traced)
    req.host.sim.collector.span(req, 'network', 'connect', req.origin, req.start, req.host.sim.env.now);
  req.t0 = req.host.sim.env.now;
  sendRequest(req, req.host.app.requestBytes());
}
