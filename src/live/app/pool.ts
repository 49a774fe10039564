import { TimeWeighted } from '../../metrics/index.js';

/** Wall-clock time in seconds since the Unix epoch, sub-millisecond (the time base of live records). */
export const wallS = (): number => (performance.timeOrigin + performance.now()) / 1000;

export class Rejected extends Error {
  constructor(readonly pool: string) {
    super(`pool ${pool} is full`);
  }
}
export class Withdrawn extends Error {}

interface Waiter {
  resolve: (lane: number) => void;
  reject: (e: Error) => void;
  since: number;
}

/** Cumulative counters of a pool since it was created (the controller differences two snapshots). */
export interface PoolSnapshot {
  size: number;
  busyIntegral: number;
  queueIntegral: number;
  granted: number;
  waited: number;
  rejected: number;
  busy: number;
  queue: number;
}

/**
 * A bounded thread pool of the live engine: `size` lanes, a FIFO of waiting tasks (at most
 * `queueLimit`, beyond which tasks are rejected), and time-weighted busy and queue levels over wall time.
 * Its size can change at run time ({@link LivePool.resize}), as the simulator's pool does on a timed
 * `pool` event.
 */
export class LivePool {
  // Lanes below the size that no task holds (a stack: the lane released last is granted first).
  readonly #free: number[];
  readonly #held = new Set<number>();
  readonly #waiting: Waiter[] = [];
  readonly #busy: TimeWeighted;
  readonly #queue: TimeWeighted;
  #size: number;
  granted = 0;
  waited = 0;
  rejected = 0;

  constructor(
    readonly name: string,
    size: number,
    readonly queueLimit = Infinity,
  ) {
    this.#size = size;
    this.#free = Array.from({ length: size }, (_, i) => size - 1 - i);
    const now = wallS();
    this.#busy = new TimeWeighted(now, 0);
    this.#queue = new TimeWeighted(now, 0);
  }

  /** Number of lanes now. */
  get size(): number {
    return this.#size;
  }

  /** A lane (thread index), at once if one is free; `waited` says whether the task queued. */
  acquire(signal?: AbortSignal): Promise<{ lane: number; waitedSince: number | undefined }> {
    const now = wallS();
    if (this.#held.size < this.#size) {
      const lane = this.#take(now);
      this.granted++;
      return Promise.resolve({ lane, waitedSince: undefined });
    }
    if (this.#waiting.length >= this.queueLimit) {
      this.rejected++;
      return Promise.reject(new Rejected(this.name));
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { since: now, resolve: (l) => resolve({ lane: l, waitedSince: w.since }), reject };
      this.#waiting.push(w);
      this.#queue.update(now, this.#waiting.length);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.#waiting.indexOf(w);
          if (i < 0) return;
          this.#waiting.splice(i, 1);
          this.#queue.update(wallS(), this.#waiting.length);
          reject(new Withdrawn());
        },
        { once: true },
      );
    });
  }

  release(lane: number): void {
    const now = wallS();
    if (!this.#held.delete(lane)) return;
    // A lane at or above the size (the pool shrank while it was held) goes away.
    if (lane < this.#size) this.#free.push(lane);
    this.#busy.update(now, this.#held.size);
    this.#grantWaiting(now);
  }

  /**
   * Changes the number of lanes now (the simulator's Pool.resize): a larger pool grants lanes to waiting
   * tasks at once, in FIFO order; a smaller one lets the tasks holding lanes finish and grants none
   * until fewer than `size` are held. New lanes get the next lane numbers.
   */
  resize(size: number): void {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`pool ${this.name}: size must be an integer ≥ 1`);
    const now = wallS();
    const old = this.#size;
    this.#size = size;
    if (size < old) {
      const keep = this.#free.filter((l) => l < size);
      this.#free.length = 0;
      this.#free.push(...keep);
    } else for (let l = size - 1; l >= old; l--) if (!this.#held.has(l)) this.#free.push(l);
    this.#grantWaiting(now);
  }

  /** A free lane, held from now. */
  #take(now: number): number {
    const lane = this.#free.pop()!;
    this.#held.add(lane);
    this.#busy.update(now, this.#held.size);
    return lane;
  }

  /** Grants lanes to the oldest waiting tasks while fewer than `size` are held. */
  #grantWaiting(now: number): void {
    while (this.#waiting.length > 0 && this.#held.size < this.#size) {
      const w = this.#waiting.shift()!;
      this.#queue.update(now, this.#waiting.length);
      this.granted++;
      this.waited++;
      w.resolve(this.#take(now));
    }
  }

  snapshot(now = wallS()): PoolSnapshot {
    return {
      size: this.#size,
      busyIntegral: this.#busy.integral(now),
      queueIntegral: this.#queue.integral(now),
      granted: this.granted,
      waited: this.waited,
      rejected: this.rejected,
      busy: this.#held.size,
      queue: this.#waiting.length,
    };
  }
}
