/**
 * Error codes of the kernel area, and the two error types it throws.
 *
 * Errors are data: each carries a stable `code` and the offending values as fields, so the CLI and
 * the server can format them once for humans.
 */

/** Stable error codes of `src/kernel/`. */
export const KernelErrorCode = {
  /** A handler (or a generator process) threw while an event was being processed. */
  HANDLER_FAILED: 'E2C_ERR_KERNEL_HANDLER_FAILED',
  /** A delay or time was NaN, infinite, or would schedule an event in the past. */
  BAD_DELAY: 'E2C_ERR_KERNEL_BAD_DELAY',
  /** More than 2^26 events pending at once (a runaway model). */
  TOO_MANY_EVENTS: 'E2C_ERR_KERNEL_TOO_MANY_EVENTS',
  /** `run({ until })` was given a time before `now`, or NaN. */
  BAD_UNTIL: 'E2C_ERR_KERNEL_BAD_UNTIL',
  /** `run()` was called from inside a handler of the same environment. */
  RUN_REENTERED: 'E2C_ERR_KERNEL_RUN_REENTERED',
  /** A failed `SimEvent` was processed and nobody defused it. */
  EVENT_FAILED: 'E2C_ERR_KERNEL_EVENT_FAILED',
  /** `succeed()`/`fail()` on an event that is already triggered. */
  EVENT_ALREADY_TRIGGERED: 'E2C_ERR_KERNEL_EVENT_ALREADY_TRIGGERED',
  /** A generator process yielded something that is not a `SimEvent`. */
  BAD_YIELD: 'E2C_ERR_KERNEL_BAD_YIELD',
  /** `interrupt()` on a process that has terminated, or by the process itself. */
  BAD_INTERRUPT: 'E2C_ERR_KERNEL_BAD_INTERRUPT',
  /** An event of one `Env` was used in another. */
  FOREIGN_EVENT: 'E2C_ERR_KERNEL_FOREIGN_EVENT',
} as const;

/** One of the {@link KernelErrorCode} values. */
export type KernelErrorCode = (typeof KernelErrorCode)[keyof typeof KernelErrorCode];

/**
 * An error raised by the kernel. `now` is the simulated time (seconds) when it happened; `details`
 * holds the offending values (for example `{ delay: -1 }`).
 */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  readonly code: KernelErrorCode;
  readonly now: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: KernelErrorCode,
    message: string,
    now: number,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.now = now;
    this.details = details;
  }
}

/**
 * Thrown into a generator process by `process.interrupt(cause)`. Like SimPy's `Interrupt`, the
 * process may catch it and carry on; if it does not, the process fails with it.
 */
export class Interrupt extends Error {
  override readonly name = 'Interrupt';

  constructor(cause?: unknown) {
    super(`process interrupted${cause === undefined ? '' : `: ${String(cause)}`}`, { cause });
  }
}
