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
 */
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

  /** `maxCapacity`: the most slots it may hold ({@link take} returns −1 beyond). */
  constructor(initialCapacity = 16, maxCapacity = 2 ** 30) {
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
    return this.#size > 0 ? (this.#key[0] as number) : Infinity;
  }

  /** Slot of the smallest entry. The heap must not be empty. */
  get topSlot(): number {
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
    this.#siftUp(this.#size++, key, slot);
  }

  /** Takes the smallest entry out of the heap and returns its slot (not given back). The heap must not be empty. */
  pop(): number {
    const top = this.#slotAt[0] as number;
    const size = --this.#size;
    if (size > 0) this.#siftDown(0, this.#key[size] as number, this.#slotAt[size] as number, size);
    return top;
  }

  /** Takes `slot` (in the heap) out of it, wherever it is; not given back. */
  remove(slot: number): void {
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
