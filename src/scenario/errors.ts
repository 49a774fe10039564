/**
 * The scenario layer's error table. Every problem found in a scenario is an issue (data), never a throw
 * in the middle of validation: callers get all of them at once and format them at the edge (cli/, server/).
 */
export const ScenarioErrorCode = {
  FILE_MISSING: 'E2C_ERR_SCENARIO_FILE_MISSING',
  /** A file named by the scenario lies outside the allowed folders (it was not touched). */
  FILE_OUTSIDE_ROOTS: 'E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS',
  /** A folder, device, FIFO or socket where a file was expected (it was not opened). */
  FILE_SPECIAL: 'E2C_ERR_SCENARIO_FILE_SPECIAL',
  /** A file over the size limit of its kind (it was not read). */
  FILE_TOO_LARGE: 'E2C_ERR_SCENARIO_FILE_TOO_LARGE',
  /** A file that exists but cannot be read (permissions, a symlink loop). */
  FILE_UNREADABLE: 'E2C_ERR_SCENARIO_FILE_UNREADABLE',
  /** A trace CSV without the scenario's column, or with a row that has no valid time. */
  TRACE: 'E2C_ERR_SCENARIO_TRACE',
  SYNTAX: 'E2C_ERR_SCENARIO_SYNTAX',
  INVALID_VALUE: 'E2C_ERR_SCENARIO_INVALID_VALUE',
  MISSING_FIELD: 'E2C_ERR_SCENARIO_MISSING_FIELD',
  UNKNOWN_KEY: 'E2C_ERR_SCENARIO_UNKNOWN_KEY',
  DANGLING_REFERENCE: 'E2C_ERR_SCENARIO_DANGLING_REFERENCE',
  PRESET_MISSING: 'E2C_ERR_SCENARIO_PRESET_MISSING',
  INCLUDE_CYCLE: 'E2C_ERR_SCENARIO_INCLUDE_CYCLE',
  DUPLICATE_NAME: 'E2C_ERR_SCENARIO_DUPLICATE_NAME',
  BAD_OVERRIDE: 'E2C_ERR_SCENARIO_BAD_OVERRIDE',
} as const;
export type ScenarioErrorCode = (typeof ScenarioErrorCode)[keyof typeof ScenarioErrorCode];

/** One located problem in a scenario (or in a preset or override it uses). */
export interface ScenarioIssue {
  code: ScenarioErrorCode;
  /** File the problem is in, as given by the user (or `--set` for an override). */
  file: string;
  /** 1-based line and column; 0 when the problem has no position (e.g. a missing file). */
  line: number;
  column: number;
  /** Field path such as `layers[0].services[1].quantity`; empty for the whole document. */
  path: string;
  message: string;
  /** A suggestion when one is obvious ("did you mean …"). */
  hint?: string;
}

/** Thrown by {@link loadScenarioOrThrow}; carries every issue found. */
export class ScenarioError extends Error {
  readonly code = 'E2C_ERR_SCENARIO_INVALID';
  constructor(readonly issues: ScenarioIssue[]) {
    super(`scenario has ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
    this.name = 'ScenarioError';
  }
}

/** `layers[0].services[1].quantity` from ['layers', 0, 'services', 1, 'quantity']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
