import path from 'node:path';
import { ScenarioError, ScenarioErrorCode, type ScenarioIssue } from './errors.js';
import { displayPath, FilePolicy, type FileRoots } from './file-policy.js';
import type { ResolvedScenario } from './resolved.js';

/** What a trace workload says about its file. */
export interface TraceRef {
  file: string;
  column: string;
  timeScale: number;
}

/** Builds an issue located at the scenario field that names the trace (or its column). */
export type FieldIssue = (
  field: 'file' | 'column',
  code: ScenarioIssue['code'],
  message: string,
  hint?: string,
) => ScenarioIssue;

/** Bad rows reported one by one per file; the rest are counted in one more issue. */
const MAX_ROW_ISSUES = 5;

// The arrival times read when a scenario was loaded (and checked), by resolved scenario: the simulation
// uses exactly what validation read, without reading the file a second time.
const loaded = new WeakMap<ResolvedScenario, ReadonlyMap<string, Float64Array>>();

/** Records the arrival times read while loading `scenario` (the loader calls this). */
export function rememberTraces(scenario: ResolvedScenario, traces: ReadonlyMap<string, Float64Array>): void {
  loaded.set(scenario, traces);
}

/**
 * Reads one trace CSV (header row, then one arrival per row) under the file policy: the times of
 * `ref.column`, scaled and sorted. A refused file or a missing column is an issue at the scenario's field;
 * a bad row is an issue at the CSV's line and column, naming the field but not quoting the row.
 */
export function readTraceFile(
  policy: FilePolicy,
  scenarioDir: string,
  ref: TraceRef,
  at: FieldIssue,
): { times?: Float64Array; issues: ScenarioIssue[] } {
  const r = policy.read(path.resolve(scenarioDir, ref.file), 'trace');
  if (!r.ok) {
    const message =
      r.refusal.code === ScenarioErrorCode.FILE_MISSING
        ? `trace file ${ref.file} not found`
        : `trace file ${r.refusal.message}`;
    return { issues: [at('file', r.refusal.code, message, r.refusal.hint)] };
  }
  const shown = displayPath(r.real);
  const lines = r.text.split('\n');
  const header = (lines[0] ?? '')
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .split(',')
    .map((h) => h.trim());
  const col = header.indexOf(ref.column);
  if (col < 0)
    return {
      issues: [
        at(
          'column',
          ScenarioErrorCode.TRACE,
          `trace file ${shown} has no column "${ref.column}" in its header (line 1)`,
        ),
      ],
    };
  const issues: ScenarioIssue[] = [];
  let bad = 0;
  const times: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = line.split(',');
    const cell = fields[col];
    const t = cell === undefined || cell.trim() === '' ? NaN : Number(cell);
    if (Number.isFinite(t) && t >= 0) {
      times.push(t * ref.timeScale);
      continue;
    }
    bad++;
    if (bad <= MAX_ROW_ISSUES) {
      const column =
        cell === undefined ? line.length + 1 : fields.slice(0, col).reduce((n, f) => n + f.length + 1, 0) + 1;
      issues.push({
        code: ScenarioErrorCode.TRACE,
        file: shown,
        line: i + 1,
        column,
        path: ref.column,
        message: `field ${col + 1} (column "${ref.column}") ${cell === undefined ? 'is missing' : 'is not a time ≥ 0'}`,
      });
    }
  }
  if (bad > MAX_ROW_ISSUES) {
    issues.push({
      code: ScenarioErrorCode.TRACE,
      file: shown,
      line: 0,
      column: 0,
      path: ref.column,
      message: `${bad - MAX_ROW_ISSUES} more rows without a valid time in column "${ref.column}"`,
    });
  }
  return issues.length > 0 ? { issues } : { times: Float64Array.from(times).sort(), issues };
}

/**
 * The arrival times of the scenario's trace workloads, by service id. The simulator receives plain
 * numbers; only this layer reads files. A scenario from {@link loadScenario} gets the times read (and
 * checked) while it was loaded; another one (e.g. parsed from a run folder) is read now, under the default
 * policy of its folder plus `roots`.
 * @throws ScenarioError naming the file and line of a bad row, or the refused file
 */
export function readTraces(scenario: ResolvedScenario, roots: FileRoots = {}): Map<string, Float64Array> {
  const known = loaded.get(scenario);
  if (known) return new Map(known);
  const policy = FilePolicy.forScenario(scenario.source.file, roots);
  const out = new Map<string, Float64Array>();
  const issues: ScenarioIssue[] = [];
  for (const s of scenario.services) {
    const w = s.workload;
    if (w?.kind !== 'trace') continue;
    const at: FieldIssue = (field, code, message, hint) => ({
      code,
      file: displayPath(scenario.source.file),
      line: 0,
      column: 0,
      path: `${s.id}.workload.${field}`,
      message,
      ...(hint ? { hint } : {}),
    });
    const r = readTraceFile(policy, scenario.source.dir, w, at);
    issues.push(...r.issues);
    if (r.times) out.set(s.id, r.times);
  }
  if (issues.length > 0) throw new ScenarioError(issues);
  return out;
}
