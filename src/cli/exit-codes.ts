/** Process exit statuses of the e2ctwin command. */
export const ExitCode = {
  OK: 0,
  /** A run failed for a reason other than its input (a live host, an I/O error). */
  FAILURE: 1,
  /** The input is wrong: a bad scenario, a bad override, a bad option. Nothing ran. */
  BAD_INPUT: 2,
} as const;
