import { Pool, PsServer, REJECTED } from '../resources/index.js';
import type { ResolvedService } from '../scenario/index.js';
import { unhandledKind } from './kinds.js';
import { CPU, DELAY, EXIT, FORWARD, GPU, NETWORK, nextStage, type CompiledApp } from './compiled-app.js';
import { endpointName, type Endpoint } from './endpoint.js';
import { Network, type Routes } from './network.js';
import { ACTIVE, DONE, FAILED_STATUS, REJECTED_STATUS, type Request, Task } from './request.js';
import type { InstanceSet } from './instances.js';
import type { Inflight } from './inflight.js';
import type { ServiceStats } from './collector.js';
import type { SimContext } from './sim-context.js';
import { settlesAnswer } from './shortcuts.js';
import { slowStartOn } from './tcp.js';
import { forward, pull, pullOnNewConnection } from './remote-stages.js';
import { convoyWaitS, processPools } from './interpreter-lock.js';

/**
 * One host instance of a service with an app: its thread pools, its CPU cores (processor sharing),
 * its GPUs (processor sharing through the concurrency curve) and the stage engine that moves tasks
 * through the app. The engine is written as plain functions over plain objects (no closures, no
 * promises per request): it is the simulator's hot path.
 */
export class ServiceHost implements Endpoint {
  readonly name: string;
  readonly pools: Pool[];
  /** Per worker process, its lock and threads, when requests are bound to processes (interpreter-lock.ts). */
  readonly processPools: (Pool | null)[][] | null;
  /** Free lanes (thread indexes) per pool, as stacks, when spans are kept. */
  readonly freeLanes: Int32Array[] | null;
  readonly laneTop: Int32Array | null;
  readonly cpu: PsServer | null;
  readonly cpuSpeed: number;
  /**
   * CPU time other software on the same cores spends per request (`host.cpu.sharedPerRequestS` ÷ speed;
   * 0: none): a job of its own on the cores when a request begins, in no pool and nobody's path.
   */
  readonly sharedWork: number;
  readonly gpus: PsServer[];
  readonly gpuSpeed: number;
  /** Request statistics of this service (shared by its instances). */
  readonly stats: ServiceStats;
  /**
   * The forward batches being filled: for stage i, at 2i the batch and at 2i + 1 how many tasks it holds so
   * far (its first entries; a reused batch's later ones are null). One array for both, not two: with a
   * thousand gateways it is one cache miss fewer per frame. See forward in remote-stages.ts.
   */
  readonly batches: ((Task | null)[] | number)[];
  forwards = 0;
  /**
   * The links to each target instance of a forward stage and back (by stage, then the target's index), made
   * on the first forward to it: a gateway that spreads its batches over 100 detectors would otherwise look
   * both ways up in the network's route map per batch, whose keys (two hosts' numbers) pass V8's small
   * integers with ~100,000 hosts. The same links route() gives: it is what fills this.
   */
  forwardRoutes: (Routes | undefined)[][] | null = null;
  /**
   * Requests this instance holds (sent to it, not yet answered), for a service whose instances change or
   * are balanced (see instances.ts); null otherwise (nothing tracked on the static path).
   */
  inflight: Inflight | null = null;
  /** The service's instance set when it has one (balanced, scaled, stopped by events). */
  set: InstanceSet | null = null;
  /** Stopped (a failure): requests reaching it fail. */
  down = false;
  /** Scaled in: takes no new request, leaves when its requests are done. */
  draining = false;
  /** When its statistics started (its creation, or the end of the warm-up), and when it ended (∞ while it runs). */
  statsFrom = 0;
  stoppedAt = Infinity;
  /** What it used, kept when it ended (see instances.ts). */
  frozen: Float64Array | null = null;

