import type { Env } from './env.js';
import { Interrupt, KernelErrorCode, SimulationError } from './errors.js';
import { SimEvent, trigger } from './event.js';

/**
 * What a process function returns: a generator that yields {@link SimEvent}s and receives each
 * event's value when it is processed (or its error, thrown at the `yield`).
 */
// The value sent back into the generator is `any`: `const x: number = yield someEvent` must type-check.
export type ProcessGenerator<T = unknown> = Generator<SimEvent<any>, T, any>;

// Same as PRIORITY_URGENT in env.ts (not imported: env.ts imports this module).
const URGENT = -1;

let active: Process<unknown> | null = null;

/** @internal The process whose generator code is running, if any (see `env.activeProcess`). */
export function activeProcess(): Process<unknown> | null {
  return active;
}

/**
 * A generator process (SimPy style). It is itself an event: it succeeds with the generator's return
 * value, or fails with the error the generator threw, so other processes can `yield` it.
 *
 * The process starts at the current time, before ordinary events of that time. When it yields an
 * event it sleeps until that event is processed; an event that has already been processed resumes
 * it immediately.
 */
export class Process<T = unknown> extends SimEvent<T> {
  readonly name: string;
  #generator: ProcessGenerator<T>;
  #target: SimEvent<any> | null;
  // Bound once: it is added to and removed from target events' callback lists.
  #resume = (event: SimEvent<any>): void => this.#step(event);

  constructor(env: Env, generator: ProcessGenerator<T> | (() => ProcessGenerator<T>)) {
    super(env);
    this.name = typeof generator === 'function' ? generator.name || 'process' : 'process';
    this.#generator = typeof generator === 'function' ? generator() : generator;
    const start = new SimEvent<undefined>(env);
    start.addCallback(this.#resume);
    trigger(start, true, undefined, 0, URGENT);
    this.#target = start;
  }

  /** The event the process is waiting for, or `null` once it has terminated. */
  get target(): SimEvent<any> | null {
    return this.#target;
  }

  /** True until the generator has returned or thrown. */
  get isAlive(): boolean {
    return !this.triggered;
  }

  /**
   * Throw an {@link Interrupt} with `cause` into the process at the current time (before ordinary
   * events of this time). The process stops waiting for its current target; a resource request it
   * was waiting on stays queued unless the process cancels it.
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_INTERRUPT` if the process has terminated or
   *   interrupts itself
   */
  interrupt(cause?: unknown): void {
    if (!this.isAlive || active === this) {
      throw new SimulationError(
        KernelErrorCode.BAD_INTERRUPT,
        !this.isAlive
          ? `${this.toString()} has terminated and cannot be interrupted`
          : `${this.toString()} cannot interrupt itself`,
        this.env.now,
        { process: this.name },
      );
    }
    const interruption = new SimEvent<unknown>(this.env);
    interruption.defused = true;
    interruption.addCallback((event) => {
      // The process may have terminated between the call and now.
      if (!this.isAlive) return;
      this.#target?.removeCallback(this.#resume);
      this.#step(event);
    });
    trigger(interruption, false, new Interrupt(cause), 0, URGENT);
  }

  override toString(): string {
    return `process '${this.name}'`;
  }

  // Resume the generator with an event's outcome, then wait on the next yielded event. Loops while
  // the yielded events are already processed, so a process never waits for nothing.
  #step(event: SimEvent<any>): void {
    // The process handles a failure: it receives it as an exception at its `yield`.
    if (!event.ok) event.defused = true;
    let ok = event.ok;
    let value: unknown = event.value;
    const previous = active;
    active = this as Process<unknown>;
    try {
      for (;;) {
        let result: IteratorResult<SimEvent<any>, T>;
        try {
          result = ok ? this.#generator.next(value) : this.#generator.throw(value);
        } catch (error) {
          this.#target = null;
          trigger(this, false, error);
          return;
        }
        if (result.done === true) {
          this.#target = null;
          trigger(this, true, result.value);
          return;
        }
        const next: unknown = result.value;
        if (!(next instanceof SimEvent) || next.env !== this.env) {
          // Thrown into the generator, so its stack points at the offending `yield`.
          ok = false;
          value = new SimulationError(
            next instanceof SimEvent ? KernelErrorCode.FOREIGN_EVENT : KernelErrorCode.BAD_YIELD,
            `${this.toString()} yielded ${describe(next)}; a process may only yield events of its own env`,
            this.env.now,
            { process: this.name, yielded: describe(next) },
          );
          continue;
        }
        if (next.addCallback(this.#resume)) {
          this.#target = next;
          return;
        }
        // Already processed: resume at once with its outcome.
        if (!next.ok) next.defused = true;
        ok = next.ok;
        value = next.value;
      }
    } finally {
      active = previous;
    }
  }
}

function describe(value: unknown): string {
  if (value instanceof SimEvent) return `${value.toString()} of another env`;
  return value === null
    ? 'null'
    : typeof value === 'object'
      ? 'an object'
      : `${typeof value} ${String(value)}`;
}
