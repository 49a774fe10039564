import type { Handler } from '../kernel/index.js';
import type { Endpoint } from './endpoint.js';
import { FAILED_STATUS, Request } from './request.js';
import type { ServiceHost } from './service-host.js';

/** Callbacks (`onDone`) known to keep no reference to the request they are given (see letsGo). */
const keepNothing = new Set<Handler>();

/**
 * Declares that `onDone` keeps no reference to the request it is called with once it returns (it reads the
 * request's fields, and may start other requests): a request with that callback may be reused after it.
 */
export function letsGo(onDone: Handler): void {
  keepNothing.add(onDone);
}

/**
 * The Request objects of one replication, reused once their requests have ended (the `reuse-requests`
 * shortcut, shortcuts.ts). Why: with many devices, a collection of the young generation comes often in
 * simulated time, so requests that wait longer than two of them (frames waiting for their batch at a
 * gateway, the batches themselves) are promoted to the old generation and die there; it grows with that
 * garbage up to a full collection, several times the live heap. Reused objects are allocated once (as many as
 * requests in the system at once) and promote nothing more.
 *
 * Condition: a request is given back ({@link RequestPool.ended}) only where it ends normally — its answer
 * or refusal reached the origin (Collector.ended was called) — and only when nothing may hold it any more:
 * not failed (a failure may be retried, which reads it later), no item task of its own still running or
 * queued (`pending` 0: a refused item leaves its siblings running), no thread, queue ticket or timer left,
 * no instance's in-flight list (settled before its answer), and its callback, if any, returned and declared
 * with {@link letsGo}. Invariant: a request's object is reachable only through its holders, all of which
 * have let go, so a new request built on it by {@link Request.reset} (every field as a new object's) is
 * indistinguishable from a new object: ids come from the simulation's counter, not from the object. Exact: no
 * draw, event or order changes; `test/model/reuse-requests.test.ts` compares every shipped scenario's
 * results with and without reuse (byte-identical).
 */
export class RequestPool {
  readonly #free: Request[] = [];
  readonly #on: boolean;
  #reused = 0;

  constructor(on: boolean) {
    this.#on = on;
  }

  /** A new request (a reused object when one is free). */
  take(
    id: number,
    origin: Endpoint,
    host: ServiceHost,
    start: number,
    onDone: Handler | null,
    owner: unknown,
    topLevel: boolean,
  ): Request {
    const req = this.#free.pop();
    if (req === undefined) return new Request(id, origin, host, start, onDone, owner, topLevel);
    req.reset(id, origin, host, start, onDone, owner, topLevel);
    this.#reused++;
    return req;
  }

  /** Requests made on a reused object so far. */
  get reused(): number {
    return this.#reused;
  }

  /**
   * `req`'s answer (or refusal) reached its origin and its callback, if any, has returned: its object is
   * reused if nothing may hold it any more (see the class's condition).
   */
  ended(req: Request): void {
    if (
      !this.#on ||
      req.status === FAILED_STATUS ||
      req.pending !== 0 ||
      req.ticket !== 0 ||
      req.timer !== 0 ||
      req.held !== null ||
      req.inflightAt >= 0 ||
      (req.onDone !== null && !keepNothing.has(req.onDone))
    )
      return;
    // What it refers to may be garbage now (a batch of tasks, a user): it no longer holds it.
    req.owner = null;
    req.onDone = null;
    req.up = null;
    req.down = null;
    this.#free.push(req);
  }
}