  constructor(
    readonly sim: SimContext,
    readonly uid: number,
    readonly service: ResolvedService,
    readonly index: number,
    readonly app: CompiledApp,
  ) {
    this.name = endpointName(service, index);
    const env = sim.env;
    this.pools = app.poolNames.map(
      (p, i) =>
        new Pool(env, { size: app.poolSizes[i]!, queueLimit: app.poolLimits[i]!, name: `${this.name}/${p}` }),
    );
    this.processPools = processPools(env, app, this.name);
    if (sim.tracing) {
      this.freeLanes = app.poolSizes.map((n) => Int32Array.from({ length: n }, (_, i) => n - 1 - i));
      this.laneTop = Int32Array.from(app.poolSizes);
    } else {
      this.freeLanes = null;
      this.laneTop = null;
    }
    const host = service.host;
    const ps = { direct: sim.shortcuts.psDirect, keepCompletion: sim.shortcuts.psKeepCompletion };
    this.cpu = app.usesCpu
      ? new PsServer(env, { cores: host.cpu.cores, name: `${this.name}/cpu`, ...ps })
      : null;
    this.cpuSpeed = host.cpu.speed;
    this.sharedWork = this.cpu ? (host.cpu.sharedPerRequestS ?? 0) / host.cpu.speed : 0;
    const gpuStage = app.stages.find((s) => s.resource === GPU);
    const rate = gpuStage?.gpuRate ?? null;
    this.gpus =
      app.usesGpu && host.gpu && rate
        ? Array.from(
            { length: host.gpu.count },
            (_, g) => new PsServer(env, { rate, name: `${this.name}/gpu${g}`, ...ps }),
          )
        : [];
    this.gpuSpeed = host.gpu?.speed ?? 1;
    this.batches = app.stages.flatMap(() => [[], 0]);
    this.stats = sim.collector.statsOf(service.id);
  }
}

/** The co-located work of a request (`sharedWork`) ended: nothing waits for it. */
function sharedDone(): void {}

/** A request reached its host (after the upload): run its first stage. */
export function beginRequest(req: Request): void {
  if (req.host.down) return failRequest(req);
  if (req.host.sharedWork > 0) req.host.cpu!.serve(req.host.sharedWork, sharedDone);
  const draw = req.host.app.processDraw;
  if (draw !== null) req.process = Math.floor(draw() * req.host.app.processes);
  enterStage(req, 0);
}

/** The pool of the request's own worker process for the app's pool `pool`, if it is bound to one. */
function processPool(host: ServiceHost, req: Request, pool: number): Pool | null {
  return host.processPools === null || req.process < 0 ? null : host.processPools[req.process]![pool]!;
}

/** The pool a request waits in for the app's pool `pool`: its process's, or the instance's. */
function queueOf(host: ServiceHost, req: Request, pool: number): Pool {
  return processPool(host, req, pool) ?? host.pools[pool]!;
}

/**
 * The request's instance is gone (stopped, or none was up): it fails now. Threads it holds and its place
 * in a queue are given back (the stopped instance's resources only drain), and the failure (a reset
 * connection: no bytes) reaches the client after the path's delay, which may retry (Simulation).
 */
export function failRequest(req: Request): void {
  if (req.status !== ACTIVE) return;
  const host = req.host;
  if (req.ticket !== 0) {
    queueOf(host, req, host.app.stages[req.stage]!.pool).cancelWait(req.ticket);
    req.ticket = 0;
  }
  req.status = FAILED_STATUS;
  releaseHeld(req);
  if (host.inflight !== null) settle(host, req);
  const env = host.sim.env;
  if (req.answerS > 0) env.post(req.answerS, failureArrived, req);
  else failureArrived(req);
}

function failureArrived(req: Request): void {
  req.host.sim.requestFailed(req);
}

/** The instance is done with the request (answered, refused, withdrawn or failed). */
function settle(host: ServiceHost, req: Request): void {
  host.inflight!.delete(req);
  if (host.draining && host.inflight!.size === 0) host.set!.drained(host);
}

function enterStage(req: Request, index: number): void {
  if (index === EXIT) return finishRequest(req);
  const st = req.host.app.stages[index]!;
  if (!st.perItem) {
    req.stage = index;
    return startTask(req);
  }
  // Fork: one task per item, in parallel; they join at the next request-level stage.
  const items = req.host.app.items;
  const n = Math.max(1, items === null ? 1 : items());
  req.items = n;
  req.pending = n;
  for (let i = 0; i < n; i++) {
    const t = new Task(req, i);
    t.stage = index;
    startTask(t);
  }
}

function startTask(task: Task): void {
  const host = task.req.host;
  const st = host.app.stages[task.stage]!;
  if (st.pool < 0) return runStage(task);
  task.t0 = host.sim.env.now;
  const own = processPool(host, task.req, st.pool);
  const ticket =
    own !== null ? own.acquire(grantedInProcess, task) : host.pools[st.pool]!.acquire(granted, task);
  if (ticket === REJECTED) reject(task);
  else if (ticket > 0 && task.item < 0) task.req.ticket = ticket;
}

