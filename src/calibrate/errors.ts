/**
 * The calibrate layer's error table (`E2C_ERR_CALIBRATE_*`): fitting demand laws and parameters, and
 * validating the twin on held-out configurations. Each error carries the offending values as `details`.
 */
export const CalibrateErrorCode = {
  /** A file named on the command line (`--calibration`, `--configs`, `--live-runs`) does not exist. */
  FILE_MISSING: 'E2C_ERR_CALIBRATE_FILE_MISSING',
  /** No way to measure the held-out configurations was given, or none of them could be measured. */
  NO_MEASUREMENTS: 'E2C_ERR_CALIBRATE_NO_MEASUREMENTS',
  /** Live runs were asked for but no folder to write their run folders in was given. */
  NO_OUT: 'E2C_ERR_CALIBRATE_NO_OUT',
  /** A reused run folder measured another configuration (other overrides) or another scenario. */
  RUN_MISMATCH: 'E2C_ERR_CALIBRATE_RUN_MISMATCH',
  /** Too few samples to fit a law (fewer than 5 positive values, or no stage with enough spans). */
  TOO_FEW: 'E2C_ERR_CALIBRATE_TOO_FEW',
  /** A scenario marks no calibratable parameters (no `calibrate:` section). */
  NOTHING: 'E2C_ERR_CALIBRATE_NOTHING',
  /** A held-out file is unreadable or invalid (its issues are listed, located). */
  HELD_OUT_INVALID: 'E2C_ERR_CALIBRATE_HELD_OUT_INVALID',
  /** Two held-out configurations share a name. */
  HELD_OUT_DUPLICATE: 'E2C_ERR_CALIBRATE_HELD_OUT_DUPLICATE',
  /** A held-out configuration does not make a valid scenario. */
  HELD_OUT_CONFIG: 'E2C_ERR_CALIBRATE_HELD_OUT_CONFIG',
} as const;
export type CalibrateErrorCode = (typeof CalibrateErrorCode)[keyof typeof CalibrateErrorCode];

/** Codes that mean "the input is wrong, nothing ran" (the command line exits 2 for them). */
export const CALIBRATE_BAD_INPUT: ReadonlySet<CalibrateErrorCode> = new Set([
  CalibrateErrorCode.FILE_MISSING,
  CalibrateErrorCode.NO_MEASUREMENTS,
  CalibrateErrorCode.NO_OUT,
  CalibrateErrorCode.RUN_MISMATCH,
]);

/** An error of the calibrate layer; the message is complete on its own, `details` holds the offending values. */
export class CalibrateError extends Error {
  override readonly name = 'CalibrateError';
  constructor(
    readonly code: CalibrateErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  /** True when the input is wrong (exit 2): see {@link CALIBRATE_BAD_INPUT}. */
  get badInput(): boolean {
    return CALIBRATE_BAD_INPUT.has(this.code);
  }
}
