import { type Env, type Handler, SimEvent } from '../kernel/index.js';
import { levelMean, TimeWeighted } from '../metrics/index.js';
import { checkOption, ResourceError, ResourceErrorCode } from './errors.js';
import { numberSlot } from './number-slots.js';
import { WaitQueue } from './wait-queue.js';

/** Options of a {@link Pool}. */
export interface PoolOptions {
  /** Number of threads (servers), an integer ≥ 1. */
  size: number;
  /** Largest number of waiting requests; further ones are rejected. Default `Infinity`. */
  queueLimit?: number | undefined;
  /** Name used in error messages. */
  name?: string | undefined;
}

// A pool's numbers in its slot.
const BUSY_AT = 0; // when the busy level last changed
const BUSY_AREA = 1; // busy thread-seconds since the statistics window began, up to BUSY_AT
const STATS_FROM = 2; // start of the statistics window
const NUMBERS = 3;

/** `acquire()` result: the thread was granted at once (the callback has already run). */
export const GRANTED = 0;
/** `acquire()` result: the wait queue was full; the request was counted as rejected. */
export const REJECTED = -1;

/**
 * A multi-server FIFO pool: `size` threads, a wait queue bounded by `queueLimit` (an M/M/c/K
 * station when fed Poisson arrivals). Nothing stops a holder of one pool from waiting on another,
 * so nested stages (hold the HTTP thread while waiting for a GPU slot) need no special support.
 *
 * **Grants are synchronous.** `acquire()` calls `onGranted(arg)` before returning when a thread is
 * free, and `release()` calls the next waiter's `onGranted(arg)` before returning. That costs no
 * event and keeps the hand-over at the same simulated instant, in FIFO order, deterministically.
 * The pool's state already counts the new holder when the callback runs. Re-entrant hand-overs (a
 * callback that releases again at once) are queued and run in a loop by the outermost `release()`,
 * so a chain of zero-time holds never deepens the stack.
 *
 * Statistics (since construction or `resetStats()`): time-weighted busy threads and queue length,
 * and counts of granted, rejected, abandoned and waited-for requests.
 */
export class Pool {
  readonly env: Env;
  #size: number;
  readonly queueLimit: number;
  readonly name: string;
  #queue = new WaitQueue();
  #busy = 0;
  #handoffs = 0;
  #handingOver = false;
  // The busy level's time-weighted statistics, rather than a TimeWeighted: it changes twice per request, an
  // object and a call each time (the queue's level changes only when requests wait). In a number slot
  // (number-slots.ts), not fields: a number field is a box of its own, one more cache miss each with
  // thousands of pools (a gateway's pool per frame, in the IoT scenario ×100).
  readonly #v: Float64Array;
  readonly #o: number;
  #queueLevel: TimeWeighted;
  #granted = 0;
  #rejected = 0;
  #abandoned = 0;
  #waited = 0;

