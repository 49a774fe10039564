import type { Handler } from '../kernel/index.js';

/**
 * @internal A FIFO of waiting callbacks, each with a ticket so that a waiter can leave early
 * (abandonment). A ring buffer of parallel arrays: no allocation per waiter once grown.
 *
 * Tickets increase with insertion, so the ring is sorted by ticket and `cancel` finds a waiter by
 * binary search. Cancelled waiters are tombstoned (handler `null`) and skipped when they reach the
 * head, which keeps cancel O(log n) instead of O(n).
 */
export class WaitQueue {
  #fns: (Handler | null)[] = new Array<Handler | null>(16).fill(null);
  #args: unknown[] = new Array<unknown>(16);
  #tickets = new Float64Array(16);
  #head = 0;
  #slots = 0; // live + tombstoned entries between head and tail
  #mask = 15;
  #live = 0;
  #nextTicket = 1;
  /** Handler of the waiter removed by the last successful `shift()`. */
  fn: Handler | null = null;
  /** Argument of the waiter removed by the last successful `shift()`. */
  arg: unknown = undefined;

  /** Number of waiters (cancelled ones excluded). */
  get length(): number {
    return this.#live;
  }

  /** Append a waiter; returns its ticket (≥ 1). */
  push(fn: Handler, arg: unknown): number {
    if (this.#slots > this.#mask) this.#grow();
    const i = (this.#head + this.#slots) & this.#mask;
    const ticket = this.#nextTicket++;
    this.#fns[i] = fn;
    this.#args[i] = arg;
    this.#tickets[i] = ticket;
    this.#slots++;
    this.#live++;
    return ticket;
  }

  /** Remove the oldest waiter into `fn`/`arg`; false if there is none. */
  shift(): boolean {
    while (this.#slots > 0) {
      const i = this.#head;
      const fn = this.#fns[i] ?? null;
      this.fn = fn;
      this.arg = this.#args[i];
      this.#fns[i] = null;
      this.#args[i] = undefined;
      this.#head = (i + 1) & this.#mask;
      this.#slots--;
      if (fn !== null) {
        this.#live--;
        return true;
      }
    }
    this.fn = null;
    this.arg = undefined;
    return false;
  }

  /** Remove the waiter holding `ticket`; false if it is not waiting (granted, cancelled, unknown). */
  cancel(ticket: number): boolean {
    let lo = 0;
    let hi = this.#slots - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const i = (this.#head + mid) & this.#mask;
      const t = this.#tickets[i] as number;
      if (t < ticket) lo = mid + 1;
      else if (t > ticket) hi = mid - 1;
      else {
        if (this.#fns[i] === null) return false;
        this.#fns[i] = null;
        this.#args[i] = undefined;
        this.#live--;
        this.#trim();
        return true;
      }
    }
    return false;
  }

  // Drop tombstones at both ends so an all-cancelled queue holds nothing.
  #trim(): void {
    while (this.#slots > 0 && this.#fns[this.#head] === null) {
      this.#head = (this.#head + 1) & this.#mask;
      this.#slots--;
    }
    while (this.#slots > 0 && this.#fns[(this.#head + this.#slots - 1) & this.#mask] === null) this.#slots--;
  }

  #grow(): void {
    const capacity = (this.#mask + 1) * 2;
    const fns = new Array<Handler | null>(capacity).fill(null);
    const args = new Array<unknown>(capacity);
    const tickets = new Float64Array(capacity);
    for (let k = 0; k < this.#slots; k++) {
      const i = (this.#head + k) & this.#mask;
      fns[k] = this.#fns[i] ?? null;
      args[k] = this.#args[i];
      tickets[k] = this.#tickets[i] as number;
    }
    this.#fns = fns;
    this.#args = args;
    this.#tickets = tickets;
    this.#head = 0;
    this.#mask = capacity - 1;
  }
}
