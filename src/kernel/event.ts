import type { Env } from './env.js';
import { KernelErrorCode, SimulationError } from './errors.js';

/** Life-cycle state of a {@link SimEvent}. */
export type EventState = 'pending' | 'triggered' | 'processed';

/** A callback run when an event is processed. */
export type EventCallback<T> = (event: SimEvent<T>) => void;

const PENDING = 0;
const TRIGGERED = 1;
const PROCESSED = 2;

// Internals shared with process.ts and conditions.ts without making them public API; assigned in
// the class's static block, the only place that can reach `#` fields.
let triggerImpl: (event: SimEvent<any>, ok: boolean, value: unknown, delay: number, priority: number) => void;

/**
 * An event of the generator API, with SimPy's life cycle: *pending* until `succeed()` or `fail()`
 * *triggers* it, then *processed* when the kernel runs its callbacks (at the trigger time, after
 * events already scheduled for that time).
 *
 * Failed events are never silently ignored: if no callback sets `defused = true` (a process that
 * yields the event does so and receives the error as an exception), processing it stops `run()`
 * with `E2C_ERR_KERNEL_EVENT_FAILED`.
 */
export class SimEvent<T = unknown> {
  /** The environment this event belongs to. */
  readonly env: Env;
  /** Set to true by a callback that has handled this event's failure. */
  defused = false;
  #state = PENDING;
  #ok = true;
  #value: unknown = undefined;
  // `any`, not `T`, so that SimEvent<T> is covariant in T (a SimEvent<string> is a SimEvent<unknown>).
  #callbacks: EventCallback<any>[] | null = [];

  static {
    triggerImpl = (event, ok, value, delay, priority) => {
      event.#state = TRIGGERED;
      event.#ok = ok;
      event.#value = value;
      event.env.schedule(delay, processEvent, event, priority);
    };
  }

  constructor(env: Env) {
    this.env = env;
  }

  /** `pending`, `triggered` or `processed`. */
  get state(): EventState {
    return this.#state === PENDING ? 'pending' : this.#state === TRIGGERED ? 'triggered' : 'processed';
  }

  /** True once `succeed()` or `fail()` has been called (or the timeout has been scheduled). */
  get triggered(): boolean {
    return this.#state !== PENDING;
  }

  /** True once the event's callbacks have run. */
  get processed(): boolean {
    return this.#state === PROCESSED;
  }

  /** True unless the event failed. Meaningful once triggered. */
  get ok(): boolean {
    return this.#ok;
  }

  /** The success value, or the error of a failed event. `undefined` while pending. */
  get value(): T {
    return this.#value as T;
  }

  /**
   * Run `callback(event)` when the event is processed.
   * @returns false (and does nothing) if the event has already been processed
   */
  addCallback(callback: EventCallback<T>): boolean {
    if (this.#callbacks === null) return false;
    this.#callbacks.push(callback);
    return true;
  }

  /** Remove a callback added with {@link SimEvent.addCallback}; no-op if absent or processed. */
  removeCallback(callback: EventCallback<T>): void {
    const callbacks = this.#callbacks;
    if (callbacks === null) return;
    const i = callbacks.indexOf(callback);
    if (i >= 0) callbacks.splice(i, 1);
  }

  /**
   * Trigger the event with `value`; it is processed at the current time.
   * @throws SimulationError `E2C_ERR_KERNEL_EVENT_ALREADY_TRIGGERED` if not pending
   */
  succeed(value?: T, priority = 0): this {
    this.#assertPending();
    triggerImpl(this, true, value, 0, priority);
    return this;
  }

  /**
   * Trigger the event as failed with `error`; processes waiting on it receive it as an exception.
   * @throws SimulationError `E2C_ERR_KERNEL_EVENT_ALREADY_TRIGGERED` if not pending
   */
  fail(error: unknown, priority = 0): this {
    this.#assertPending();
    triggerImpl(this, false, error, 0, priority);
    return this;
  }

  /** Run the callbacks now (called by the kernel). */
  static process(event: SimEvent<any>): void {
    const callbacks = event.#callbacks;
    event.#callbacks = null;
    event.#state = PROCESSED;
    if (callbacks !== null) for (const callback of callbacks) callback(event);
    if (!event.#ok && !event.defused) {
      const error = event.#value;
      const message = error instanceof Error ? error.message : String(error);
      throw new SimulationError(
        KernelErrorCode.EVENT_FAILED,
        `unhandled failure of ${event.toString()} at simulated time ${event.env.now} s: ${message}`,
        event.env.now,
        { event: event.toString() },
        error,
      );
    }
  }

  /** A short description used in error messages. */
  toString(): string {
    return 'event';
  }

  #assertPending(): void {
    if (this.#state !== PENDING) {
      throw new SimulationError(
        KernelErrorCode.EVENT_ALREADY_TRIGGERED,
        `${this.toString()} has already been triggered`,
        this.env.now,
        { event: this.toString(), state: this.state },
      );
    }
  }
}

function processEvent(event: SimEvent<any>): void {
  SimEvent.process(event);
}

/**
 * @internal Trigger `event` now (ok or failed) to be processed after `delay` seconds with `priority`.
 * Used by processes, conditions and timeouts; user code calls `succeed()`/`fail()`.
 */
export function trigger(event: SimEvent<any>, ok: boolean, value: unknown, delay = 0, priority = 0): void {
  triggerImpl(event, ok, value, delay, priority);
}

/** @internal `env.timeout()`: an event already triggered, processed after `delay` seconds. */
export function timeoutEvent<T>(env: Env, delay: number, value: T): SimEvent<T> {
  const event = new SimEvent<T>(env);
  triggerImpl(event, true, value, delay, 0);
  return event;
}
