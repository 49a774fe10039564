import path from 'node:path';
import { studentTQuantile } from '../../metrics/index.js';
import { loadScenario, suggest, type ResolvedScenario, type ScenarioIssue } from '../../scenario/index.js';
import { YamlSource } from '../../scenario/yaml-source.js';
import type { MeasuredConfig } from './history-matching.js';

/** Error codes of measurements (the calibrate layer's table, E2C_ERR_CALIBRATE_*). */
export const MeasurementErrorCode = {
  NONE: 'E2C_ERR_CALIBRATE_NO_MEASUREMENTS',
  CONFIG: 'E2C_ERR_CALIBRATE_MEASUREMENT_CONFIG',
  METRIC: 'E2C_ERR_CALIBRATE_MEASUREMENT_METRIC',
  RUN: 'E2C_ERR_CALIBRATE_MEASUREMENT_RUN',
  DUPLICATE: 'E2C_ERR_CALIBRATE_MEASUREMENT_DUPLICATE',
  NO_PARAMS: 'E2C_ERR_CALIBRATE_NO_PARAMS',
} as const;

/** A located problem of a measurement (file, line, column, field path), like a scenario's. */
export interface MeasurementIssue extends Omit<ScenarioIssue, 'code'> {
  code: string;
}

export class MeasurementError extends Error {
  readonly code = 'E2C_ERR_CALIBRATE_MEASUREMENTS_INVALID';
  constructor(readonly issues: MeasurementIssue[]) {
    super(`the measurements have ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
    this.name = 'MeasurementError';
  }
}

/** What a live run folder says, as the edge reads it (run.json, metrics.json; the trace must exist). */
export interface MeasuredRun {
  overrides: string[];
  durationS: number;
  warmupS: number;
  /** metrics.json: nested metrics, with `ci95` by flat key over the run's repetitions. */
  metrics: Record<string, unknown> & { ci95?: Record<string, { halfWidth?: number | null }> };
}

/** Reads a run folder, or says why it cannot serve as a measurement (no trace, not a live run, failed). */
export type RunReader = (dir: string) => MeasuredRun | string;

const DEFAULT_RUN_METRICS = ['responseTime.mean', 'throughput'];

/** A value of a nested metrics object by flat key (`responseTime.mean`, `pools.extract.utilization`). */
function lookup(metrics: Record<string, unknown>, key: string): number | undefined {
  let cur: unknown = metrics;
  for (const seg of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return typeof cur === 'number' ? cur : undefined;
}

/**
 * The scenario's measurements as configurations to calibrate on, every problem located in the file that
 * lists them: overrides that do not make a valid scenario, metric keys the simulator does not produce
 * (`metricKeys`, from a sample simulation), run folders that cannot be read or have no trace, metrics
 * a run cannot give an uncertainty for. Run folders are read relative to that file; a measurement from
 * runs also simulates the runs' measured window (run.duration and run.warmup).
 */
export function resolveMeasurements(
  scenarioFile: string,
  scenario: ResolvedScenario,
  o: { baseOverrides: readonly string[]; metricKeys: readonly string[]; readRun: RunReader },
): { ok: true; configs: MeasuredConfig[] } | { ok: false; issues: MeasurementIssue[] } {
  const cal = scenario.calibrate;
  const at = cal?.measurementsAt;
  const list = cal?.measurements ?? [];
  const scenarioSrc = YamlSource.read(scenarioFile);
  const top = (p: (string | number)[], code: string, message: string): MeasurementIssue =>
    scenarioSrc instanceof YamlSource
      ? { ...scenarioSrc.issue(code as never, p, message), code }
      : { code, file: scenarioFile, line: 0, column: 0, path: p.join('.'), message };
  if (!cal || Object.keys(cal.params).length === 0)
    return {
      ok: false,
      issues: [
        top(
          ['calibrate', 'params'],
          MeasurementErrorCode.NO_PARAMS,
          'no calibration parameters: give calibrate.params with a prior range {min, max, log} for each field to calibrate',
        ),
      ],
    };
  if (!at || list.length === 0)
    return {
      ok: false,
      issues: [
        top(
          ['calibrate'],
          MeasurementErrorCode.NONE,
          'no measurements: give calibrate.measurements (a list, or a file with measurements:)',
        ),
      ],
    };
  const src = YamlSource.read(at.file, path.relative(process.cwd(), at.file) || at.file);
  const issue = (p: (string | number)[], code: string, message: string, hint?: string): MeasurementIssue =>
    src instanceof YamlSource
      ? { ...src.issue(code as never, [...at.path, ...p], message, hint), code }
      : {
          code,
          file: at.file,
          line: 0,
          column: 0,
          path: [...at.path, ...p].join('.'),
          message,
          ...(hint ? { hint } : {}),
        };
  const issues: MeasurementIssue[] = [];
  const configs: MeasuredConfig[] = [];
  const seen = new Map<string, number>();
  list.forEach((m, i) => {
    const first = seen.get(m.name);
    if (first !== undefined)
      issues.push(
        issue(
          [i, 'name'],
          MeasurementErrorCode.DUPLICATE,
          `measurement "${m.name}" is already defined at measurements[${first}]`,
        ),
      );
    else seen.set(m.name, i);
    // Overrides as --set takes them; each remembers where it is written, to locate its problems.
    let set: { text: string; where: (string | number)[] }[] = Array.isArray(m.set)
      ? m.set.map((s, j) => ({ text: s, where: [i, 'set', j] }))
      : Object.entries(m.set).map(([k, v]) => ({
          text: `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`,
          where: [i, 'set', k],
        }));
    const metrics: MeasuredConfig['metrics'] = {};
    if (m.runs) {
      const runs: MeasuredRun[] = [];
      m.runs.forEach((dir, j) => {
        const r = o.readRun(path.resolve(path.dirname(at.file), dir));
        if (typeof r === 'string')
          issues.push(issue([i, 'runs', j], MeasurementErrorCode.RUN, `measurement "${m.name}": ${r}`));
        else runs.push(r);
      });
      if (runs.length !== m.runs.length) return;
      const first = runs[0]!;
      if (set.length === 0) set = first.overrides.map((s) => ({ text: s, where: [i, 'runs', 0] }));
      // Simulate what was measured: the run's duration and warm-up.
      set.push(
        { text: `run.duration=${first.durationS}`, where: [i, 'runs', 0] },
        { text: `run.warmup=${first.warmupS}`, where: [i, 'runs', 0] },
      );
      const keys = Array.isArray(m.metrics)
        ? m.metrics
        : m.metrics
          ? Object.keys(m.metrics)
          : DEFAULT_RUN_METRICS;
      for (const key of keys) {
        const values = runs.map((r) => lookup(r.metrics, key));
        if (values.some((v) => v === undefined || !Number.isFinite(v))) {
          issues.push(
            issue(
              [i, 'metrics'],
              MeasurementErrorCode.METRIC,
              `measurement "${m.name}": the run folders have no value of ${key}`,
              suggest(key, o.metricKeys),
            ),
          );
          continue;
        }
        const vs = values as number[];
        const value = vs.reduce((a, b) => a + b, 0) / vs.length;
        let ci95: number | undefined;
        if (vs.length >= 2) {
          const sd = Math.sqrt(vs.reduce((a, v) => a + (v - value) ** 2, 0) / (vs.length - 1));
          ci95 = (studentTQuantile(0.975, vs.length - 1) * sd) / Math.sqrt(vs.length);
        } else {
          const hw = first.metrics.ci95?.[key]?.halfWidth;
          ci95 = typeof hw === 'number' && Number.isFinite(hw) ? hw : undefined;
        }
        if (ci95 === undefined) {
          issues.push(
            issue(
              [i, 'runs'],
              MeasurementErrorCode.RUN,
              `measurement "${m.name}": one run with one repetition gives no uncertainty for ${key}; give several runs, a run with --repeat ≥ 2, or metrics: {${key}: {value, ci95}}`,
            ),
          );
          continue;
        }
        metrics[key] = { value, ci95 };
      }
    } else if (m.metrics && !Array.isArray(m.metrics)) {
      Object.assign(metrics, m.metrics);
    }
    for (const key of Object.keys(metrics)) {
      if (!o.metricKeys.includes(key)) {
        issues.push(
          issue(
            [i, 'metrics', key],
            MeasurementErrorCode.METRIC,
            `measurement "${m.name}": unknown metric "${key}"`,
            suggest(key, o.metricKeys),
          ),
        );
        delete metrics[key];
      }
    }
    const r = loadScenario(scenarioFile, { overrides: [...o.baseOverrides, ...set.map((s) => s.text)] });
    if (!r.ok) {
      for (const si of r.issues) {
        // An override's problem points at the override in the measurements; the scenario's own stays where it is.
        const hit =
          si.file === '--set'
            ? set.find(
                (s) => si.message.includes(`--set ${s.text})`) || s.text.split('=')[0]!.trim() === si.path,
              )
            : undefined;
        if (hit)
          issues.push(
            issue(hit.where, MeasurementErrorCode.CONFIG, `measurement "${m.name}": ${si.message}`, si.hint),
          );
        else issues.push({ ...si, message: `measurement "${m.name}": ${si.message}` });
      }
      return;
    }
    configs.push({ name: m.name, overrides: [...o.baseOverrides, ...set.map((s) => s.text)], metrics });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, configs };
}
