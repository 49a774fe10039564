import { KernelErrorCode, SimulationError } from './errors.js';
import { SlotHeap } from './slot-heap.js';

/** A scheduled callback. It receives the `arg` given to `schedule()`; it should return nothing. */
// `any` (not `unknown`) so that handlers typed `(req: Request) => void` can be passed directly.
export type Handler = (arg: any) => void;

// An event id is `generation * SLOT_SPACE + slot`. The per-slot generation changes every time a slot
// is recycled, so a stale id (event already run or cancelled) never cancels the slot's next tenant.
// 2^26 concurrent events and 2^27 generations keep ids below 2^53 (exact doubles); a slot would have
// to be reused 134 million times before an id could repeat, and only a stale id that old could clash.
const SLOT_SPACE = 2 ** 26;
const GEN_SPACE = 2 ** 27;
const INITIAL_CAPACITY = 64;

/**
 * @internal The kernel's event queue: entries ordered by (time, priority, insertion sequence) on the
 * simulator's one typed-array heap ({@link SlotHeap}); handlers, arguments and generations live in
 * slot-indexed arrays here, and slots are recycled through the heap's free list. Nothing is allocated per
 * event once the arrays have grown to the peak number of pending events.
 *
 * The heap is indexed (each slot knows its heap position), so cancelling removes the entry at once
 * and `reschedule()` moves a pending entry to a new time in place: processor-sharing servers, which
 * move their next completion on every arrival and departure, leave no dead entries behind.
 */
export interface EventQueueOptions {
  /**
   * The heap's pop-then-push path (`SlotHeapOptions.lazyPop`, where its condition and invariant are stated):
   * exact here, as every entry has its own sequence number. Default true; false turns it off.
   */
  lazyPop?: boolean;
}

export class EventQueue {
  readonly #heap: SlotHeap;
  #gen = new Int32Array(INITIAL_CAPACITY).fill(1);
  #fns: (Handler | null)[] = [];
  #args: unknown[] = [];
  #nextSeq = 0;
  #live = 0;
  /** Handler of the entry removed by the last `pop()`; `null` if that entry was cancelled. */
  fn: Handler | null = null;
  /** Argument of the entry removed by the last `pop()`. */
  arg: unknown = undefined;
  /**
   * Time of the entry removed by the last `pop()`. A field, not pop()'s result: a number returned from a
   * call the compiler does not inline is a heap object V8 allocates, once per event (NaN at first, so the
   * field holds doubles from the start).
   */
  time = Number.NaN;

  constructor(options: EventQueueOptions = {}) {
    this.#heap = new SlotHeap(INITIAL_CAPACITY, SLOT_SPACE, { lazyPop: options.lazyPop ?? true });
  }

  /** Entries in the heap, cancelled ones included. */
  get size(): number {
    return this.#heap.size;
  }

  /** Entries neither run nor cancelled. */
  get live(): number {
    return this.#live;
  }

  /** Slots allocated. */
  get capacity(): number {
    return this.#heap.capacity;
  }

  /** Time of the top entry (which may be cancelled). The queue must not be empty. */
  get topTime(): number {
    return this.#heap.topKey;
  }

  /** Insert an entry; returns its id (> 0). */
  push(time: number, fn: Handler, arg: unknown, priority: number): number {
    const slot = this.add(time, fn, arg, priority);
    return (this.#gen[slot] as number) * SLOT_SPACE + slot;
  }

  /**
   * Insert an entry and return its slot, a small integer, not its id: for events that are never cancelled.
   * An id soon leaves V8's small-integer range (generation × 2^26 ≥ 2^31 from the 32nd tenant of a slot),
   * and such a number leaving a function the compiler did not inline is a heap object V8 allocates — one
   * per event on the hottest path.
   */
  add(time: number, fn: Handler, arg: unknown, priority: number): number {
    const heap = this.#heap;
    const slot = heap.take();
    if (slot < 0) this.#tooMany(time);
    if (slot >= this.#gen.length) this.#growGen(heap.capacity);
    this.#fns[slot] = fn;
    this.#args[slot] = arg;
    this.#live++;
    // The new entry has the largest sequence number, so on equal (time, priority) it stays below its parent.
    heap.push(slot, time, priority, this.#nextSeq++);
    return slot;
  }

  /**
   * Move the pending entry `id` to `time`, as if it were cancelled and pushed again with the same
   * handler, argument and priority (it gets a new sequence number and a new id).
   * @returns the new id, or 0 if `id` is not pending
   */
  reschedule(id: number, time: number): number {
    const slot = this.#slotOf(id);
    if (slot < 0) return 0;
    const g = (this.#gen[slot] as number) + 1;
    this.#gen[slot] = g === GEN_SPACE ? 1 : g;
    this.#heap.move(slot, time, this.#nextSeq++);
    return (this.#gen[slot] as number) * SLOT_SPACE + slot;
  }

  #slotOf(id: number): number {
    // Floor and a multiplication, not `id % SLOT_SPACE`: ids pass 2^31, where `%` on a double is a call out of
    // the compiled code (fmod) on every reschedule and cancel. Both are exact below 2^53, and an id that is
    // negative, fractional or NaN still fails the checks below.
    const gen = Math.floor(id / SLOT_SPACE);
    const slot = id - gen * SLOT_SPACE;
    if (!(slot >= 0 && slot < this.#heap.slotsUsed) || this.#gen[slot] !== gen || this.#fns[slot] === null)
      return -1;
    return slot;
  }

  /** Remove the top entry into `time`/`fn`/`arg`. The queue must not be empty. */
  pop(): void {
    const heap = this.#heap;
    this.time = heap.topKey;
    const top = heap.pop();
    const fns = this.#fns;
    const fn = fns[top] ?? null;
    this.fn = fn;
    this.arg = this.#args[top];
    // Free the slot; bump its generation so that ids of the old tenant become stale.
    if (fn !== null) this.#live--;
    fns[top] = null;
    this.#args[top] = undefined;
    const g = (this.#gen[top] as number) + 1;
    this.#gen[top] = g === GEN_SPACE ? 1 : g;
    heap.give(top);
  }

  /** Cancel the entry with `id`; false if it already ran, was cancelled, or never existed. */
  cancel(id: number): boolean {
    const slot = this.#slotOf(id);
    if (slot < 0) return false;
    this.#fns[slot] = null;
    this.#args[slot] = undefined;
    this.#live--;
    const g = (this.#gen[slot] as number) + 1;
    this.#gen[slot] = g === GEN_SPACE ? 1 : g;
    this.#heap.remove(slot);
    this.#heap.give(slot);
    return true;
  }

  /** Pop cancelled entries off the top, so that `topTime` is that of a live event. */
  dropCancelledTop(): void {
    const heap = this.#heap;
    while (heap.size > 0 && this.#fns[heap.topSlot] === null) this.pop();
  }

  #growGen(capacity: number): void {
    const gen = new Int32Array(capacity).fill(1);
    gen.set(this.#gen);
    this.#gen = gen;
  }

  #tooMany(time: number): never {
    throw new SimulationError(
      KernelErrorCode.TOO_MANY_EVENTS,
      `too many pending events (more than ${SLOT_SPACE}) when scheduling at ${time} s`,
      time,
      { pending: this.#live },
    );
  }
}
