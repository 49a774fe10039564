/** Stable error codes of `src/resources/`. */
export const ResourceErrorCode = {
  /** A constructor option is out of range (pool size ≤ 0, negative queue limit, rate ≤ 0, …). */
  BAD_OPTION: 'E2C_ERR_RESOURCE_BAD_OPTION',
  /** `release()` on a pool with no thread held. */
  OVER_RELEASE: 'E2C_ERR_RESOURCE_OVER_RELEASE',
  /** A `request()` event failed because the pool's wait queue was full. */
  REJECTED: 'E2C_ERR_RESOURCE_REJECTED',
  /** A job's work or a transfer's size is negative, NaN or infinite. */
  BAD_AMOUNT: 'E2C_ERR_RESOURCE_BAD_AMOUNT',
  /** A processor-sharing rate curve returned a value that is not a finite number > 0. */
  BAD_RATE: 'E2C_ERR_RESOURCE_BAD_RATE',
  /** A transfer on a link would share the wire with bytes its owner booked (see Link.book). */
  BOOKED: 'E2C_ERR_RESOURCE_BOOKED',
} as const;

/** One of the {@link ResourceErrorCode} values. */
export type ResourceErrorCode = (typeof ResourceErrorCode)[keyof typeof ResourceErrorCode];

/** An error of the resources area; `details` holds the offending values. */
export class ResourceError extends Error {
  override readonly name = 'ResourceError';
  readonly code: ResourceErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ResourceErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** @internal Throw `BAD_OPTION` unless `value` satisfies `ok`. */
export function checkOption(owner: string, option: string, value: unknown, ok: boolean, why: string): void {
  if (!ok) {
    throw new ResourceError(
      ResourceErrorCode.BAD_OPTION,
      `${owner}: option ${option} = ${String(value)} ${why}`,
      {
        owner,
        option,
        value,
      },
    );
  }
}
