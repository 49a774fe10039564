import { MetricsError, MetricsErrorCode } from './errors.js';

/**
 * A level that changes at simulated times (queue length, busy threads, memory in use), with its
 * time-weighted mean: ∫ level dt / elapsed. O(1) memory.
 */
export class TimeWeighted {
  #level: number;
  #last: number;
  #start: number;
  #area = 0;
  #min: number;
  #max: number;

  /** Start observing at time `now` (seconds) with `level`. */
  constructor(now = 0, level = 0) {
    this.#level = level;
    this.#last = now;
    this.#start = now;
    this.#min = level;
    this.#max = level;
  }

  /**
   * The level becomes `level` at time `now`.
   * @throws MetricsError `E2C_ERR_METRICS_TIME_BACKWARDS` if `now` is before the last update
   */
  update(now: number, level: number): void {
    const dt = now - this.#last;
    if (dt < 0) this.#backwards(now);
    this.#area += this.#level * dt;
    this.#last = now;
    this.#level = level;
    if (level > this.#max) this.#max = level;
    if (level < this.#min) this.#min = level;
  }

  /** Change the level by `delta` at time `now`. */
  add(now: number, delta: number): void {
    this.update(now, this.#level + delta);
  }

  /** The current level. */
  get level(): number {
    return this.#level;
  }

  /** Largest level since the last reset. */
  get max(): number {
    return this.#max;
  }

  /** Smallest level since the last reset. */
  get min(): number {
    return this.#min;
  }

  /** ∫ level dt from the last reset to `now`. */
  integral(now: number): number {
    const dt = now - this.#last;
    if (dt < 0) this.#backwards(now);
    return this.#area + this.#level * dt;
  }

  /** Time-weighted mean from the last reset to `now`; the current level if no time has passed. */
  mean(now: number): number {
    const elapsed = now - this.#start;
    return elapsed > 0 ? this.integral(now) / elapsed : this.#level;
  }

  /** Start a new observation window at `now` (e.g. after warm-up); the level carries over. */
  reset(now: number): void {
    if (now < this.#last) this.#backwards(now);
    this.#area = 0;
    this.#start = now;
    this.#last = now;
    this.#min = this.#level;
    this.#max = this.#level;
  }

  #backwards(now: number): never {
    throw new MetricsError(
      MetricsErrorCode.TIME_BACKWARDS,
      `time-weighted level updated at ${now} s, before its last update at ${this.#last} s`,
      { now, last: this.#last },
    );
  }
}

/**
 * The time-weighted mean over [from, now] of a level that was `level` since `levelAt`, with `area` its
 * integral from `from` to `levelAt`; the level itself if no time has passed. For hot code that keeps a
 * level's numbers in its own fields rather than in a TimeWeighted (an object and a call per change).
 */
export function levelMean(now: number, from: number, area: number, level: number, levelAt: number): number {
  const elapsed = now - from;
  return elapsed > 0 ? (area + level * (now - levelAt)) / elapsed : level;
}