/**
 * The user gave up: a request still waiting for a thread of a request-level stage leaves the queue (the
 * server skips a closed connection before dispatching it); work already under way runs to its end.
 * @returns true if the request was withdrawn from a queue
 */
export function withdraw(req: Request): boolean {
  if (req.ticket === 0 || req.status !== ACTIVE) return false;
  const st = req.host.app.stages[req.stage]!;
  if (!queueOf(req.host, req, st.pool).cancelWait(req.ticket)) return false;
  req.ticket = 0;
  req.status = REJECTED_STATUS;
  releaseHeld(req);
  if (req.host.inflight !== null) settle(req.host, req);
  return true;
}

/** The request's process granted its slot: the instance's pool grants one at once (interpreter-lock.ts). */
function grantedInProcess(task: Task): void {
  task.req.host.pools[task.req.host.app.stages[task.stage]!.pool]!.acquire(granted, task);
}

function granted(task: Task): void {
  task.req.ticket = 0;
  const host = task.req.host;
  const st = host.app.stages[task.stage]!;
  if (host.freeLanes !== null) {
    const p = st.pool;
    task.lane = host.freeLanes[p]![--host.laneTop![p]!]!;
    if (task.req.traced && host.sim.env.now > task.t0) {
      host.sim.collector.span(
        task.req,
        'wait',
        st.name,
        host,
        task.t0,
        host.sim.env.now,
        st.poolName,
        undefined,
        task.item,
      );
    }
  }
  runStage(task);
}

function releaseLane(host: ServiceHost, req: Request, pool: number, lane: number): void {
  if (host.freeLanes !== null) host.freeLanes[pool]![host.laneTop![pool]!++] = lane;
  host.pools[pool]!.release();
  // After the instance's slot: the process's next waiter, granted now, takes one of those at once.
  processPool(host, req, pool)?.release();
}

function runStage(task: Task): void {
  const host = task.req.host;
  const st = host.app.stages[task.stage]!;
  const env = host.sim.env;
  task.t0 = env.now;
  if (st.lockTakeBacksS > 0) {
    // Beside threads of its process that run Python, the thread first waits for its interpreter lock.
    const app = host.app;
    const own = processPool(host, task.req, app.lockPool);
    const locks = host.pools[app.lockPool]!;
    const wait =
      own !== null
        ? own.busy > 0
          ? st.lockTakeBacksS
          : 0
        : convoyWaitS(st.lockTakeBacksS, locks.busy, locks.size, app.threadsPerProcess);
    if (wait > 0) {
      env.post(wait, runStageWork, task);
      return;
    }
  }
  runStageWork(task);
}

/** The stage's work, once its thread may run: the resource it uses. */
function runStageWork(task: Task): void {
  const host = task.req.host;
  const st = host.app.stages[task.stage]!;
  const env = host.sim.env;
  switch (st.resource) {
    case CPU:
      host.cpu!.serve(st.demand() / host.cpuSpeed, stageDone, task);
      return;
    case GPU: {
      const gpus = host.gpus;
      let g = gpus[0]!;
      for (let i = 1; i < gpus.length; i++) if (gpus[i]!.active < g.active) g = gpus[i]!;
      g.serve(st.demand() / host.gpuSpeed, stageDone, task);
      return;
    }
    case DELAY:
      env.post(st.demand(), stageDone, task);
      return;
    case NETWORK: {
      // The thread asks the client for the bytes (one-way delay), then the bytes cross the link. With the
      // transfer-lead shortcut the ask's delay is paid as latency of the transfer (Link.transfer's leadS):
      // one event, not two.
      const req = task.req;
      const up = req.up;
      if (st.newConnection) return pullOnNewConnection(task, up, Network.delay(req.down), st.size());
      const ask = Network.delay(req.down);
      if (up !== null && host.sim.shortcuts.transferLead) up.transfer(st.size(), stageDone, task, ask);
      else pull(task, up, ask, st.size);
      return;
    }
    case FORWARD:
      return forward(task);
    default:
      return unhandledKind(st.resource);
  }
}

