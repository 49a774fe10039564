import { allOf, anyOf, type Condition } from './conditions.js';
import { KernelErrorCode, SimulationError } from './errors.js';
import { EventQueue, type Handler } from './event-queue.js';
import { SimEvent, timeoutEvent } from './event.js';
import { activeProcess, Process, type ProcessGenerator } from './process.js';

export type { Handler } from './event-queue.js';

/** Options of {@link Env.run}. */
export interface RunOptions {
  /** Process events with time ≤ `until` (seconds), then set `now = until`. Default: run until empty. */
  until?: number;
  /**
   * Process at most this many events, then return `false` with the clock at the last event processed (as
   * after `stop()`); calling `run()` again goes on exactly where it paused. Lets a caller look at its
   * budget (events, memory) now and then without a check per event. Default: no bound.
   */
  maxEvents?: number;
}

/** What an Env is made with. */
export interface EnvOptions {
  /** The event queue's pop-then-push path (see `EventQueueOptions.lazyPop`); default true. */
  lazyPop?: boolean;
}

/** Priority of events that must run before ordinary ones at the same time (process start, interrupts). */
export const PRIORITY_URGENT = -1;
/** Default priority. Lower priorities run first among events at the same time. */
export const PRIORITY_NORMAL = 0;

/**
 * The simulation environment: a clock and an event queue.
 *
 * Events are ordered by (time, priority, insertion sequence), so runs are deterministic. The queue
 * (see `event-queue.ts`) is a binary heap over typed arrays with handlers and arguments in recycled
 * slots: scheduling an event allocates nothing once it has grown to the model's peak number of
 * pending events, and handlers are plain calls, never promises.
 *
 * The callback API (`schedule`, `cancel`, `run`) is what built-in components use. The generator API
 * (`process`, `timeout`, `event`, `allOf`, `anyOf`) sits on top of it for user-written models and
 * costs nothing when unused.
 */
export class Env {
  #now = 0;
  #eventsProcessed = 0;
  readonly #queue: EventQueue;
  #running = false;
  #stopRequested = false;
  /** The current run's bound (see claim); −∞ outside run(). */
  #until = -Infinity;
  /** The count of processed events at which the current run pauses (RunOptions.maxEvents); ∞ without a bound. */
  #pauseAt = Infinity;

  constructor(options: EnvOptions = {}) {
    this.#queue = new EventQueue({ lazyPop: options.lazyPop ?? true });
  }

  /** Current simulated time in seconds. */
  get now(): number {
    return this.#now;
  }

  /** Number of events whose handler has run (cancelled events are not counted). */
  get eventsProcessed(): number {
    return this.#eventsProcessed;
  }

  /** Event slots allocated: grows (doubling) to the peak number of pending events, never shrinks. */
  get capacity(): number {
    return this.#queue.capacity;
  }

  /** Number of scheduled events that have neither run nor been cancelled. */
  get pending(): number {
    return this.#queue.live;
  }

  /**
   * Schedule `fn(arg)` to run `delay` seconds from now.
   * @returns an event id (> 0) for {@link Env.cancel}
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_DELAY` if `delay` is negative, NaN or infinite
   */
  schedule(delay: number, fn: Handler, arg?: unknown, priority = PRIORITY_NORMAL): number {
    // One comparison rejects NaN, negatives and +Infinity.
    if (!(delay >= 0 && delay < Infinity)) this.#badDelay('delay', delay);
    return this.#queue.push(this.#now + delay, fn, arg, priority);
  }

  /**
   * The same as {@link Env.schedule} for an event nobody will cancel or move: it returns no id. Models'
   * hot paths use it: an id soon leaves V8's small-integer range (2^31 on Node's 64-bit builds), and such a
   * number returned from a call the compiler did not inline is allocated on the heap, once per event (the
   * events are the same either way).
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_DELAY` if `delay` is negative, NaN or infinite
   */
  post(delay: number, fn: Handler, arg?: unknown): void {
    if (!(delay >= 0 && delay < Infinity)) this.#badDelay('delay', delay);
    this.#queue.add(this.#now + delay, fn, arg, PRIORITY_NORMAL);
  }

