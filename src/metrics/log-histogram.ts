import { MetricsError, MetricsErrorCode } from './errors.js';

import { BUCKETS, HIGHEST, LOG_RATIO, LOWEST, logBucket, RATIO } from './log-bucket.js';

/**
 * Largest relative error of {@link LogHistogram.quantile} for values in [1e-9, 1e9): 1 %. A quantile
 * is reported inside the bucket [L, 1.01·L) that holds it, so it is off by less than the bucket's width.
 */
export const LOG_HISTOGRAM_RELATIVE_ERROR = 0.01;

/** Plain-data form of a {@link LogHistogram} (sparse buckets). */
export interface LogHistogramJSON {
  ratio: number;
  lowest: number;
  highest: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  zeros: number;
  below: number;
  above: number;
  /** Indices of the non-empty buckets, ascending. */
  indices: number[];
  /** Counts of the non-empty buckets, parallel to `indices`. */
  counts: number[];
}

/**
 * A streaming histogram of non-negative values with logarithmic buckets (ratio 1.01) spanning
 * [1e-9, 1e9) — from a nanosecond to 30 years when recording seconds — in a fixed 2,093-bucket
 * array (33 kB): memory does not grow with the number of values.
 *
 * `quantile(q)` returns the nearest-rank quantile (the ⌈q·n⌉-th smallest value) within a relative
 * error of at most {@link LOG_HISTOGRAM_RELATIVE_ERROR} (1 %) for values in that range. Zeros
 * are counted exactly; values below 1e-9 or at or above 1e9 are counted but their quantiles are
 * only bounded by the exact `min`/`max`. `count`, `mean`, `min` and `max` are exact.
 */
export class LogHistogram {
  #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;
  #zeros = 0;
  #below = 0;
  #above = 0;

  /**
   * Record one value.
   * @throws MetricsError `E2C_ERR_METRICS_BAD_VALUE` if `x` is negative or NaN
   */
  record(x: number): void {
    if (!(x >= 0)) {
      throw new MetricsError(MetricsErrorCode.BAD_VALUE, `histogram value ${x} is not a number ≥ 0`, {
        value: x,
      });
    }
    this.#count++;
    this.#sum += x;
    if (x < this.#min) this.#min = x;
    if (x > this.#max) this.#max = x;
    if (x === 0) this.#zeros++;
    else if (x < LOWEST) this.#below++;
    else if (x >= HIGHEST) this.#above++;
    else (this.#counts[logBucket(x)] as number)++;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.#count;
  }

  /** Exact mean of the recorded values (NaN if none). */
  get mean(): number {
    return this.#count > 0 ? this.#sum / this.#count : NaN;
  }

  /** Exact sum of the recorded values. */
  get sum(): number {
    return this.#sum;
  }

  /** Exact smallest value (NaN if none). */
  get min(): number {
    return this.#count > 0 ? this.#min : NaN;
  }

  /** Exact largest value (NaN if none). */
  get max(): number {
    return this.#count > 0 ? this.#max : NaN;
  }

  /** Bytes held by the bucket array; constant, whatever the number of values. */
  get byteLength(): number {
    return this.#counts.byteLength;
  }

  /**
   * The nearest-rank `q`-quantile (the ⌈q·n⌉-th smallest value; `q = 0` gives `min`, `q = 1`
   * `max`), within {@link LOG_HISTOGRAM_RELATIVE_ERROR}. NaN if the histogram is empty.
   * @throws MetricsError `E2C_ERR_METRICS_BAD_PROBABILITY` unless 0 ≤ q ≤ 1
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) {
      throw new MetricsError(MetricsErrorCode.BAD_PROBABILITY, `quantile ${q} is not in [0, 1]`, { q });
    }
    const n = this.#count;
    if (n === 0) return NaN;
    if (q === 0) return this.#min;
    if (q === 1) return this.#max;
    const rank = Math.max(1, Math.ceil(q * n));
    let seen = this.#zeros;
    if (rank <= seen) return 0;
    seen += this.#below;
    if (rank <= seen) return this.#min;
    const counts = this.#counts;
    for (let i = 0; i < BUCKETS; i++) {
      seen += counts[i] as number;
      if (rank <= seen) {
        // Interpolate by rank inside the bucket (log-uniform): quantiles then move continuously with
        // the data instead of jumping between bucket values, so replications' percentiles differ and
        // their confidence intervals mean something.
        // The exact min and max narrow the first and last buckets to the values really seen.
        const c = counts[i] as number;
        const within = (rank - (seen - c) - 0.5) / c;
        const lo = Math.max(LOWEST * Math.exp(i * LOG_RATIO), this.#min);
        const hi = Math.min(LOWEST * Math.exp((i + 1) * LOG_RATIO), this.#max);
        return hi > lo ? lo * (hi / lo) ** within : lo;
      }
    }
    return this.#max; // in the overflow count
  }

  /** Add all values recorded by `other` to this histogram. */
  merge(other: LogHistogram): void {
    this.#mergeJSON(other.toJSON());
  }

  /** Forget all values. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
    this.#zeros = 0;
    this.#below = 0;
    this.#above = 0;
  }

  /** Structured-clonable, JSON-safe form (non-empty buckets only). */
  toJSON(): LogHistogramJSON {
    const indices: number[] = [];
    const counts: number[] = [];
    this.#counts.forEach((c, i) => {
      if (c > 0) {
        indices.push(i);
        counts.push(c);
      }
    });
    return {
      ratio: RATIO,
      lowest: LOWEST,
      highest: HIGHEST,
      count: this.#count,
      sum: this.#sum,
      min: this.#count > 0 ? this.#min : 0,
      max: this.#count > 0 ? this.#max : 0,
      zeros: this.#zeros,
      below: this.#below,
      above: this.#above,
      indices,
      counts,
    };
  }

  /**
   * Rebuild a histogram from {@link LogHistogram.toJSON} output.
   * @throws MetricsError `E2C_ERR_METRICS_INCOMPATIBLE` if it was written with another bucket layout
   */
  static fromJSON(data: LogHistogramJSON): LogHistogram {
    const histogram = new LogHistogram();
    histogram.#mergeJSON(data);
    return histogram;
  }

  #mergeJSON(data: LogHistogramJSON): void {
    if (data.ratio !== RATIO || data.lowest !== LOWEST || data.highest !== HIGHEST) {
      throw new MetricsError(MetricsErrorCode.INCOMPATIBLE, 'histogram bucket layouts differ', {
        ratio: data.ratio,
        lowest: data.lowest,
        highest: data.highest,
      });
    }
    if (data.count === 0) return;
    const counts = this.#counts;
    for (let k = 0; k < data.indices.length; k++) {
      const i = data.indices[k] as number;
      counts[i] = (counts[i] as number) + (data.counts[k] as number);
    }
    this.#count += data.count;
    this.#sum += data.sum;
    this.#zeros += data.zeros;
    this.#below += data.below;
    this.#above += data.above;
    if (data.min < this.#min) this.#min = data.min;
    if (data.max > this.#max) this.#max = data.max;
  }
}
