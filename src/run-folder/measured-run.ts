import path from 'node:path';
import { z } from 'zod';
import { formatPath, type ResolvedScenario } from '../scenario/index.js';
import type { SpanRecord } from '../trace/index.js';
import { RunFolderError, RunFolderErrorCode as Code } from './errors.js';
import { readRunJson } from './read-file.js';
import { readRunTrace, traceFileOf } from './read-trace.js';
import { LiveRunJson, RunJson, type RunWindow } from './run-json.js';

// The shapes of the run folder files that calibration and validation read back: run.json by its kind's
// schema (run-json.ts), the others as loose objects (a run folder holds more than these fields; only
// what is used is checked).
const num = z.number();
const RunInfo = z.looseObject({ kind: z.string() });
const estimate = z.number().nullable();
const Metrics = z.looseObject({
  responseTime: z.looseObject({ mean: estimate, p95: estimate }),
  throughput: estimate,
  replications: z.number().int().positive().optional(),
  ci95: z.record(z.string(), z.looseObject({ lo: estimate, hi: estimate })).optional(),
});
const ResolvedShape = z.looseObject({
  name: z.string(),
  seed: z.number(),
  run: z.looseObject({}),
  layers: z.array(z.looseObject({ name: z.string(), services: z.array(z.unknown()) })),
  services: z.array(z.looseObject({ id: z.string() })).min(1),
  network: z.array(z.unknown()),
  source: z.looseObject({ file: z.string(), dir: z.string() }),
});

/** A JSON file of a run folder checked against a shape; the first mismatch is an error naming the field. */
export function readRunJsonAs<T extends z.ZodType>(file: string, shape: T): z.output<T> {
  const value = readRunJson(file);
  const r = shape.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new RunFolderError(
    Code.READ_SHAPE,
    { file, field: formatPath(issue.path) || undefined },
    issue.message.replace(/^Invalid input: /, ''),
  );
}

export type MeasuredMetrics = z.output<typeof Metrics>;

/** What `live --out` wrote about a run: enough to reuse it as a measurement. */
export interface MeasuredRunFolder {
  dir: string;
  status: string;
  overrides: string[];
  scenario: string;
  durationS: number;
  warmupS: number;
  windows: RunWindow[];
  metrics: MeasuredMetrics;
  spans: SpanRecord[];
}

/**
 * Reads a live run folder as a measurement. A folder that is fine but cannot serve (not a live run, a
 * failed or interrupted one) gives the reason as a string; a corrupt folder (a missing, unparsable or
 * mis-shaped run.json, metrics.json or trace) throws a {@link RunFolderError} naming the file.
 */
export function readMeasuredRun(dir: string): MeasuredRunFolder | string {
  const runFile = path.join(dir, 'run.json');
  const info = readRunJsonAs(runFile, RunInfo);
  if (info.kind !== 'live') return `${dir} is not a live run (run.json kind ${JSON.stringify(info.kind)})`;
  const run = readRunJsonAs(runFile, LiveRunJson);
  if (run.status !== 'ok')
    return `the live run in ${dir} ${run.status === 'interrupted' ? 'was interrupted' : 'failed'}${run.failure ? `: ${run.failure}` : ''}`;
  const metrics = readRunJsonAs(path.join(dir, 'metrics.json'), Metrics);
  const trace = requireTrace(dir);
  return {
    dir,
    status: run.status,
    overrides: run.overrides,
    scenario: run.scenario,
    durationS: run.durationS,
    warmupS: run.warmupS,
    windows: run.windows,
    metrics,
    spans: trace.spans,
  };
}

/** The trace of a run folder, a missing one being an error that names both files it looked for. */
export function requireTrace(dir: string): NonNullable<ReturnType<typeof readRunTrace>> {
  const trace = readRunTrace(dir);
  if (!trace)
    throw new RunFolderError(
      Code.READ_MISSING,
      { file: path.join(dir, 'trace.jsonl') },
      'no such file (nor trace.jsonl.gz): is it a run folder?',
    );
  return trace;
}

/** A run folder as calibration reads it back to re-simulate it: the scenario as it ran and what it measured. */
export interface RecordedRun {
  scenario: ResolvedScenario;
  kind: string;
  /** Live runs: the measured window (seconds) and the windows of its repetitions. */
  durationS?: number;
  warmupS?: number;
  windows?: RunWindow[];
  measured: { mean: number; p95: number; throughput: number };
  spans: SpanRecord[];
}

const MeasuredNumbers = z.looseObject({
  responseTime: z.looseObject({ mean: num, p95: num }),
  throughput: num,
});

/**
 * Reads scenario.resolved.json, run.json, metrics.json and the trace of a run folder (simulated or live),
 * each checked; any problem is a {@link RunFolderError} naming the file.
 */
export function readRecordedRun(dir: string): RecordedRun {
  const scenario = readResolvedScenario(dir);
  const info = readRunInfo(dir);
  const live = info.kind === 'live' ? info : undefined;
  const m = readRunJsonAs(path.join(dir, 'metrics.json'), MeasuredNumbers);
  return {
    scenario,
    kind: info.kind,
    ...(live ? { durationS: live.durationS, warmupS: live.warmupS, windows: live.windows } : {}),
    measured: { mean: m.responseTime.mean, p95: m.responseTime.p95, throughput: m.throughput },
    spans: traceFileOf(dir) ? requireTrace(dir).spans : [],
  };
}

/** run.json of a run folder, checked against its kind's schema (an unknown kind is an error naming `kind`). */
export function readRunInfo(dir: string): RunJson {
  return readRunJsonAs(path.join(dir, 'run.json'), RunJson);
}

/** scenario.resolved.json of a run folder, its outline checked (the scenario as it ran, already validated when it ran). */
export function readResolvedScenario(dir: string): ResolvedScenario {
  return readRunJsonAs(
    path.join(dir, 'scenario.resolved.json'),
    ResolvedShape,
  ) as unknown as ResolvedScenario;
}
