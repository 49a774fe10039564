/** Stable error codes of `src/explore/`. */
export const ExploreErrorCode = {
  /** A `--param` flag or an `explore.params` entry that cannot be read. */
  BAD_PARAM: 'E2C_ERR_EXPLORE_BAD_PARAM',
  /** No parameters to vary (neither `--param` nor the scenario's `explore.params`). */
  NO_PARAMS: 'E2C_ERR_EXPLORE_NO_PARAMS',
  /** An objective or constraint naming a metric that simulations do not produce, or malformed. */
  BAD_METRIC: 'E2C_ERR_EXPLORE_BAD_METRIC',
  /** A constraint that cannot be read (operator, right-hand side). */
  BAD_CONSTRAINT: 'E2C_ERR_EXPLORE_BAD_CONSTRAINT',
  /** An option value out of its range for the chosen method (e.g. a Sobol N that is not a power of 2). */
  BAD_OPTION: 'E2C_ERR_EXPLORE_BAD_OPTION',
  /**
   * The output folder holds a study of other inputs: the resolved scenario (its text or a file it uses: app,
   * host, link class, calibration, trace), the overrides or the e2ctwin version differ.
   */
  STUDY_MISMATCH: 'E2C_ERR_EXPLORE_STUDY_MISMATCH',
  /** The study's store (`study.sqlite`) is damaged, not a SQLite file, or a stored trial fails its checksum. */
  STORE_CORRUPT: 'E2C_ERR_EXPLORE_STORE_CORRUPT',
  /** A simulation failed inside a worker (not an input problem). */
  TRIAL_FAILED: 'E2C_ERR_EXPLORE_TRIAL_FAILED',
  /** The `--backend` Redis cannot be reached or refuses the connection (wrong password): nothing ran. */
  BACKEND_UNREACHABLE: 'E2C_ERR_EXPLORE_BACKEND_UNREACHABLE',
  /** The Redis of a running study stayed unreachable too long; finished trials are saved, the same command resumes. */
  BACKEND_LOST: 'E2C_ERR_EXPLORE_BACKEND_LOST',
  /** The study was interrupted (Ctrl-C); finished trials are saved and the same command resumes it. */
  INTERRUPTED: 'E2C_ERR_EXPLORE_INTERRUPTED',
} as const;
export type ExploreErrorCode = (typeof ExploreErrorCode)[keyof typeof ExploreErrorCode];

/** Codes that mean "the input is wrong" (the command line exits 2 for them). */
export const BAD_INPUT_CODES: ReadonlySet<ExploreErrorCode> = new Set([
  ExploreErrorCode.BAD_PARAM,
  ExploreErrorCode.NO_PARAMS,
  ExploreErrorCode.BAD_METRIC,
  ExploreErrorCode.BAD_CONSTRAINT,
  ExploreErrorCode.BAD_OPTION,
  ExploreErrorCode.STUDY_MISMATCH,
  ExploreErrorCode.STORE_CORRUPT,
  ExploreErrorCode.BACKEND_UNREACHABLE,
]);

/** An error of the explore area; `details` holds the offending values, `hint` a way out when obvious. */
export class ExploreError extends Error {
  override readonly name = 'ExploreError';
  constructor(
    readonly code: ExploreErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly hint?: string,
  ) {
    super(message);
  }
}
