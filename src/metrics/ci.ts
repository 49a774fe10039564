import { MetricsError, MetricsErrorCode } from './errors.js';
import { studentTQuantile } from './student-t.js';

/** A confidence interval for a mean: `mean ± halfWidth` = [`lo`, `hi`] over `n` values. */
export interface ConfidenceInterval {
  mean: number;
  halfWidth: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Student-t confidence interval for the mean of independent values (e.g. one value per
 * replication): mean ± t(1 − (1 − level)/2, n − 1)·s/√n. With fewer than two values the half-width
 * is NaN (no spread can be estimated), and with none the mean is NaN too.
 * @throws MetricsError `E2C_ERR_METRICS_BAD_PROBABILITY` unless 0 < level < 1
 */
export function ci(values: readonly number[], level = 0.95): ConfidenceInterval {
  if (!(level > 0 && level < 1)) {
    throw new MetricsError(MetricsErrorCode.BAD_PROBABILITY, `confidence level ${level} is not in (0, 1)`, {
      level,
    });
  }
  const n = values.length;
  let mean = 0;
  for (const x of values) mean += x;
  mean = n > 0 ? mean / n : NaN;
  if (n < 2) return { mean, halfWidth: NaN, lo: NaN, hi: NaN, n };
  let ss = 0;
  for (const x of values) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  const halfWidth = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { mean, halfWidth, lo: mean - halfWidth, hi: mean + halfWidth, n };
}

/** 95 % Student-t confidence interval for the mean of `values`; see {@link ci}. */
export function ci95(values: readonly number[]): ConfidenceInterval {
  return ci(values, 0.95);
}
