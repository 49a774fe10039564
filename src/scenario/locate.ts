import type { ScenarioErrorCode, ScenarioIssue } from './errors.js';
import { YamlSource } from './yaml-source.js';

/**
 * A located issue about a field of a scenario file, for problems found after loading (a calibration target
 * the simulations do not produce): the file is read again to find the line of `path`. If the field is not
 * written in the file (it came from an override), the issue points at its nearest written ancestor.
 */
export function scenarioIssueAt(
  file: string,
  path: readonly PropertyKey[],
  code: ScenarioErrorCode,
  message: string,
  options: { hint?: string; key?: boolean } = {},
): ScenarioIssue {
  const src = YamlSource.read(file);
  if (!(src instanceof YamlSource))
    return {
      code,
      file,
      line: 0,
      column: 0,
      path: path.map(String).join('.'),
      message,
      ...(options.hint !== undefined ? { hint: options.hint } : {}),
    };
  return src.issue(code, path, message, options.hint, options.key ?? false);
}
