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
 */
export class LivePool {
  readonly #free: number[];
  readonly #waiting: Waiter[] = [];
  readonly #busy: TimeWeighted;
  readonly #queue: TimeWeighted;
  granted = 0;
  waited = 0;
  rejected = 0;

  constructor(
    readonly name: string,
    readonly size: number,
    readonly queueLimit = Infinity,
  ) {
    this.#free = Array.from({ length: size }, (_, i) => size - 1 - i);
    const now = wallS();
    this.#busy = new TimeWeighted(now, 0);
    this.#queue = new TimeWeighted(now, 0);
  }

  /** A lane (thread index), at once if one is free; `waited` says whether the task queued. */
  acquire(signal?: AbortSignal): Promise<{ lane: number; waitedSince: number | undefined }> {
    const now = wallS();
    const lane = this.#free.pop();
    if (lane !== undefined) {
      this.granted++;
      this.#busy.update(now, this.size - this.#free.length);
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
    const w = this.#waiting.shift();
    if (w) {
      this.#queue.update(now, this.#waiting.length);
      this.granted++;
      this.waited++;
      w.resolve(lane);
      return;
    }
    this.#free.push(lane);
    this.#busy.update(now, this.size - this.#free.length);
  }

  snapshot(now = wallS()): PoolSnapshot {
    return {
      size: this.size,
      busyIntegral: this.#busy.integral(now),
      queueIntegral: this.#queue.integral(now),
      granted: this.granted,
      waited: this.waited,
      rejected: this.rejected,
      busy: this.size - this.#free.length,
      queue: this.#waiting.length,
    };
  }
}
