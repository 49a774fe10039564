import type { ScenarioIssue } from '../scenario/index.js';

/**
 * The interop layer's error table: problems (and warnings) met while translating another tool's files
 * (E2Clab's) into a scenario or back. Each is located in the file it is about.
 */
export const InteropErrorCode = {
  /** A file that cannot be read (missing, a folder, too large). */
  FILE: 'E2C_ERR_INTEROP_FILE',
  SYNTAX: 'E2C_ERR_INTEROP_SYNTAX',
  INVALID_VALUE: 'E2C_ERR_INTEROP_INVALID_VALUE',
  MISSING_FIELD: 'E2C_ERR_INTEROP_MISSING_FIELD',
  /** A key the other tool's schema does not allow (E2Clab would refuse the file too). */
  UNKNOWN_KEY: 'E2C_ERR_INTEROP_UNKNOWN_KEY',
  /** A testbed block E2Clab does not support (only g5k, iotlab, chameleoncloud, chameleonedge). */
  UNKNOWN_TESTBED: 'E2C_ERR_INTEROP_UNKNOWN_TESTBED',
  /** A delay, rate or loss string that is not a number with a known unit ("10 parsecs"). */
  BAD_UNIT: 'E2C_ERR_INTEROP_BAD_UNIT',
  /** A selector (hosts, src, dst, service_selector) that matches no service. */
  DANGLING_SELECTOR: 'E2C_ERR_INTEROP_DANGLING_SELECTOR',
  /** Warning: a field the translation does not carry over (or keeps only as metadata). */
  UNMAPPED: 'E2C_ERR_INTEROP_UNMAPPED',
} as const;
export type InteropErrorCode = (typeof InteropErrorCode)[keyof typeof InteropErrorCode];

/** A located problem or warning in a file being translated. */
export type InteropIssue = Omit<ScenarioIssue, 'code'> & { code: InteropErrorCode };

/** Thrown by the import/export entry points when the input cannot be translated; carries every issue. */
export class InteropError extends Error {
  readonly code = 'E2C_ERR_INTEROP_INVALID';
  constructor(readonly issues: InteropIssue[]) {
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} in the input`);
    this.name = 'InteropError';
  }
}
