/** Plain-data form of a {@link Tally}. */
export interface TallyJSON {
  count: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

/**
 * Streaming mean and variance of observations (Welford's algorithm: numerically stable, O(1)
 * memory), with min and max.
 */
export class Tally {
  #count = 0;
  #mean = 0;
  #m2 = 0;
  #min = Infinity;
  #max = -Infinity;

  /** Record one observation. */
  add(x: number): void {
    const n = ++this.#count;
    const delta = x - this.#mean;
    this.#mean += delta / n;
    this.#m2 += delta * (x - this.#mean);
    if (x < this.#min) this.#min = x;
    if (x > this.#max) this.#max = x;
  }

  get count(): number {
    return this.#count;
  }

  /** Mean of the observations; NaN if there are none. */
  get mean(): number {
    return this.#count > 0 ? this.#mean : NaN;
  }

  /** Sample variance (divisor n − 1); NaN with fewer than two observations. */
  get variance(): number {
    return this.#count > 1 ? this.#m2 / (this.#count - 1) : NaN;
  }

  /** Sample standard deviation. */
  get sd(): number {
    return Math.sqrt(this.variance);
  }

  /** Smallest observation (`Infinity` if none). */
  get min(): number {
    return this.#min;
  }

  /** Largest observation (`-Infinity` if none). */
  get max(): number {
    return this.#max;
  }

  /** Sum of the observations. */
  get sum(): number {
    return this.#mean * this.#count;
  }

  /** Add another tally's observations to this one (Chan et al.'s pairwise update). */
  merge(other: Tally): void {
    const o = other.toJSON();
    if (o.count === 0) return;
    const n = this.#count + o.count;
    const delta = o.mean - this.#mean;
    this.#m2 += o.m2 + (delta * delta * this.#count * o.count) / n;
    this.#mean += (delta * o.count) / n;
    this.#count = n;
    if (o.min < this.#min) this.#min = o.min;
    if (o.max > this.#max) this.#max = o.max;
  }

  /** Forget all observations. */
  reset(): void {
    this.#count = 0;
    this.#mean = 0;
    this.#m2 = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }

  toJSON(): TallyJSON {
    return { count: this.#count, mean: this.#mean, m2: this.#m2, min: this.#min, max: this.#max };
  }

  /** Rebuild a tally from {@link Tally.toJSON} output. */
  static fromJSON(data: TallyJSON): Tally {
    const tally = new Tally();
    tally.#count = data.count;
    tally.#mean = data.mean;
    tally.#m2 = data.m2;
    // Empty tallies serialize ±Infinity as null through JSON.
    tally.#min = data.count > 0 ? data.min : Infinity;
    tally.#max = data.count > 0 ? data.max : -Infinity;
    return tally;
  }
}
