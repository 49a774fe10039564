/** Stable error codes of live mode (`E2C_ERR_LIVE_*`), with the offending values as fields. */
export const LiveErrorCode = {
  /** The testbed file is unreadable or invalid. */
  TESTBED: 'E2C_ERR_LIVE_TESTBED',
  /** The scenario cannot be placed on the testbed (a service without hosts, a port clash, a bad reference). */
  PLAN: 'E2C_ERR_LIVE_PLAN',
  /** A command run on a host failed. */
  COMMAND: 'E2C_ERR_LIVE_COMMAND',
  /** A host could not be reached or provisioned. */
  HOST: 'E2C_ERR_LIVE_HOST',
  /** A service did not become ready, or died during the run. */
  SERVICE: 'E2C_ERR_LIVE_SERVICE',
  /** A tool the provider needs is missing (not root, no sshd, no socat, …). */
  REQUIREMENT: 'E2C_ERR_LIVE_REQUIREMENT',
  /** The run folder (`--out`) cannot be written: not a folder, or a folder that is not a run folder. */
  OUT: 'E2C_ERR_LIVE_OUT',
  /** The run was interrupted (Ctrl-C, SIGTERM). */
  INTERRUPTED: 'E2C_ERR_LIVE_INTERRUPTED',
} as const;
export type LiveErrorCode = (typeof LiveErrorCode)[keyof typeof LiveErrorCode];

export class LiveError extends Error {
  constructor(
    readonly code: LiveErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LiveError';
  }
}
