import { KernelErrorCode, SimulationError } from './errors.js';

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
 * @internal The kernel's event queue: a binary min-heap keyed by (time, priority, insertion
 * sequence) over typed arrays. The heap holds only (time, slot) pairs, in heap order, so sifting
 * moves two numbers per level; priority, sequence, generation, handler and argument live in
 * slot-indexed arrays, and slots are recycled through a free list. Nothing is allocated per event
 * once the arrays have grown to the peak number of pending events.
 *
 * The heap is indexed (each slot knows its heap position), so cancelling removes the entry at once
 * and `reschedule()` moves a pending entry to a new time in place: processor-sharing servers, which
 * move their next completion on every arrival and departure, leave no dead entries behind.
 */
export class EventQueue {
  #hTime = new Float64Array(INITIAL_CAPACITY);
  #hSlot = new Int32Array(INITIAL_CAPACITY);
  #hSize = 0;
  #pos = new Int32Array(INITIAL_CAPACITY);
  #prio = new Float64Array(INITIAL_CAPACITY);
  #seq = new Float64Array(INITIAL_CAPACITY);
  #gen = new Int32Array(INITIAL_CAPACITY).fill(1);
  #fns: (Handler | null)[] = [];
  #args: unknown[] = [];
  #free = new Int32Array(INITIAL_CAPACITY);
  #freeTop = 0;
  #nextSlot = 0;
  #capacity = INITIAL_CAPACITY;
  #nextSeq = 0;
  #live = 0;
  /** Handler of the entry removed by the last `pop()`; `null` if that entry was cancelled. */
  fn: Handler | null = null;
  /** Argument of the entry removed by the last `pop()`. */
  arg: unknown = undefined;

  /** Entries in the heap, cancelled ones included. */
  get size(): number {
    return this.#hSize;
  }

  /** Entries neither run nor cancelled. */
  get live(): number {
    return this.#live;
  }

  /** Slots allocated. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Time of the top entry (which may be cancelled). The queue must not be empty. */
  get topTime(): number {
    return this.#hTime[0] as number;
  }

  /** Insert an entry; returns its id (> 0). */
  push(time: number, fn: Handler, arg: unknown, priority: number): number {
    let slot: number;
    if (this.#freeTop > 0) slot = this.#free[--this.#freeTop] as number;
    else {
      if (this.#nextSlot === this.#capacity) this.#grow(time);
      slot = this.#nextSlot++;
    }
    this.#fns[slot] = fn;
    this.#args[slot] = arg;
    const prio = this.#prio;
    prio[slot] = priority;
    this.#seq[slot] = this.#nextSeq++;
    this.#live++;
    // The new entry has the largest sequence number, so on equal (time, priority) it stays below its parent.
    this.#siftUp(this.#hSize++, time, slot);
    return (this.#gen[slot] as number) * SLOT_SPACE + slot;
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
    this.#seq[slot] = this.#nextSeq++;
    const i = this.#pos[slot] as number;
    const old = this.#hTime[i] as number;
    // A later time (or the same time with a larger sequence number) can only move it down.
    if (time >= old) this.#siftDown(i, time, slot, this.#hSize);
    else this.#siftUp(i, time, slot);
    return (this.#gen[slot] as number) * SLOT_SPACE + slot;
  }

  #slotOf(id: number): number {
    const slot = id % SLOT_SPACE;
    const gen = (id - slot) / SLOT_SPACE;
    if (!(slot >= 0 && slot < this.#nextSlot) || this.#gen[slot] !== gen || this.#fns[slot] === null) return -1;
    return slot;
  }

  // Place (time, slot) at position i or above, moving larger ancestors down.
  #siftUp(i: number, time: number, slot: number): void {
    const hTime = this.#hTime;
    const hSlot = this.#hSlot;
    const pos = this.#pos;
    const prio = this.#prio;
    const seq = this.#seq;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent] as number;
      const ps = hSlot[parent] as number;
      if (pt < time || (pt === time && before(prio, seq, ps, slot))) break;
      hTime[i] = pt;
      hSlot[i] = ps;
      pos[ps] = i;
      i = parent;
    }
    hTime[i] = time;
    hSlot[i] = slot;
    pos[slot] = i;
  }

  // Place (time, slot) at position i or below in a heap of `size` entries, moving smaller children up.
  #siftDown(i: number, time: number, slot: number, size: number): void {
    const hTime = this.#hTime;
    const hSlot = this.#hSlot;
    const pos = this.#pos;
    const prio = this.#prio;
    const seq = this.#seq;
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
      pos[cs] = i;
      i = child;
    }
    hTime[i] = time;
    hSlot[i] = slot;
    pos[slot] = i;
  }

  /** Remove the top entry into `fn`/`arg` and return its time. The queue must not be empty. */
  pop(): number {
    const hTime = this.#hTime;
    const hSlot = this.#hSlot;
    const time = hTime[0] as number;
    const top = hSlot[0] as number;
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
    this.#free[this.#freeTop++] = top;

    // Move the last entry to the root and sift it down.
    const size = --this.#hSize;
    if (size > 0) this.#siftDown(0, hTime[size] as number, hSlot[size] as number, size);
    return time;
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
    this.#free[this.#freeTop++] = slot;
    // Fill its place with the last entry, which may belong above or below it.
    const i = this.#pos[slot] as number;
    const size = --this.#hSize;
    if (i < size) {
      const lastTime = this.#hTime[size] as number;
      const last = this.#hSlot[size] as number;
      this.#siftDown(i, lastTime, last, size);
      if (this.#pos[last] === i) this.#siftUp(i, lastTime, last);
    }
    return true;
  }

  /** Pop cancelled entries off the top, so that `topTime` is that of a live event. */
  dropCancelledTop(): void {
    while (this.#hSize > 0 && this.#fns[this.#hSlot[0] as number] === null) this.pop();
  }

  #grow(time: number): void {
    const capacity = this.#capacity * 2;
    if (capacity > SLOT_SPACE) {
      throw new SimulationError(
        KernelErrorCode.TOO_MANY_EVENTS,
        `too many pending events (more than ${SLOT_SPACE}) when scheduling at ${time} s`,
        time,
        { pending: this.#live },
      );
    }
    this.#hTime = growF64(this.#hTime, capacity);
    this.#hSlot = growI32(this.#hSlot, capacity);
    this.#pos = growI32(this.#pos, capacity);
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
