import type { LiveError } from '../live/errors.js';
import { formatPath, resolveFieldPath, YamlSource } from '../scenario/index.js';

/**
 * A live plan error as the CLI prints it. One that names a service's field (`details.service`, and
 * `details.field` such as `autoscale.metric`) is located in the scenario file as its issues are
 * (`file:line:col path: message`); the file is read again to find the line. An error about a timed
 * event (`details.event`) is not (the events are in time order, not the file's), nor one whose service
 * the file does not write (a preset's).
 */
export function formatLivePlanError(e: LiveError, scenarioFile: string): string {
  const plain = `error: ${e.message} [${e.code}]`;
  const d = e.details as { service?: unknown; field?: unknown; event?: unknown };
  if (typeof d.service !== 'string' || d.event !== undefined) return plain;
  const src = YamlSource.read(scenarioFile);
  if (!(src instanceof YamlSource)) return plain;
  const r = resolveFieldPath(src.toJS(), d.service);
  if (!('path' in r)) return plain;
  const path = [...r.path, ...(typeof d.field === 'string' ? d.field.split('.') : [])];
  const at = src.locate(path, true);
  return `error: ${scenarioFile}:${at.line}:${at.column} ${formatPath(path)}: ${e.message} [${e.code}]`;
}
