import { existsSync } from 'node:fs';
import path from 'node:path';
import { TRACE_FORMAT, type SpanKind, type SpanRecord, type TraceHeader } from '../trace/index.js';
import { RunFolderError, RunFolderErrorCode as Code } from './errors.js';
import { parseJsonAt, readRunText } from './read-file.js';

const KINDS: ReadonlySet<SpanKind> = new Set(['request', 'wait', 'stage', 'network']);
// 'failed': a live request that got no answer (the driver's connection errors), as SpanRecord allows.
const STATUSES: ReadonlySet<string> = new Set(['ok', 'rejected', 'abandoned', 'failed']);

/** The trace file of a run folder: `trace.jsonl`, or `trace.jsonl.gz` as shipped campaigns keep it; undefined when neither exists. */
export function traceFileOf(dir: string): string | undefined {
  const plain = path.join(dir, 'trace.jsonl');
  if (existsSync(plain)) return plain;
  return existsSync(`${plain}.gz`) ? `${plain}.gz` : undefined;
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
): { header: TraceHeader; spans: SpanRecord[]; file: string; lines?: string[] } | undefined {
  const file = traceFileOf(dir);
  if (!file) return undefined;
  const lines = readRunText(file).split('\n');
  let header: TraceHeader | undefined;
  const spans: SpanRecord[] = [];
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    const line = i + 1;
    const value = parseJsonAt(text, { file, line });
    if (!header) {
      const h = value as Partial<TraceHeader> | null;
      if (h === null || typeof h !== 'object' || h.format !== TRACE_FORMAT) {
        throw new RunFolderError(
          Code.READ_SHAPE,
          { file, line },
          `not an e2ctwin trace: its first line must be the header {"format":"${TRACE_FORMAT}", …}`,
        );
      }
      header = h as TraceHeader;
      continue;
    }
    const bad = spanProblem(value);
    if (bad) throw new RunFolderError(Code.READ_SHAPE, { file, line, field: bad.field }, bad.problem);
    spans.push(value as SpanRecord);
    if (keepLines) kept.push(text);
  }
  if (!header)
    throw new RunFolderError(
      Code.READ_SHAPE,
      { file },
      'empty: an e2ctwin trace starts with its header line',
    );
  return keepLines ? { header, spans, file, lines: kept } : { header, spans, file };
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
  for (const f of ['lane', 'item'] as const) {
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
