import { existsSync } from 'node:fs';
import path from 'node:path';
import { TRACE_FORMAT, type SpanKind, type SpanRecord, type TraceHeader } from '../trace/index.js';
import { RunFolderError, RunFolderErrorCode as Code } from './errors.js';
import { parseJsonAt, readRunText, readRunTextAsync } from './read-file.js';

const KINDS: ReadonlySet<SpanKind> = new Set(['request', 'wait', 'stage', 'network']);
// 'failed': a live request that got no answer (the driver's connection errors), as SpanRecord allows.
const STATUSES: ReadonlySet<string> = new Set(['ok', 'rejected', 'abandoned', 'failed']);

/** The trace file of a run folder: `trace.jsonl`, or `trace.jsonl.gz` as shipped campaigns keep it; undefined when neither exists. */
export function traceFileOf(dir: string): string | undefined {
  const plain = path.join(dir, 'trace.jsonl');
  if (existsSync(plain)) return plain;
  return existsSync(`${plain}.gz`) ? `${plain}.gz` : undefined;
}

type ReadTrace = { header: TraceHeader; spans: SpanRecord[]; file: string; lines?: string[] };

/** Checks and keeps a trace's lines one at a time (the header first), for readRunTrace and readRunTraceInSlices. */
class TraceLines {
  header: TraceHeader | undefined;
  readonly spans: SpanRecord[] = [];
  readonly kept: string[] = [];
  constructor(
    readonly file: string,
    readonly keepLines: boolean,
  ) {}

  /** Line `line` (1-based) of the file, `text`. */
  add(text: string, line: number): void {
    if (text.trim() === '') return;
    const { file } = this;
    const value = parseJsonAt(text, { file, line });
    if (!this.header) {
      const h = value as Partial<TraceHeader> | null;
      if (h === null || typeof h !== 'object' || h.format !== TRACE_FORMAT) {
        throw new RunFolderError(
          Code.READ_SHAPE,
          { file, line },
          `not an e2ctwin trace: its first line must be the header {"format":"${TRACE_FORMAT}", …}`,
        );
      }
      this.header = h as TraceHeader;
      return;
    }
    const bad = spanProblem(value);
    if (bad) throw new RunFolderError(Code.READ_SHAPE, { file, line, field: bad.field }, bad.problem);
    this.spans.push(value as SpanRecord);
    if (this.keepLines) this.kept.push(text);
  }

  done(): ReadTrace {
    const { header, spans, file } = this;
    if (!header)
      throw new RunFolderError(
        Code.READ_SHAPE,
        { file },
        'empty: an e2ctwin trace starts with its header line',
      );
    return this.keepLines ? { header, spans, file, lines: this.kept } : { header, spans, file };
  }
}

/**
 * The trace of a run folder, every line checked: a line that is not JSON, a header that is not an
 * e2ctwin trace's, or a span with a missing or mistyped field is a {@link RunFolderError} naming the
 * file, the line and the field. Undefined when the folder has no trace file. With `keepLines`, the
 * span lines as read are returned too (`lines[i]` is the JSON text of `spans[i]`): the server sends them
 * as they are instead of serializing the spans again.
 */
export function readRunTrace(
  dir: string,
  { keepLines = false }: { keepLines?: boolean } = {},
): ReadTrace | undefined {
  const file = traceFileOf(dir);
  if (!file) return undefined;
  const lines = readRunText(file).split('\n');
  const reader = new TraceLines(file, keepLines);
  for (let i = 0; i < lines.length; i++) reader.add(lines[i]!, i + 1);
  return reader.done();
}

/** Lines checked between two turns of the event loop by readRunTraceInSlices (tens of milliseconds). */
const SLICE_LINES = 5_000;

/**
 * The trace of a run folder as {@link readRunTrace} reads it (the same checks, the same result), checked
 * a slice of lines at a time with the event loop let through between slices: a server reading a
 * quarter-million-span trace this way still answers other requests meanwhile.
 */
export async function readRunTraceInSlices(
  dir: string,
  { keepLines = false }: { keepLines?: boolean } = {},
): Promise<ReadTrace | undefined> {
  const file = traceFileOf(dir);
  if (!file) return undefined;
  const lines = (await readRunTextAsync(file)).split('\n');
  const reader = new TraceLines(file, keepLines);
  for (let i = 0; i < lines.length; i++) {
    if (i > 0 && i % SLICE_LINES === 0) await new Promise((resolve) => setImmediate(resolve));
    reader.add(lines[i]!, i + 1);
  }
  return reader.done();
}

/** What is wrong with a span record, if anything (checked by hand: traces hold up to millions of spans). */
function spanProblem(v: unknown): { field?: string; problem: string } | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return { problem: 'a span must be a JSON object' };
  const s = v as Record<string, unknown>;
  for (const f of ['request', 'start', 'end'] as const) {
    if (typeof s[f] !== 'number' || !Number.isFinite(s[f]))
      return { field: f, problem: `expected a finite number, got ${shown(s[f])}` };
  }
  for (const f of ['name', 'service', 'host'] as const) {
    if (typeof s[f] !== 'string') return { field: f, problem: `expected a string, got ${shown(s[f])}` };
  }
  if (!KINDS.has(s.kind as SpanKind))
    return { field: 'kind', problem: `expected one of ${[...KINDS].join(', ')}, got ${shown(s.kind)}` };
  if ((s.end as number) < (s.start as number))
    return {
      field: 'end',
      problem: `the span ends (${s.end as number}) before it starts (${s.start as number})`,
    };
  if (s.status !== undefined && !STATUSES.has(s.status as string))
    return {
      field: 'status',
      problem: `expected one of ${[...STATUSES].join(', ')}, got ${shown(s.status)}`,
    };
  for (const f of ['lane', 'item', 'retries', 'timedOut'] as const) {
    if (s[f] !== undefined && typeof s[f] !== 'number')
      return { field: f, problem: `expected a number, got ${shown(s[f])}` };
  }
  if (s.pool !== undefined && typeof s.pool !== 'string')
    return { field: 'pool', problem: `expected a string, got ${shown(s.pool)}` };
  return undefined;
}

/** A value's type in a message (never its content: a run folder may hold anything). */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isFinite(v) ? 'a number' : String(v);
  return `${typeof v === 'object' ? 'an' : 'a'} ${typeof v}`;
}
