/**
 * The one binary min-heap of the simulator, over typed arrays: the kernel's event queue, the processor-
 * sharing servers' job heaps and the camera fleet's uploads in flight all sit on it.
 *
 * It orders **slots** by (key, first, second): three numbers kept per slot. A client takes a slot from the
 * heap's free list, keeps whatever goes with it (a handler, an argument, a start time) in arrays of its own
 * indexed by slot, and pushes the slot with its numbers. The heap holds only (key, slot) pairs in heap
 * order, so sifting moves two numbers per level; `first` and `second` (e.g. priority and insertion
 * sequence) are read only to break ties. It is indexed — each slot knows its heap position — so an entry
 * can be removed or moved in place. Nothing is allocated per entry once the arrays have grown to the peak
 * number of slots in use.
 *
 * **Pop then push** (`SlotHeapOptions.lazyPop`): a discrete-event loop mostly pops its next event and, in that
 * event's handler, pushes a new one. Popping moves the last entry to the root and sifts it down — usually to
 * the bottom, as it is one of the latest — and the push then sifts its new entry up from the bottom, usually
 * most of the way, as new events are mostly soon. With `lazyPop`, `pop()` leaves the root empty instead, and
 * the next `push()` puts its entry there and sifts it down once; any other use of the heap first fills the
 * root as `pop()` would have (the last entry, sifted down). Invariant: the heap holds the same entries either
 * way and every read sees a heap whose root is the least entry, so when no two entries are equal in (key,
 * first, second) — the kernel's queue numbers every entry — entries come out in the same order; only the
 * positions of entries below the root may differ. Off by default here; the kernel's event queue turns it
 * on (`EventQueueOptions.lazyPop`, `EnvOptions.lazyPop`: false turns it off there). Test: test/kernel/slot-heap.test.ts (the same pops
 * both ways, and against a sorted reference).
 */
export interface SlotHeapOptions {
  /** Leave the root empty on `pop()` until the next operation (see the class's comment). Default false. */
  lazyPop?: boolean;
}

export class SlotHeap {
  #key: Float64Array; // heap order
  #slotAt: Int32Array; // heap order
  #pos: Int32Array; // by slot
  #first: Float64Array; // by slot
  #second: Float64Array; // by slot
  #free: Int32Array;
  #freeTop = 0;
  #nextSlot = 0;
  #capacity: number;
  #size = 0;
  readonly #maxCapacity: number;
  readonly #lazyPop: boolean;
  // With lazyPop, true after a pop() until the root is filled again: the entries are then at positions
  // 1..#size, and position 0 is empty.
  #vacant = false;

  /** `maxCapacity`: the most slots it may hold ({@link take} returns −1 beyond). */
  constructor(initialCapacity = 16, maxCapacity = 2 ** 30, options: SlotHeapOptions = {}) {
    this.#lazyPop = options.lazyPop ?? false;
    this.#capacity = initialCapacity;
    this.#maxCapacity = maxCapacity;
    this.#key = new Float64Array(initialCapacity);
    this.#slotAt = new Int32Array(initialCapacity);
    this.#pos = new Int32Array(initialCapacity);
    this.#first = new Float64Array(initialCapacity);
    this.#second = new Float64Array(initialCapacity);
    this.#free = new Int32Array(initialCapacity);
  }

  /** Entries in the heap. */
  get size(): number {
    return this.#size;
  }

  /** Slots allocated (the arrays' length): grows by doubling, never shrinks. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Slots ever handed out: every slot below this has been taken at least once. */
  get slotsUsed(): number {
    return this.#nextSlot;
  }

