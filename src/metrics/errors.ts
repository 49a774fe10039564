/** Stable error codes of `src/metrics/`. */
export const MetricsErrorCode = {
  /** A recorded value is NaN, or negative where only non-negative values make sense. */
  BAD_VALUE: 'E2C_ERR_METRICS_BAD_VALUE',
  /** A quantile or confidence level outside its range. */
  BAD_PROBABILITY: 'E2C_ERR_METRICS_BAD_PROBABILITY',
  /** A time-weighted statistic was updated at a time earlier than its last update. */
  TIME_BACKWARDS: 'E2C_ERR_METRICS_TIME_BACKWARDS',
  /** Merging or loading a histogram whose bucket layout differs from this one's. */
  INCOMPATIBLE: 'E2C_ERR_METRICS_INCOMPATIBLE',
} as const;

/** One of the {@link MetricsErrorCode} values. */
export type MetricsErrorCode = (typeof MetricsErrorCode)[keyof typeof MetricsErrorCode];

/** An error of the metrics area; `details` holds the offending values. */
export class MetricsError extends Error {
  override readonly name = 'MetricsError';
  readonly code: MetricsErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: MetricsErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}