  /**
   * Schedule `fn(arg)` to run at absolute simulated time `time` (seconds).
   * @returns an event id (> 0) for {@link Env.cancel}
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_DELAY` if `time` is before `now`, NaN or infinite
   */
  scheduleAt(time: number, fn: Handler, arg?: unknown, priority = PRIORITY_NORMAL): number {
    if (!(time >= this.#now && time < Infinity)) this.#badDelay('time', time);
    return this.#queue.push(time, fn, arg, priority);
  }

  /**
   * Cancel a scheduled event. Cancelling an event that already ran, was already cancelled, or an
   * id that never existed is a no-op.
   * @returns true if a pending event was cancelled
   */
  cancel(id: number): boolean {
    return this.#queue.cancel(id);
  }

  /**
   * Move a pending event to `delay` seconds from now, keeping its handler, argument and priority: the
   * same as cancelling it and scheduling it again (it is ordered as a newly scheduled event), without
   * the cancelled entry. Processor-sharing servers use it on every arrival and departure.
   * @returns the event's new id, or 0 if `id` was not pending (nothing is scheduled then)
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_DELAY` if `delay` is negative, NaN or infinite
   */
  reschedule(id: number, delay: number): number {
    if (!(delay >= 0 && delay < Infinity)) this.#badDelay('delay', delay);
    return this.#queue.reschedule(id, this.#now + delay);
  }

  /** Time of the next pending event, or `Infinity` if there is none. */
  peek(): number {
    const queue = this.#queue;
    queue.dropCancelledTop();
    return queue.size > 0 ? queue.topTime : Infinity;
  }

  /**
   * Lets the running handler go on as the handler of an event at `time` (≥ now) without scheduling one,
   * when that event would run next anyway: no pending event at `time` or before it (those would come
   * first), `time` within the current `run()`, no stop requested. Then the clock moves to `time`, the
   * event is counted, and the result is true; otherwise nothing changes and the caller schedules the
   * event. The order of events is the same either way. Made for a model that owns a stream of future
   * happenings (a fleet of devices) and would otherwise schedule them one at a time.
   */
  claim(time: number): boolean {
    if (
      !this.#running ||
      this.#stopRequested ||
      !(time >= this.#now && time <= this.#until) ||
      this.#eventsProcessed >= this.#pauseAt
    )
      return false;
    const queue = this.#queue;
    queue.dropCancelledTop();
    if (queue.size > 0 && queue.topTime <= time) return false;
    this.#now = time;
    this.#eventsProcessed++;
    return true;
  }

  /** End the current `run()` after the handler that is running now. */
  stop(): void {
    this.#stopRequested = true;
  }

  /**
   * Process the next pending event, if any.
   * @returns false if there was no pending event
   * @throws SimulationError `E2C_ERR_KERNEL_HANDLER_FAILED` if the handler throws
   */
  step(): boolean {
    const queue = this.#queue;
    queue.dropCancelledTop();
    if (queue.size === 0) return false;
    this.#enter();
    try {
      queue.pop();
      this.#now = queue.time;
      this.#eventsProcessed++;
      (queue.fn as Handler)(queue.arg);
    } catch (err) {
      throw this.#wrap(err);
    } finally {
      this.#running = false;
    }
    return true;
  }

  /**
   * Process events in (time, priority, insertion) order until the queue is empty, `stop()` is
   * called, or the next event is later than `until`; then, unless stopped, set `now = until`.
   * Events scheduled exactly at `until` are processed.
   * @throws SimulationError `E2C_ERR_KERNEL_HANDLER_FAILED` (with `now` and the handler's error as
   *   `cause`) if a handler throws; the run stops there and may be resumed by calling `run()` again.
   * @throws SimulationError `E2C_ERR_KERNEL_EVENT_FAILED` if a failed event was not defused
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_UNTIL` if `until < now` or NaN
   * @returns false if it paused after `maxEvents` events (events before `until` remain); true otherwise
   */
  run(options: RunOptions = {}): boolean {
    const until = options.until ?? Infinity;
    if (!(until >= this.#now)) {
      throw new SimulationError(
        KernelErrorCode.BAD_UNTIL,
        `run({ until: ${until} }) is before the current time ${this.#now} s`,
        this.#now,
        { until },
      );
    }
    this.#enter();
    this.#until = until;
    this.#pauseAt = this.#eventsProcessed + (options.maxEvents ?? Infinity);
    let paused: boolean;
    try {
      paused = this.#loop(until);
    } catch (err) {
      throw this.#wrap(err);
    } finally {
      this.#running = false;
      this.#until = -Infinity;
      this.#pauseAt = Infinity;
    }
    if (this.#stopRequested) this.#stopRequested = false;
    else if (!paused && until !== Infinity) this.#now = until;
    return !paused;
  }

  /** A new pending {@link SimEvent}, triggered later by `succeed()` or `fail()`. */
  event<T = unknown>(): SimEvent<T> {
    return new SimEvent<T>(this);
  }

  /**
   * An event that succeeds with `value` after `delay` seconds.
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_DELAY` for a negative, NaN or infinite delay
   */
  timeout<T = undefined>(delay: number, value?: T): SimEvent<T> {
    return timeoutEvent(this, delay, value as T);
  }

  /**
   * Start a generator process (SimPy style). The process starts at the current time, before
   * ordinary events scheduled for this time. The returned {@link Process} is an event that
   * succeeds with the generator's return value, so other processes can `yield` it.
   */
  process<T>(generator: ProcessGenerator<T> | (() => ProcessGenerator<T>)): Process<T> {
    return new Process<T>(this, generator);
  }

  /** An event that succeeds when all `events` have succeeded (fails as soon as one fails). */
  allOf(events: readonly SimEvent<unknown>[]): Condition {
    return allOf(this, events);
  }

  /** An event that succeeds when any of `events` has succeeded (fails if that one failed). */
  anyOf(events: readonly SimEvent<unknown>[]): Condition {
    return anyOf(this, events);
  }

  /** The generator process whose code is running now, or `null` outside processes. */
  get activeProcess(): Process<unknown> | null {
    return activeProcess();
  }

  // The hot loop: one pop and one call per event. Returns true if it paused at the event bound.
  #loop(until: number): boolean {
    const queue = this.#queue;
    const pauseAt = this.#pauseAt;
    while (queue.size > 0) {
      if (queue.topTime > until) return false;
      // Counted before cancelled tops are skipped: a pause is only a pause, the next run() skips them.
      if (this.#eventsProcessed >= pauseAt) return true;
      queue.pop();
      const time = queue.time;
      const fn = queue.fn;
      if (fn === null) continue; // cancelled
      this.#now = time;
      this.#eventsProcessed++;
      fn(queue.arg);
      if (this.#stopRequested) return false;
    }
    return false;
  }

  #enter(): void {
    if (this.#running) {
      throw new SimulationError(
        KernelErrorCode.RUN_REENTERED,
        `run() or step() called from inside a handler at ${this.#now} s`,
        this.#now,
      );
    }
    this.#running = true;
    this.#stopRequested = false;
  }

  #wrap(err: unknown): SimulationError {
    if (err instanceof SimulationError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new SimulationError(
      KernelErrorCode.HANDLER_FAILED,
      `event handler failed at simulated time ${this.#now} s: ${message}`,
      this.#now,
      { eventsProcessed: this.#eventsProcessed },
      err,
    );
  }

  #badDelay(what: 'delay' | 'time', value: number): never {
    const why = what === 'time' && value < this.#now ? 'is in the past' : 'must be a finite number ≥ 0';
    throw new SimulationError(
      KernelErrorCode.BAD_DELAY,
      `cannot schedule an event: ${what} ${value} ${why} (now = ${this.#now} s)`,
      this.#now,
      { [what]: value },
    );
  }
}
