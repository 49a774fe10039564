import type { Env } from '../kernel/index.js';
import type { Link } from '../resources/index.js';
import { Network } from './network.js';
import type { Request } from './request.js';
import { beginRequest, failRequest, type ServiceHost, withdraw } from './service-host.js';
import type { SimContext } from './sim-context.js';
import { userGaveUp } from './workloads.js';

// The attempts of a request from its client's side: sending one (its upload, or a reset on a cut link),
// the user's patience, the per-attempt timeout (a workload's retry.timeoutS) and the retries after a
// failure or a timeout (retry.attempts, backoffS doubled each time). See docs/dynamic-scenarios.md#retry.

/** What the attempts need of the simulation besides SimContext (Simulation implements it). */
export interface AttemptContext extends SimContext {
  /**
   * A new request object for attempt `prev.attempt + 1` of `prev` (same origin, callback, owner and first
   * start) on `host` with these routes: counted as sent, its own attempt timeout armed, not yet uploaded.
   */
  nextAttempt(prev: Request, host: ServiceHost, up: Link | null, down: Link | null): Request;
}

/**
 * Uploads a request; on a cut link (a timed event) it fails at once instead, like a reset connection:
 * the client learns it after the return path's delay and may retry (requestFailed).
 */
export function sendRequest(req: Request, bytes: number): void {
  const network = req.host.sim.network;
  if (network.cuts && network.isCut(req.up)) failRequest(req);
  else Network.send(req.up, bytes, uploaded, req);
}

/** The request's bytes reached its host: its first stage starts. */
export function uploaded(req: Request): void {
  if (req.traced)
    req.host.sim.collector.span(req, 'network', 'upload', req.origin, req.t0, req.host.sim.env.now);
  beginRequest(req);
}

/** The user's patience is over (patienceS from the first send): the request is abandoned. */
export function patienceOver(req: Request): void {
  req.timer = 0;
  if (req.attemptTimer !== 0) {
    req.host.sim.env.cancel(req.attemptTimer);
    req.attemptTimer = 0;
  }
  giveUp(req.host.sim, req);
}

/** The user gives the request up (its patience, or its last attempt's timeout): abandoned, its user freed. */
function giveUp(sim: SimContext, req: Request): void {
  sim.collector.gaveUp(req);
  withdraw(req);
  userGaveUp(req);
}

/**
 * The request failed with no answer (its instance stopped, none was up, a cut link): its client sends it
 * again after the backoff if its workload's retry allows another attempt, else it counts as failed and
 * its callback runs.
 */
export function requestFailed(sim: AttemptContext, req: Request): void {
  // An attempt its client gave up: the failure reaches a closed connection (the client retried or gave up then).
  if (req.timedOut) return;
  const env = sim.env;
  if (req.attemptTimer !== 0) {
    env.cancel(req.attemptTimer);
    req.attemptTimer = 0;
  }
  const retry = req.topLevel && !req.abandoned ? req.origin.service.workload?.retry : undefined;
  // A service without an instance set (one fixed instance) fails only on a cut link: retried on it.
  if (retry !== undefined && req.attempt < retry.attempts) {
    // The patience timer stays with this attempt until the retry is sent: a user who gives up meanwhile
    // is not retried for.
    env.post(retry.backoffS * 2 ** req.attempt, retryFire, req);
    return;
  }
  if (req.timer !== 0) {
    env.cancel(req.timer);
    req.timer = 0;
  }
  sim.collector.failedRequest(req);
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
function attemptTimedOut(sim: AttemptContext, req: Request): void {
  sim.collector.attemptTimedOut(req);
  const retry = req.origin.service.workload!.retry!;
  if (req.attempt < retry.attempts) {
    req.timedOut = true;
    withdraw(req);
    sim.env.post(retry.backoffS * 2 ** req.attempt, retryFire, req);
    return;
  }
  if (req.timer !== 0) {
    sim.env.cancel(req.timer);
    req.timer = 0;
  }
  giveUp(sim, req);
}

/**
 * Starts the attempt's timeout, if its workload sets one. It runs from the attempt's send (a retry's, not
 * the first attempt's); none when the user's patience (from the first send) ends first or at the same
 * time: the user gives the request up then, nothing is left to retry.
 */
export function armAttempt(env: Env, req: Request): void {
  const w = req.origin.service.workload;
  const timeoutS = w?.retry?.timeoutS;
  if (timeoutS === undefined) return;
  const now = env.now;
  const deadline = (req.attempt > 0 ? now : req.start) + timeoutS;
  if (w!.patienceS !== undefined && req.start + w!.patienceS <= deadline) return;
  req.attemptTimer = env.schedule(Math.max(0, deadline - now), attemptOver, req);
}

/** Sends a failed request again (same user, same start), on the instance the balance picks now. */
function retry(sim: AttemptContext, prev: Request): void {
  if (prev.abandoned) return;
  const env = sim.env;
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
  const up = sim.network.route(prev.origin, host);
  const down = sim.network.route(host, prev.origin);
  const req = sim.nextAttempt(prev, host, up, down);
  req.hint = prev.hint;
  if (patienceS !== undefined) req.timer = env.schedule(patienceS, patienceOver, req);
  if (picked === null) failRequest(req);
  else sendRequest(req, host.app.requestBytes());
}

function retryFire(req: Request): void {
  retry(req.host.sim as AttemptContext, req);
}

function attemptOver(req: Request): void {
  req.attemptTimer = 0;
  attemptTimedOut(req.host.sim as AttemptContext, req);
}