  constructor(env: Env, options: PoolOptions) {
    const name = options.name ?? 'pool';
    const { size } = options;
    const queueLimit = options.queueLimit ?? Infinity;
    checkOption(name, 'size', size, Number.isInteger(size) && size >= 1, 'must be an integer ≥ 1');
    checkOption(name, 'queueLimit', queueLimit, queueLimit >= 0, 'must be ≥ 0');
    this.env = env;
    this.#size = size;
    this.queueLimit = queueLimit;
    this.name = name;
    [this.#v, this.#o] = numberSlot(NUMBERS);
    this.#v[this.#o + BUSY_AT] = this.#v[this.#o + STATS_FROM] = env.now;
    this.#queueLevel = new TimeWeighted(env.now, 0);
  }

  /**
   * Ask for a thread. If one is free, `onGranted(arg)` runs now, before `acquire` returns
   * ({@link GRANTED}). Otherwise the request waits in FIFO order and a ticket (≥ 1) for
   * {@link Pool.cancelWait} is returned, or, if `queueLimit` requests already wait, it is rejected
   * ({@link REJECTED}) and `onGranted` is never called. A granted thread must be `release()`d.
   */
  acquire(onGranted: Handler, arg?: unknown): number {
    if (this.#busy < this.#size) {
      this.#busyChange(1);
      this.#granted++;
      onGranted(arg);
      return GRANTED;
    }
    if (this.#queue.length >= this.queueLimit) {
      this.#rejected++;
      return REJECTED;
    }
    const ticket = this.#queue.push(onGranted, arg);
    this.#queueLevel.update(this.env.now, this.#queue.length);
    return ticket;
  }

  /**
   * Give a thread back. If requests wait, the oldest one gets the thread now (its callback runs
   * before `release` returns, unless a hand-over is already in progress up the stack).
   * @throws ResourceError `E2C_ERR_RESOURCE_OVER_RELEASE` if no thread is held
   */
  release(): void {
    if (this.#busy - this.#handoffs <= 0) this.#overRelease();
    // Empty queue, or more threads held than the pool has since it shrank: the thread goes away.
    if ((this.#queue.length === 0 && !this.#handingOver) || this.#busy > this.#size) {
      this.#busyChange(-1);
      return;
    }
    this.#handoffs++;
    if (!this.#handingOver) this.#handOver();
  }

  // The hand-over loop, apart from release() so that release() stays small enough for the compiler to
  // inline into its callers (it runs once or twice per request): the released threads go to the oldest
  // waiters, one by one, while callbacks that release again only add to the count.
  #handOver(): void {
    this.#handingOver = true;
    try {
      const queue = this.#queue;
      while (this.#handoffs > 0) {
        this.#handoffs--;
        if (!queue.shift()) {
          this.#busyChange(-1);
          continue;
        }
        this.#queueLevel.update(this.env.now, queue.length);
        this.#granted++;
        this.#waited++;
        (queue.fn as Handler)(queue.arg);
      }
    } finally {
      this.#handingOver = false;
    }
  }

  #overRelease(): never {
    throw new ResourceError(ResourceErrorCode.OVER_RELEASE, `${this.name}: release() with no thread held`, {
      pool: this.name,
      now: this.env.now,
    });
  }

  // The number of busy threads changes by `delta` now: the time at the old level counts first.
  #busyChange(delta: number): void {
    const now = this.env.now;
    const v = this.#v;
    const o = this.#o;
    v[o + BUSY_AREA]! += this.#busy * (now - v[o + BUSY_AT]!);
    v[o + BUSY_AT] = now;
    this.#busy += delta;
  }

  /**
   * Withdraw a waiting request (its user gave up): it leaves the queue and is counted as abandoned.
   * @returns false if the ticket is not waiting (already granted, cancelled, or unknown)
   */
  cancelWait(ticket: number): boolean {
    if (!this.#queue.cancel(ticket)) return false;
    this.#abandoned++;
    this.#queueLevel.update(this.env.now, this.#queue.length);
    return true;
  }

  /**
   * Generator-friendly form of `acquire()`: an event that succeeds when the thread is granted, or
   * fails with `E2C_ERR_RESOURCE_REJECTED` if the queue is full (like any failed event, a rejection
   * nobody yields or defuses stops the run). `yield pool.request()`, then `pool.release()` when
   * done; `request.cancel()` withdraws it while it waits (e.g. after an interrupt).
   */
  request(): PoolRequest {
    const request = new PoolRequest(this);
    const ticket = this.acquire(grantRequest, request);
    if (ticket === REJECTED) {
      request.fail(
        new ResourceError(ResourceErrorCode.REJECTED, `${this.name}: request rejected, wait queue full`, {
          pool: this.name,
          queueLimit: this.queueLimit,
        }),
      );
    } else request.ticket = ticket;
    return request;
  }

  /** Number of threads (servers) now. */
  get size(): number {
    return this.#size;
  }

  /**
   * Changes the number of threads now (a timed event of the scenario). A larger pool grants threads to
   * waiting requests at once, in FIFO order; a smaller one takes threads away as their holders release
   * them (running tasks keep theirs) and grants none until fewer than `size` are held. Utilization is
   * read against the size of the moment.
   * @throws ResourceError `E2C_ERR_RESOURCE_BAD_OPTION` if `size` is not an integer ≥ 1
   */
  resize(size: number): void {
    checkOption(this.name, 'size', size, Number.isInteger(size) && size >= 1, 'must be an integer ≥ 1');
    this.#size = size;
    const queue = this.#queue;
    while (this.#busy < this.#size && queue.length > 0 && !this.#handingOver) {
      if (!queue.shift()) break;
      this.#busyChange(1);
      this.#queueLevel.update(this.env.now, queue.length);
      this.#granted++;
      this.#waited++;
      (queue.fn as Handler)(queue.arg);
    }
  }

  /** Threads held now. */
  get busy(): number {
    return this.#busy;
  }

  /** Requests waiting now. */
  get queueLength(): number {
    return this.#queue.length;
  }

  /** Requests granted (immediately or after waiting). */
  get granted(): number {
    return this.#granted;
  }

  /**
   * Requests granted after waiting in the queue (`waited / granted` estimates P(wait)). A request
   * made from inside a grant callback while a hand-over is in progress counts as waited even though
   * it is served at the same instant.
   */
  get waited(): number {
    return this.#waited;
  }

  /** Requests rejected because the queue was full. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Waiting requests withdrawn by `cancelWait()`. */
  get abandoned(): number {
    return this.#abandoned;
  }

  /** Time-weighted mean of busy / size, up to `now` (default: the env's current time). */
  utilization(now = this.env.now): number {
    return this.meanBusy(now) / this.#size;
  }

  /** Time-weighted mean number of busy threads. */
  meanBusy(now = this.env.now): number {
    const v = this.#v;
    const o = this.#o;
    return levelMean(now, v[o + STATS_FROM]!, v[o + BUSY_AREA]!, this.#busy, v[o + BUSY_AT]!);
  }

  /** Time-weighted mean number of waiting requests. */
  meanQueueLength(now = this.env.now): number {
    return this.#queueLevel.mean(now);
  }

  /** Largest queue length since the last reset. */
  get maxQueueLength(): number {
    return this.#queueLevel.max;
  }

  /** Start a new statistics window now (after warm-up); current busy/queue levels carry over. */
  resetStats(): void {
    this.#busyChange(0);
    this.#v[this.#o + BUSY_AREA] = 0;
    this.#v[this.#o + STATS_FROM] = this.env.now;
    this.#queueLevel.reset(this.env.now);
    this.#granted = 0;
    this.#rejected = 0;
    this.#abandoned = 0;
    this.#waited = 0;
  }
}

/** The event returned by {@link Pool.request}. */
export class PoolRequest extends SimEvent<undefined> {
  readonly pool: Pool;
  /** Wait-queue ticket, or {@link GRANTED} if granted at once. */
  ticket = GRANTED;

  constructor(pool: Pool) {
    super(pool.env);
    this.pool = pool;
  }

  /** Withdraw the request if it is still waiting; returns false otherwise. */
  cancel(): boolean {
    return this.ticket > 0 && !this.triggered && this.pool.cancelWait(this.ticket);
  }

  override toString(): string {
    return `request of ${this.pool.name}`;
  }
}

function grantRequest(request: PoolRequest): void {
  request.succeed();
}
