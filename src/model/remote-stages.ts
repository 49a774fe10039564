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
  const st = host.app.stages[task.stage]!;
  const batch = host.batches[task.stage]!;
  batch.push(task);
  if (batch.length < st.batch) return;
  host.batches[task.stage] = [];
  const set = host.sim.instancesOf(st.target!);
  if (set !== null) {
    set.send(host, host.index + host.forwards++, forwardDone, batch, false, undefined);
    return;
  }
  const targets = host.sim.hostsOf(st.target!);
  const i = (host.index + host.forwards++) % targets.length;
  const target = targets[i]!;
  const byStage = (host.forwardRoutes ??= []);
  const routes = (byStage[task.stage] ??= []);
  const r = (routes[i] ??= host.sim.network.routes(host, target));
  host.sim.newRequest(host, target, forwardDone, batch, false, undefined, r);
}

function forwardDone(sub: Request): void {
  // Each task of the batch completes its forward stage when the batch is answered (or refused); a batch
  // that failed (its instance stopped) fails the requests it belongs to.
  if (sub.status === FAILED_STATUS) {
    for (const t of sub.owner as Task[]) failRequest(t.req);
    return;
  }
  for (const t of sub.owner as Task[]) stageDone(t);
}

// It reads the batch (sub.owner) and lets it go.
letsGo(forwardDone);
