import type { Request } from './request.js';

/**
 * The requests an instance holds (sent to it, not yet settled), for the services whose instances are
 * balanced or change (instances.ts): least-outstanding and power-of-two read the count, a stop fails them
 * all, a draining instance leaves when none is left. An array with each request's position kept on the
 * request (swap-remove) instead of a Set: adding and removing, once per request on the balanced path,
 * hash nothing (a Set of objects cost ~5 % of a balanced run's time). `inOrder()` gives them in the
 * order they were sent, as a Set's iteration did (request ids grow with each request made), so a stop
 * fails them in the same order and the results are unchanged.
 */
export class Inflight {
  readonly #list: Request[] = [];

  get size(): number {
    return this.#list.length;
  }

  add(req: Request): void {
    req.inflightAt = this.#list.length;
    this.#list.push(req);
  }

  /** Removes `req` if it is held (settling twice is harmless). */
  delete(req: Request): void {
    const list = this.#list;
    const i = req.inflightAt;
    if (i < 0 || list[i] !== req) return;
    const last = list.pop()!;
    if (last !== req) {
      list[i] = last;
      last.inflightAt = i;
    }
    req.inflightAt = -1;
  }

  /** The requests held, in the order they were sent. */
  inOrder(): Request[] {
    return this.#list.slice().sort((a, b) => a.id - b.id);
  }
}
