import { type Handler, SlotHeap } from '../kernel/index.js';

/**
 * @internal Jobs keyed by (tag, insertion order) on the simulator's one heap ({@link SlotHeap}), each
 * job's completion callback and argument in slot-indexed arrays (no allocation per job once grown). Used
 * by processor sharing, where the tag is the virtual finish time.
 */
export class JobHeap {
  readonly #heap = new SlotHeap();
  #fns: (Handler | null)[] = [];
  #args: unknown[] = [];
  #nextSeq = 0;
  /** Handler of the job removed by the last `pop()`. */
  fn: Handler | null = null;
  /** Argument of the job removed by the last `pop()`. */
  arg: unknown = undefined;

  get size(): number {
    return this.#heap.size;
  }

  /** Smallest tag (`Infinity` if empty). */
  get minTag(): number {
    return this.#heap.topKey;
  }

  push(tag: number, fn: Handler, arg: unknown): void {
    const slot = this.#heap.take();
    this.#fns[slot] = fn;
    this.#args[slot] = arg;
    // Newest job last among equal tags (FIFO).
    this.#heap.push(slot, tag, 0, this.#nextSeq++);
  }

  /**
   * Remove the job with the smallest tag into `fn`/`arg` (its tag is `minTag` before). Heap must be non-empty.
   * (Nothing returned: a number returned from a call the compiler does not inline is boxed on the heap.)
   */
  pop(): void {
    const slot = this.#heap.pop();
    this.fn = this.#fns[slot] ?? null;
    this.arg = this.#args[slot];
    this.#fns[slot] = null;
    this.#args[slot] = undefined;
    this.#heap.give(slot);
  }
}
