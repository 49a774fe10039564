/** The trace layer's error table (`E2C_ERR_TRACE_*`). */
export const TraceErrorCode = {
  /** The text is not an e2ctwin trace: its first line is not the trace header. */
  FORMAT: 'E2C_ERR_TRACE_FORMAT',
} as const;
export type TraceErrorCode = (typeof TraceErrorCode)[keyof typeof TraceErrorCode];

/** An error of the trace layer; the message is complete on its own. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
  constructor(
    readonly code: TraceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