  /** Smallest key (`Infinity` if empty). */
  get topKey(): number {
    if (this.#vacant) this.#fill();
    return this.#size > 0 ? (this.#key[0] as number) : Infinity;
  }

  /** Slot of the smallest entry. The heap must not be empty. */
  get topSlot(): number {
    if (this.#vacant) this.#fill();
    return this.#slotAt[0] as number;
  }

  /** A free slot (the last one given back first), or −1 when `maxCapacity` slots are taken. */
  take(): number {
    if (this.#freeTop > 0) return this.#free[--this.#freeTop] as number;
    if (this.#nextSlot === this.#capacity) {
      if (this.#capacity * 2 > this.#maxCapacity) return -1;
      this.#grow();
    }
    return this.#nextSlot++;
  }

  /** Gives `slot` back (it must not be in the heap). */
  give(slot: number): void {
    this.#free[this.#freeTop++] = slot;
  }

  /** Puts `slot` in the heap with its numbers. */
  push(slot: number, key: number, first: number, second: number): void {
    this.#first[slot] = first;
    this.#second[slot] = second;
    if (this.#vacant) {
      // The empty root takes the new entry: one sift down instead of the pop's and this push's.
      this.#vacant = false;
      this.#siftDown(0, key, slot, ++this.#size);
    } else this.#siftUp(this.#size++, key, slot);
  }

  /** Takes the smallest entry out of the heap and returns its slot (not given back). The heap must not be empty. */
  pop(): number {
    if (this.#vacant) this.#fill();
    const top = this.#slotAt[0] as number;
    const size = --this.#size;
    if (this.#lazyPop) this.#vacant = size > 0;
    else if (size > 0) this.#siftDown(0, this.#key[size] as number, this.#slotAt[size] as number, size);
    return top;
  }

  // What pop() left undone: the last entry (at #size, the entries being at 1..#size) sifted down from the root.
  #fill(): void {
    this.#vacant = false;
    const size = this.#size;
    this.#siftDown(0, this.#key[size] as number, this.#slotAt[size] as number, size);
  }

  /** Takes `slot` (in the heap) out of it, wherever it is; not given back. */
  remove(slot: number): void {
    if (this.#vacant) this.#fill();
    const i = this.#pos[slot] as number;
    const size = --this.#size;
    if (i < size) {
      // Its place goes to the last entry, which may belong above or below it.
      const lastKey = this.#key[size] as number;
      const last = this.#slotAt[size] as number;
      this.#siftDown(i, lastKey, last, size);
      if (this.#pos[last] === i) this.#siftUp(i, lastKey, last);
    }
  }

  /** Moves `slot` (in the heap) to `key`, with a new `second` (its `first` is kept). */
  move(slot: number, key: number, second: number): void {
    if (this.#vacant) this.#fill();
    const i = this.#pos[slot] as number;
    const old = this.#key[i] as number;
    const oldSecond = this.#second[slot] as number;
    this.#second[slot] = second;
    // A later key (or the same key with a later tie-break) can only move it down.
    if (key > old || (key === old && second >= oldSecond)) this.#siftDown(i, key, slot, this.#size);
    else this.#siftUp(i, key, slot);
  }

  // Place (key, slot) at position i or above, moving larger ancestors down.
  #siftUp(i: number, key: number, slot: number): void {
    const hKey = this.#key;
    const hSlot = this.#slotAt;
    const pos = this.#pos;
    const first = this.#first;
    const second = this.#second;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = hKey[parent] as number;
      const ps = hSlot[parent] as number;
      if (pk < key || (pk === key && before(first, second, ps, slot))) break;
      hKey[i] = pk;
      hSlot[i] = ps;
      pos[ps] = i;
      i = parent;
    }
    hKey[i] = key;
    hSlot[i] = slot;
    pos[slot] = i;
  }

  // Place (key, slot) at position i or below in a heap of `size` entries, moving smaller children up.
  #siftDown(i: number, key: number, slot: number, size: number): void {
    const hKey = this.#key;
    const hSlot = this.#slotAt;
    const pos = this.#pos;
    const first = this.#first;
    const second = this.#second;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let ck = hKey[child] as number;
      let cs = hSlot[child] as number;
      const right = child + 1;
      if (right < size) {
        const rk = hKey[right] as number;
        const rs = hSlot[right] as number;
        if (rk < ck || (rk === ck && before(first, second, rs, cs))) {
          child = right;
          ck = rk;
          cs = rs;
        }
      }
      if (ck > key || (ck === key && !before(first, second, cs, slot))) break;
      hKey[i] = ck;
      hSlot[i] = cs;
      pos[cs] = i;
      i = child;
    }
    hKey[i] = key;
    hSlot[i] = slot;
    pos[slot] = i;
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    this.#key = growF64(this.#key, capacity);
    this.#slotAt = growI32(this.#slotAt, capacity);
    this.#pos = growI32(this.#pos, capacity);
    this.#first = growF64(this.#first, capacity);
    this.#second = growF64(this.#second, capacity);
    this.#free = growI32(this.#free, capacity);
    this.#capacity = capacity;
  }
}

// Tie-break of two entries with equal keys: lower `first`, then lower `second`.
function before(first: Float64Array, second: Float64Array, a: number, b: number): boolean {
  const fa = first[a] as number;
  const fb = first[b] as number;
  return fa < fb || (fa === fb && (second[a] as number) < (second[b] as number));
}

/** A copy of `a` in a larger array (the rest zeros). */
export function growF64(a: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}

/** A copy of `a` in a larger array (the rest zeros). */
export function growI32(a: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  b.set(a);
  return b;
}

/**
 * Entries with equal keys, pushed, moved and popped once on a heap of its own when this module loads, so
 * that every tie-break (the calls to `before`, the equal-key test of `move`) has run before V8 optimizes
 * the heap's methods. Why: V8 compiles a branch that never ran into a deoptimization exit, and ties first
 * come mid-run (an autoscaler's tick at the time of a timed event); each then deoptimized every function the
 * heap was inlined into (seven in the dynamics benchmark's run), which were compiled again. Changes no
 * other heap: only the methods' type feedback, which is shared.
 */
function rehearseTies(): void {
  // V8 records feedback only once a function has a feedback vector, which it allocates after a few calls
  // (--invocation-count-for-feedback-allocation, 8 on Node 20): the rehearsal runs more times than that.
  for (let round = 0; round < 16; round++) {
    const heap = new SlotHeap(4);
    // Four equal keys: each push ties with its parent (siftUp); popping sifts the last entry down between
    // two children that tie with each other and with it (siftDown, both tie-breaks).
    for (let i = 0; i < 4; i++) heap.push(heap.take(), 1, 0, i);
    heap.give(heap.pop());
    // An equal key with a later tie-break moves down (move's equal-key test), an earlier one up.
    heap.move(heap.topSlot, 1, 9);
    heap.move(heap.topSlot, 1, -1);
    while (heap.size > 0) heap.give(heap.pop());
  }
}
rehearseTies();
