import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseTraceJsonl, type SpanRecord } from '../trace/index.js';

/**
 * The trace of a run folder: `trace.jsonl`, or `trace.jsonl.gz` as shipped campaigns keep it; undefined
 * when the folder has neither.
 */
export function readRunTrace(dir: string): { spans: SpanRecord[]; file: string } | undefined {
  const plain = path.join(dir, 'trace.jsonl');
  if (existsSync(plain)) return { spans: parseTraceJsonl(readFileSync(plain, 'utf8')).spans, file: plain };
  const gz = `${plain}.gz`;
  if (existsSync(gz)) return { spans: parseTraceJsonl(gunzipSync(readFileSync(gz)).toString('utf8')).spans, file: gz };
  return undefined;
}

/** What `live --out` wrote about a run: enough to reuse it as a measurement. */
export interface MeasuredRunFolder {
  dir: string;
  status: string;
  failure?: string;
  overrides: string[];
  scenario: string;
  durationS: number;
  warmupS: number;
  windows: { start: number; warmupEnd: number; end: number }[];
  metrics: Record<string, unknown> & { ci95?: Record<string, { lo: number | null; hi: number | null }>; replications?: number };
  spans: SpanRecord[];
}

/**
 * Reads a live run folder (run.json, metrics.json and the trace); a reason string when it cannot serve
 * as a measurement (missing, not a live run, failed or interrupted, no metrics or trace).
 */
export function readMeasuredRun(dir: string): MeasuredRunFolder | string {
  const runFile = path.join(dir, 'run.json');
  if (!existsSync(runFile)) return `no run folder ${dir}`;
  const run = JSON.parse(readFileSync(runFile, 'utf8')) as { kind?: string; status?: string; failure?: string; overrides?: string[]; scenario?: string; durationS?: number; warmupS?: number; windows?: MeasuredRunFolder['windows'] };
  if (run.kind !== 'live') return `${dir} is not a live run (run.json kind ${JSON.stringify(run.kind)})`;
  if (run.status !== 'ok') return `the live run in ${dir} ${run.status === 'interrupted' ? 'was interrupted' : 'failed'}${run.failure ? `: ${run.failure}` : ''}`;
  const metricsFile = path.join(dir, 'metrics.json');
  if (!existsSync(metricsFile)) return `${dir} has no metrics.json`;
  const trace = readRunTrace(dir);
  if (!trace) return `${dir} has no trace.jsonl (or trace.jsonl.gz)`;
  return {
    dir, status: run.status, overrides: run.overrides ?? [], scenario: run.scenario ?? '',
    durationS: run.durationS ?? NaN, warmupS: run.warmupS ?? 0, windows: run.windows ?? [],
    metrics: JSON.parse(readFileSync(metricsFile, 'utf8')) as MeasuredRunFolder['metrics'],
    spans: trace.spans,
  };
}
