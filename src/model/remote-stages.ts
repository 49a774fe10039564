import type { Link } from '../resources/index.js';
import { Network } from './network.js';
import { FAILED_STATUS, type Request, type Task } from './request.js';
import { letsGo } from './request-pool.js';
import { failRequest, stageDone } from './service-host.js';
import { slowStartOn } from './tcp.js';

// The stages of a service host whose work happens elsewhere: a network stage fetches bytes from the
// client (the ask crosses to it, then the bytes cross back), a forward stage sends a batch of tasks to
// another service and waits for its answer. Part of the stage engine of service-host.ts (plain functions
// over plain objects, its hot path); each ends in its `stageDone`.

/** A network stage without the transfer-lead shortcut: the ask crosses to the client, then the bytes cross `up`. */
export function pull(task: Task, up: Link | null, ask: number, size: () => number): void {
  const env = task.req.host.sim.env;
  if (up === null) {
    if (ask > 0) env.post(ask, stageDone, task);
    else stageDone(task);
  } else if (ask > 0) env.post(ask, askArrived, new Ask(task, up, size()));
  else up.transfer(size(), stageDone, task);
}

/**
 * A network stage whose task opens a connection of its own (stage `newConnection`): the handshake's round
 * trip (SYN to the client, SYN-ACK back), then the ask, then the bytes — in slow start when
 * `run.tcpSlowStart` is new-connections (with `true` the link charges it on every transfer already). The
 * slow start is latency passed to the transfer (tcp.ts), as for answers on new connections; the handshake
 * and the ask are paid as the transfer's lead (transfer-lead shortcut) or as a scheduled delay first.
 */
export function pullOnNewConnection(task: Task, up: Link | null, ask: number, bytes: number): void {
  const sim = task.req.host.sim;
  const wait = ask + Network.delay(up) + ask;
  if (up === null) {
    if (wait > 0) sim.env.post(wait, stageDone, task);
    else stageDone(task);
    return;
  }
  const slow = sim.scenario.run.tcpSlowStart === 'new-connections' ? slowStartOn(up, bytes) : 0;
  if (sim.shortcuts.transferLead) up.transfer(bytes, stageDone, task, wait + slow);
  else if (wait > 0) sim.env.post(wait, askArrived, new Ask(task, up, bytes, slow));
  else up.transfer(bytes, stageDone, task, slow);
}

/** A network stage's ask on its way to the client (the plain path of transfer-lead): then the bytes go. */
class Ask {
  constructor(
    readonly task: Task,
    readonly up: Link,
    readonly bytes: number,
    /** Latency the bytes pay beyond the link's (slow start on a new connection). */
    readonly leadS = 0,
  ) {}
}

function askArrived(a: Ask): void {
  a.up.transfer(a.bytes, stageDone, a.task, a.leadS);
}

export function forward(task: Task): void {
  const host = task.req.host;
  const stage = task.stage;
  const st = host.app.stages[stage]!;
  const batches = host.batches;
  const batch = batches[2 * stage] as (Task | null)[];
  const n = batches[2 * stage + 1] as number;
  // Written in place, not pushed: a reused batch (forwardDone) keeps its length, and is sent full.
  batch[n] = task;
  if (n + 1 < st.batch) {
    batches[2 * stage + 1] = n + 1;
    return;
  }
  batches[2 * stage + 1] = 0;
  batches[2 * stage] = host.sim.spareBatches[st.batch]?.pop() ?? [];
  const set = host.sim.instancesOf(st.target!);
  if (set !== null) {
    set.send(host, host.index + host.forwards++, forwardDone, batch, false, undefined);
    return;
  }
  const targets = host.sim.hostsOf(st.target!);
  const i = (host.index + host.forwards++) % targets.length;
  const target = targets[i]!;
  const byStage = (host.forwardRoutes ??= []);
  const routes = (byStage[stage] ??= []);
  const r = (routes[i] ??= host.sim.network.routes(host, target));
  host.sim.newRequest(host, target, forwardDone, batch, false, undefined, r);
}

function forwardDone(sub: Request): void {
  // Full when sent: every entry is a task.
  const batch = sub.owner as (Task | null)[];
  // Each task of the batch completes its forward stage when the batch is answered (or refused); a batch
  // that failed (its instance stopped) fails the requests it belongs to.
  if (sub.status === FAILED_STATUS) {
    for (const t of batch) failRequest(t!.req);
    return;
  }
  for (let i = 0; i < batch.length; i++) {
    const t = batch[i]!;
    // Emptied as it goes: a batch kept for reuse must not keep its tasks alive.
    batch[i] = null;
    stageDone(t);
  }
  // reuse-requests (shortcuts.ts): once answered, a batch is read by nobody (a forward's request is not
  // top-level, so never retried; its callback runs once), and a host fills it again rather than a new
  // array. Why: a batch lives for its filling and its trip, long enough to be promoted to V8's old
  // generation, where it dies; V8 may then allocate every batch there (allocation-site pretenuring), and
  // that generation grows with dead batches up to a full collection (IoT ×10 over 1,800 s peaked at 177 MB
  // in such runs, 114 MB in the others).
  // Kept by size in one list for the whole run, last in first out: the next batch to start, at any host,
  // takes the one just emptied, still in the processor's cache (a list per host was 13 % slower with a
  // thousand gateways, each taking back a batch emptied long before).
  // (`sub` itself is given back only after this returns.)
  const sim = sub.host.sim;
  if (sim.shortcuts.reuseRequests) (sim.spareBatches[batch.length] ??= []).push(batch);
}

// It reads the batch (sub.owner) and lets it go.
letsGo(forwardDone);
