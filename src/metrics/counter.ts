/** A count of occurrences (requests granted, rejected, …). */
export class Counter {
  #value = 0;

  /** The current count. */
  get value(): number {
    return this.#value;
  }

  /** Add `n` (default 1). */
  add(n = 1): void {
    this.#value += n;
  }

  /** Set the count back to 0 (e.g. at the end of the warm-up). */
  reset(): void {
    this.#value = 0;
  }

  toJSON(): number {
    return this.#value;
  }
}
