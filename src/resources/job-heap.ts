import type { Handler } from '../kernel/index.js';

/**
 * @internal A min-heap of jobs keyed by (tag, insertion order), holding each job's completion
 * callback and argument in slot-indexed arrays recycled through a free list (no allocation per job
 * once grown). Used by processor sharing, where the tag is the virtual finish time.
 */
export class JobHeap {
  #tag = new Float64Array(16); // heap order
  #slotAt = new Int32Array(16); // heap order
  #seq = new Float64Array(16); // by slot
  #fns: (Handler | null)[] = [];
  #args: unknown[] = [];
  #free = new Int32Array(16);
  #freeTop = 0;
  #nextSlot = 0;
  #size = 0;
  #nextSeq = 0;
  /** Handler of the job removed by the last `pop()`. */
  fn: Handler | null = null;
  /** Argument of the job removed by the last `pop()`. */
  arg: unknown = undefined;

  get size(): number {
    return this.#size;
  }

  /** Smallest tag (`Infinity` if empty). */
  get minTag(): number {
    return this.#size > 0 ? (this.#tag[0] as number) : Infinity;
  }

  push(tag: number, fn: Handler, arg: unknown): void {
    let slot: number;
    if (this.#freeTop > 0) slot = this.#free[--this.#freeTop] as number;
    else {
      if (this.#nextSlot === this.#seq.length) this.#grow();
      slot = this.#nextSlot++;
    }
    this.#fns[slot] = fn;
    this.#args[slot] = arg;
    this.#seq[slot] = this.#nextSeq++;
    const tags = this.#tag;
    const slots = this.#slotAt;
    let i = this.#size++;
    // Newest job: on an equal tag it stays below its parent (FIFO among equal tags).
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((tags[parent] as number) <= tag) break;
      tags[i] = tags[parent] as number;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    tags[i] = tag;
    slots[i] = slot;
  }

  /**
   * Remove the job with the smallest tag into `fn`/`arg` (its tag is `minTag` before). Heap must be non-empty.
   * (Nothing returned: a number returned from a call the compiler does not inline is boxed on the heap.)
   */
  pop(): void {
    const tags = this.#tag;
    const slots = this.#slotAt;
    const seq = this.#seq;
    const topSlot = slots[0] as number;
    this.fn = this.#fns[topSlot] ?? null;
    this.arg = this.#args[topSlot];
    this.#fns[topSlot] = null;
    this.#args[topSlot] = undefined;
    this.#free[this.#freeTop++] = topSlot;
    const size = --this.#size;
    if (size > 0) {
      const tag = tags[size] as number;
      const slot = slots[size] as number;
      const s = seq[slot] as number;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= size) break;
        const right = child + 1;
        if (right < size && less(tags, slots, seq, right, child)) child = right;
        const ct = tags[child] as number;
        if (ct > tag || (ct === tag && (seq[slots[child] as number] as number) > s)) break;
        tags[i] = ct;
        slots[i] = slots[child] as number;
        i = child;
      }
      tags[i] = tag;
      slots[i] = slot;
    }
  }

  #grow(): void {
    const capacity = this.#seq.length * 2;
    const tag = new Float64Array(capacity);
    tag.set(this.#tag);
    this.#tag = tag;
    const slotAt = new Int32Array(capacity);
    slotAt.set(this.#slotAt);
    this.#slotAt = slotAt;
    const seq = new Float64Array(capacity);
    seq.set(this.#seq);
    this.#seq = seq;
    const free = new Int32Array(capacity);
    free.set(this.#free);
    this.#free = free;
  }
}

function less(tags: Float64Array, slots: Int32Array, seq: Float64Array, a: number, b: number): boolean {
  const ta = tags[a] as number;
  const tb = tags[b] as number;
  return ta < tb || (ta === tb && (seq[slots[a] as number] as number) < (seq[slots[b] as number] as number));
}
