import { allOf, anyOf, type Condition } from './conditions.js';
import { KernelErrorCode, SimulationError } from './errors.js';
import { SimEvent, timeoutEvent } from './event.js';
import { activeProcess, Process, type ProcessGenerator } from './process.js';

/** A scheduled callback. It receives the `arg` given to `schedule()`; it should return nothing. */
// `any` (not `unknown`) so that handlers typed `(req: Request) => void` can be passed directly.
export type Handler = (arg: any) => void;

/** Options of {@link Env.run}. */
export interface RunOptions {
  /** Process events with time ≤ `until` (seconds), then set `now = until`. Default: run until empty. */
  until?: number;
}

/** Priority of events that must run before ordinary ones at the same time (process start, interrupts). */
export const PRIORITY_URGENT = -1;
/** Default priority. Lower priorities run first among events at the same time. */
export const PRIORITY_NORMAL = 0;

// An event id is `generation * SLOT_SPACE + slot`. The per-slot generation changes every time a slot
// is recycled, so a stale id (event already run or cancelled) never cancels the slot's next tenant.
// 2^26 concurrent events and 2^27 generations keep ids below 2^53 (exact doubles); a slot would have
// to be reused 134 million times before an id could repeat, and only a stale id that old could clash.
const SLOT_SPACE = 2 ** 26;
const GEN_SPACE = 2 ** 27;
const INITIAL_CAPACITY = 64;

/**
 * The simulation environment: a clock and an event queue.
 *
 * Events are ordered by (time, priority, insertion sequence), so runs are deterministic. The queue is
 * a binary heap over typed arrays; handlers and their arguments live in parallel plain arrays indexed
 * by a recycled slot, so scheduling an event allocates nothing once the arrays have grown to the
 * model's peak number of pending events.
 *
 * The callback API (`schedule`, `cancel`, `run`) is what built-in components use. The generator API
 * (`process`, `timeout`, `event`, `allOf`, `anyOf`) sits on top of it for user-written models and
 * costs nothing when unused.
 */
export class Env {
  #now = 0;
  #eventsProcessed = 0;

  // The heap, in heap order: event time and slot of position i. Entries of cancelled events stay
  // until they reach the top (lazy deletion), so #hSize counts them too.
  #hTime = new Float64Array(INITIAL_CAPACITY);
  #hSlot = new Int32Array(INITIAL_CAPACITY);
  #hSize = 0;

  // Per-slot data. A slot is owned by one scheduled event from schedule() until it is popped.
  #prio = new Float64Array(INITIAL_CAPACITY);
  #seq = new Float64Array(INITIAL_CAPACITY);
  #gen = new Int32Array(INITIAL_CAPACITY).fill(1);
  // Handler per slot; `null` marks a free slot or a cancelled event still sitting in the heap.
  #fns: (Handler | null)[] = [];
  #args: unknown[] = [];
  #free = new Int32Array(INITIAL_CAPACITY);
  #freeTop = 0;
  #nextSlot = 0;
  #capacity = INITIAL_CAPACITY;
  #nextSeq = 0;
  #live = 0;

