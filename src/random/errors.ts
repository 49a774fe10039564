/** Stable error codes of `src/random/`. */
export const RandomErrorCode = {
  /** A distribution parameter is out of its domain (negative mean, cv ≤ 0, min > max, …). */
  BAD_PARAMETER: 'E2C_ERR_RANDOM_BAD_PARAMETER',
  /** A distribution name that `DistSpec` does not know. */
  UNKNOWN_DIST: 'E2C_ERR_RANDOM_UNKNOWN_DIST',
} as const;

/** One of the {@link RandomErrorCode} values. */
export type RandomErrorCode = (typeof RandomErrorCode)[keyof typeof RandomErrorCode];

/**
 * A distribution specification that cannot be sampled. `dist`, `parameter` and `value` name the
 * offending field. Scenarios are validated before they reach this layer, so this is a safety net
 * for programmatic use.
 */
export class RandomError extends Error {
  override readonly name = 'RandomError';
  readonly code: RandomErrorCode;
  readonly dist: string;
  readonly parameter: string;
  readonly value: unknown;

  constructor(code: RandomErrorCode, message: string, dist: string, parameter: string, value: unknown) {
    super(message);
    this.code = code;
    this.dist = dist;
    this.parameter = parameter;
    this.value = value;
  }
}