/** A stage's work is done (its resource served it, its bytes arrived, its forward was answered). */
export function stageDone(task: Task): void {
  const req = task.req;
  const host = req.host;
  const stages = host.app.stages;
  const st = stages[task.stage]!;
  if (req.traced) {
    host.sim.collector.span(
      req,
      st.resource === NETWORK ? 'network' : 'stage',
      st.name,
      host,
      task.t0,
      host.sim.env.now,
      st.poolName,
      task.lane >= 0 ? task.lane : undefined,
      task.item,
    );
  }
  if (st.pool >= 0) {
    if (st.holdRequest && req.status === ACTIVE) (req.held ??= []).push(st.pool, task.lane);
    else releaseLane(host, req, st.pool, task.lane);
    task.lane = -1;
  }
  const next = nextStage(st);
  if (task.item >= 0) {
    if (next !== EXIT && stages[next]!.perItem) {
      task.stage = next;
      return startTask(task);
    }
    if (--req.pending > 0 || req.status !== ACTIVE) return;
  } else if (req.status !== ACTIVE) {
    return;
  }
  enterStage(req, next);
}

function releaseHeld(req: Request): void {
  const held = req.held;
  if (held === null) return;
  req.held = null;
  for (let i = held.length - 2; i >= 0; i -= 2) releaseLane(req.host, req, held[i]!, held[i + 1]!);
}

function reject(task: Task): void {
  const req = task.req;
  if (req.status !== ACTIVE) return;
  req.status = REJECTED_STATUS;
  releaseHeld(req);
  const host = req.host;
  if (host.inflight !== null) settle(host, req);
  host.sim.collector.rejected(req);
  req.t0 = host.sim.env.now;
  answer(req, 0);
}

function finishRequest(req: Request): void {
  releaseHeld(req);
  const host = req.host;
  if (host.inflight !== null) settle(host, req);
  req.t0 = host.sim.env.now;
  answer(req, host.app.responseBytes());
}

/** Sends the answer (or refusal) of `bytes` back to the origin. */
function answer(req: Request, bytes: number): void {
  // An answer that starts on a cut link (a timed event) is lost: the request fails at its client, which
  // learns it after the path's delay (the instance is already done with it). A refusal stays a refusal.
  if (req.status === ACTIVE && req.host.sim.network.cuts && req.host.sim.network.isCut(req.down)) {
    req.status = FAILED_STATUS;
    const env = req.host.sim.env;
    if (req.answerS > 0) env.post(req.answerS, failureArrived, req);
    else failureArrived(req);
    return;
  }
  if (bytes > 0) {
    // An answer on a connection opened for it starts in slow start (run.tcpSlowStart: new-connections);
    // with `true` every transfer already pays it on the link itself.
    if (req.coldStart && req.down !== null && req.host.sim.scenario.run.tcpSlowStart === 'new-connections')
      return req.down.transfer(bytes, responseArrived, req, slowStartOn(req.down, bytes));
    return Network.send(req.down, bytes, responseArrived, req);
  }
  // Nothing to put on the wire: only the link's latency is left, and the arrival time is known now.
  const sim = req.host.sim;
  const env = sim.env;
  const delay = req.answerS;
  const at = env.now + delay;
  // Nobody waits on this answer: end the request now with its arrival time rather than with an event
  // then — one event fewer per request of an open workload (shortcuts.ts, settle-answers).
  if (settlesAnswer(sim.shortcuts, req, env.now, at, sim)) {
    if (req.status === ACTIVE) req.status = DONE;
    sim.collector.ended(req, at);
    sim.requestEnded(req);
    return;
  }
  if (delay > 0) env.post(delay, responseArrived, req);
  else responseArrived(req);
}

function responseArrived(req: Request): void {
  const sim = req.host.sim;
  if (req.traced) sim.collector.span(req, 'network', 'response', req.host, req.t0, sim.env.now);
  if (req.status === ACTIVE) req.status = DONE;
  if (req.timedOut) {
    // Its client gave this attempt up (retry.timeoutS): the answer is wasted. Its object is not reused: a
    // retry or the patience timer may still hold it.
    sim.collector.answerWasted(req);
    return;
  }
  if (req.attemptTimer !== 0) {
    sim.env.cancel(req.attemptTimer);
    req.attemptTimer = 0;
  }
  if (req.timer !== 0) {
    sim.env.cancel(req.timer);
    req.timer = 0;
  }
  sim.collector.ended(req);
  if (!req.abandoned && req.onDone !== null) req.onDone(req);
  sim.requestEnded(req);
}

export { DONE };