  #running = false;
  #stopRequested = false;

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
    return this.#capacity;
  }

  /** Number of scheduled events that have neither run nor been cancelled. */
  get pending(): number {
    return this.#live;
  }

  /**
   * Schedule `fn(arg)` to run `delay` seconds from now.
   * @returns an event id (> 0) for {@link Env.cancel}
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_DELAY` if `delay` is negative, NaN or infinite
   */
  schedule(delay: number, fn: Handler, arg?: unknown, priority = PRIORITY_NORMAL): number {
    // One comparison rejects NaN, negatives and +Infinity.
    if (!(delay >= 0 && delay < Infinity)) this.#badDelay('delay', delay);
    return this.#push(this.#now + delay, fn, arg, priority);
  }

  /**
   * Schedule `fn(arg)` to run at absolute simulated time `time` (seconds).
   * @returns an event id (> 0) for {@link Env.cancel}
   * @throws SimulationError `E2C_ERR_KERNEL_BAD_DELAY` if `time` is before `now`, NaN or infinite
   */
  scheduleAt(time: number, fn: Handler, arg?: unknown, priority = PRIORITY_NORMAL): number {
    if (!(time >= this.#now && time < Infinity)) this.#badDelay('time', time);
    return this.#push(time, fn, arg, priority);
  }

  /**
   * Cancel a scheduled event. Cancelling an event that already ran, was already cancelled, or an
   * id that never existed is a no-op.
   * @returns true if a pending event was cancelled
   */
  cancel(id: number): boolean {
    const slot = id % SLOT_SPACE;
    const gen = (id - slot) / SLOT_SPACE;
    if (!(slot >= 0 && slot < this.#nextSlot) || this.#gen[slot] !== gen || this.#fns[slot] === null) {
      return false;
    }
    // Lazy deletion: the entry stays in the heap and is dropped when it reaches the top.
    this.#fns[slot] = null;
    this.#args[slot] = undefined;
    this.#live--;
    return true;
  }

  /** Time of the next pending event, or `Infinity` if there is none. */
  peek(): number {
    this.#dropCancelledTop();
    return this.#hSize > 0 ? (this.#hTime[0] as number) : Infinity;
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
    this.#dropCancelledTop();
    if (this.#hSize === 0) return false;
    this.#enter();
    try {
      const slot = this.#hSlot[0] as number;
      this.#now = this.#hTime[0] as number;
      const fn = this.#fns[slot] as Handler;
      const arg = this.#args[slot];
      this.#popTop();
      this.#release(slot);
      this.#eventsProcessed++;
      fn(arg);
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
   */
  run(options: RunOptions = {}): void {
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
    try {
      this.#loop(until);
    } catch (err) {
      throw this.#wrap(err);
    } finally {
      this.#running = false;
    }
    if (this.#stopRequested) this.#stopRequested = false;
    else if (until !== Infinity) this.#now = until;
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

  // The hot loop. Heap arrays are re-read each iteration because a handler may grow them.
  #loop(until: number): void {
    const fns = this.#fns;
    const args = this.#args;
    while (this.#hSize > 0) {
      const time = this.#hTime[0] as number;
      if (time > until) return;
      const slot = this.#hSlot[0] as number;
      const fn = fns[slot];
      const arg = args[slot];
      this.#popTop();
      this.#release(slot);
      if (fn === null || fn === undefined) continue; // cancelled
      this.#now = time;
      this.#eventsProcessed++;
      fn(arg);
      if (this.#stopRequested) return;
    }
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

  #push(time: number, fn: Handler, arg: unknown, priority: number): number {
    let slot: number;
    if (this.#freeTop > 0) slot = this.#free[--this.#freeTop] as number;
    else {
      if (this.#nextSlot === this.#capacity) this.#grow();
      slot = this.#nextSlot++;
    }
    this.#fns[slot] = fn;
    this.#args[slot] = arg;
    const prio = this.#prio;
    prio[slot] = priority;
    this.#seq[slot] = this.#nextSeq++;
    this.#live++;

    // Sift up. The new event has the largest sequence number, so on equal (time, priority) it
    // stays below its parent.
    const hTime = this.#hTime;
    const hSlot = this.#hSlot;
    let i = this.#hSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent] as number;
      if (pt < time || (pt === time && (prio[hSlot[parent] as number] as number) <= priority)) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[parent] as number;
      i = parent;
    }
    hTime[i] = time;
    hSlot[i] = slot;
    return (this.#gen[slot] as number) * SLOT_SPACE + slot;
  }

  // Remove the heap's top entry: move the last entry to the root and sift it down.
  #popTop(): void {
    const size = --this.#hSize;
    if (size === 0) return;
    const hTime = this.#hTime;
    const hSlot = this.#hSlot;
    const prio = this.#prio;
    const seq = this.#seq;
    const time = hTime[size] as number;
    const slot = hSlot[size] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let ct = hTime[child] as number;
      let cs = hSlot[child] as number;
      const right = child + 1;
      if (right < size) {
        const rt = hTime[right] as number;
        const rs = hSlot[right] as number;
        if (rt < ct || (rt === ct && before(prio, seq, rs, cs))) {
          child = right;
          ct = rt;
          cs = rs;
        }
      }
      if (ct > time || (ct === time && !before(prio, seq, cs, slot))) break;
      hTime[i] = ct;
      hSlot[i] = cs;
      i = child;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }

  // Return a popped slot to the free list; bump its generation so old ids become stale.
  #release(slot: number): void {
    const fns = this.#fns;
    if (fns[slot] !== null) this.#live--;
    fns[slot] = null;
    this.#args[slot] = undefined;
    const g = (this.#gen[slot] as number) + 1;
    this.#gen[slot] = g === GEN_SPACE ? 1 : g;
    this.#free[this.#freeTop++] = slot;
  }

  #dropCancelledTop(): void {
    while (this.#hSize > 0 && this.#fns[this.#hSlot[0] as number] === null) {
      const slot = this.#hSlot[0] as number;
      this.#popTop();
      this.#release(slot);
    }
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    if (capacity > SLOT_SPACE) {
      throw new SimulationError(
        KernelErrorCode.TOO_MANY_EVENTS,
        `too many pending events (more than ${SLOT_SPACE})`,
        this.#now,
        { pending: this.#live },
      );
    }
    this.#hTime = growF64(this.#hTime, capacity);
    this.#hSlot = growI32(this.#hSlot, capacity);
    this.#prio = growF64(this.#prio, capacity);
    this.#seq = growF64(this.#seq, capacity);
    const gen = new Int32Array(capacity).fill(1);
    gen.set(this.#gen);
    this.#gen = gen;
    this.#free = growI32(this.#free, capacity);
    this.#capacity = capacity;
  }
}

// Tie-break of two entries with equal time: lower priority first, then earlier insertion.
function before(prio: Float64Array, seq: Float64Array, a: number, b: number): boolean {
  const pa = prio[a] as number;
  const pb = prio[b] as number;
  return pa < pb || (pa === pb && (seq[a] as number) < (seq[b] as number));
}

function growF64(a: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}

function growI32(a: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  b.set(a);
  return b;
}
