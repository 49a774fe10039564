import { Env, type Handler } from '../kernel/index.js';
import type { Link } from '../resources/index.js';
import type { ResolvedScenario } from '../scenario/index.js';
import type { Budget } from './budget.js';
import { Collector } from './collector.js';
import { compileApp } from './compiled-app.js';
import { Device, type Endpoint } from './endpoint.js';
import { Streams } from './laws.js';
import { Network, type Routes } from './network.js';
import type { Request } from './request.js';
import { RequestPool } from './request-pool.js';
import { beginRequest, failRequest, ServiceHost, withdraw } from './service-host.js';
import { InstanceSet, MAX_MARKERS, type InstanceMarker } from './instances.js';
import { startDynamics } from './timed-events.js';
import type { SimContext } from './sim-context.js';
import { planShortcuts, type ShortcutName, type ShortcutPlan } from './shortcuts.js';
import { startWorkload, userGaveUp } from './workloads.js';

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
export class Simulation implements SimContext {
  readonly env = new Env();
  readonly streams: Streams;
  readonly network: Network;
  readonly collector: Collector;
  readonly tracing: boolean;
  readonly shortcuts: ShortcutPlan;
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
    // An attempt its client gave up: the failure reaches a closed connection (the client retried or gave up then).
    if (req.timedOut) return;
    if (req.attemptTimer !== 0) {
      this.env.cancel(req.attemptTimer);
      req.attemptTimer = 0;
    }
    const retry = req.topLevel && !req.abandoned ? req.origin.service.workload?.retry : undefined;
    // A service without an instance set (one fixed instance) fails only on a cut link: retried on it.
    if (retry !== undefined && req.attempt < retry.attempts) {
      // The patience timer stays with this attempt until the retry is sent: a user who gives up meanwhile
      // is not retried for.
      this.env.post(retry.backoffS * 2 ** req.attempt, retryFire, req);
      return;
    }
    if (req.timer !== 0) {
      this.env.cancel(req.timer);
      req.timer = 0;
    }
    this.collector.failedRequest(req);
    if (!req.abandoned && req.onDone !== null) req.onDone(req);
  }

  /**
   * The client gave up waiting for this attempt (retry.timeoutS) and closed its connection. The server is
   * not told: the attempt leaves a queue it waits in (as a request whose user gave up, see withdraw), work
   * under way runs to its end. With attempts left, the request is sent again after the backoff, as after a
   * failure (the patience timer, if any, stays with this attempt until then), and this attempt's answer is
   * wasted. The last attempt's timeout is the user giving up, exactly as at patienceS (patienceOver):
   * abandoned, and its late answer, if any, counts as the system's response as an abandoned one's does.
   */
  attemptTimedOut(req: Request): void {
    this.collector.attemptTimedOut(req);
    const retry = req.origin.service.workload!.retry!;
    if (req.attempt < retry.attempts) {
      req.timedOut = true;
      withdraw(req);
      this.env.post(retry.backoffS * 2 ** req.attempt, retryFire, req);
      return;
    }
    if (req.timer !== 0) {
      this.env.cancel(req.timer);
      req.timer = 0;
    }
    this.collector.gaveUp(req);
    withdraw(req);
    userGaveUp(req);
  }

  /**
   * Starts the attempt's timeout, if its workload sets one. It runs from the attempt's send (a retry's, not
   * the first attempt's); none when the user's patience (from the first send) ends first or at the same
   * time: the user gives the request up then, nothing is left to retry.
   */
  #armAttempt(req: Request): void {
    const w = req.origin.service.workload;
    const timeoutS = w?.retry?.timeoutS;
    if (timeoutS === undefined) return;
    const now = this.env.now;
    const deadline = (req.attempt > 0 ? now : req.start) + timeoutS;
    if (w!.patienceS !== undefined && req.start + w!.patienceS <= deadline) return;
    req.attemptTimer = this.env.schedule(Math.max(0, deadline - now), attemptOver, req);
  }

  /** Sends a failed request again (same user, same start), on the instance the balance picks now. */
  retry(prev: Request): void {
    if (prev.abandoned) return;
    const env = this.env;
    const set = prev.host.set;
    let patienceS: number | undefined;
    if (prev.timer !== 0) {
      env.cancel(prev.timer);
      prev.timer = 0;
      const p = prev.origin.service.workload?.patienceS;
      if (p !== undefined) patienceS = Math.max(0, prev.start + p - env.now);
    }
    const picked = set === null ? prev.host : set.pick(prev.hint);
    const host = picked ?? prev.host;
    const up = this.network.route(prev.origin, host);
    const down = this.network.route(host, prev.origin);
    const req = this.#request(
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
    req.hint = prev.hint;
    if (patienceS !== undefined) req.timer = env.schedule(patienceS, patienceOver, req);
    if (picked === null) failRequest(req);
    else sendRequest(req, host.app.requestBytes());
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
    if (this.#attemptTimeouts && topLevel) this.#armAttempt(req);
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

function retryFire(req: Request): void {
  (req.host.sim as Simulation).retry(req);
}

function attemptOver(req: Request): void {
  req.attemptTimer = 0;
  (req.host.sim as Simulation).attemptTimedOut(req);
}

/** The handshake of a new connection is over: the request goes out on it. */
function connected(req: Request): void {
  if (req.traced)
    req.host.sim.collector.span(req, 'network', 'connect', req.origin, req.start, req.host.sim.env.now);
  req.t0 = req.host.sim.env.now;
  sendRequest(req, req.host.app.requestBytes());
}

/**
 * Uploads a request; on a cut link (a timed event) it fails at once instead, like a reset connection:
 * the client learns it after the return path's delay and may retry (requestFailed).
 */
function sendRequest(req: Request, bytes: number): void {
  const network = (req.host.sim as Simulation).network;
  if (network.cuts && network.isCut(req.up)) failRequest(req);
  else Network.send(req.up, bytes, uploaded, req);
}

function uploaded(req: Request): void {
  if (req.traced)
    req.host.sim.collector.span(req, 'network', 'upload', req.origin, req.t0, req.host.sim.env.now);
  beginRequest(req);
}

function patienceOver(req: Request): void {
  req.timer = 0;
  const sim = req.host.sim;
  if (req.attemptTimer !== 0) {
    sim.env.cancel(req.attemptTimer);
    req.attemptTimer = 0;
  }
  sim.collector.gaveUp(req);
  withdraw(req);
  userGaveUp(req);
}
