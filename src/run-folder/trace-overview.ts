import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OVERVIEW_SPANS, type SpanRecord, type TraceHeader, windowJson } from '../trace/index.js';
import { readRunFile } from './read-file.js';

// The browser's timeline first asks for an overview of the whole trace (merged per track and time
// bucket). Made from the trace, it costs a read and check of every span: over a second for a
// quarter-million-span trace, several under load, before the first frame. A run folder whose trace is
// larger than an overview keeps the overview beside it, written with the trace, so that a server that
// has not read the trace yet answers the first frame from it.
//
// Fast path and its condition: the overview file is used only when it names the trace file it was
// made from (same name, same size in bytes, same SHA-256 of its bytes) and the same maxSpans. Then it
// is, byte for byte, what the server would compute from that trace (the same function, windowJson, on
// the same spans and lines). Anything else — the trace edited, gzipped, replaced, the file of an older
// format — and the server computes the overview from the trace as before. E2CTWIN_TRACE_OVERVIEW=off
// turns the fast path off.

/** The overview file beside a run folder's trace. */
export const TRACE_OVERVIEW_FILE = 'trace.overview.json';
const FORMAT = 'e2ctwin-trace-overview';

/** First line of the overview file: what trace it was made from; the overview's JSON text follows. */
interface OverviewMeta {
  format: typeof FORMAT;
  version: 1;
  trace: string;
  bytes: number;
  sha256: string;
  maxSpans: number;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * The overview file for trace file `traceName` holding `traceText` (header, then `lines[i]` the JSON
 * text of `spans[i]`), or undefined when the trace holds no more spans than an overview (the trace is
 * then as quick to read as the overview would be).
 */
export function traceOverviewFile(
  traceName: string,
  traceText: string,
  trace: { header: TraceHeader; spans: SpanRecord[]; lines: string[] },
): readonly [name: string, text: string] | undefined {
  if (trace.spans.length <= OVERVIEW_SPANS) return undefined;
  const meta: OverviewMeta = {
    format: FORMAT,
    version: 1,
    trace: traceName,
    bytes: Buffer.byteLength(traceText),
    sha256: sha256(traceText),
    maxSpans: OVERVIEW_SPANS,
  };
  const overview = windowJson({ ...trace, derived: new Map() }, { maxSpans: OVERVIEW_SPANS });
  return [TRACE_OVERVIEW_FILE, `${JSON.stringify(meta)}\n${overview}\n`];
}

/** Whether the overview fast path is on (E2CTWIN_TRACE_OVERVIEW=off turns it off). */
export const traceOverviewEnabled = () => process.env.E2CTWIN_TRACE_OVERVIEW !== 'off';

/**
 * The JSON text of the overview of trace file `traceFile` (a path) at `maxSpans`, from the overview file
 * of `overviewFile` (a path) when that file was made from this very trace (see the condition above);
 * undefined otherwise (no such file, another trace, another maxSpans, unreadable).
 */
export function readTraceOverview(
  overviewFile: string,
  traceFile: string,
  maxSpans: number,
): string | undefined {
  if (!existsSync(overviewFile)) return undefined;
  let text: string;
  try {
    text = readRunFile(overviewFile).toString('utf8');
  } catch {
    return undefined;
  }
  const nl = text.indexOf('\n');
  let meta: Partial<OverviewMeta>;
  try {
    meta = JSON.parse(text.slice(0, nl)) as Partial<OverviewMeta>;
  } catch {
    return undefined;
  }
  if (
    nl < 0 ||
    meta.format !== FORMAT ||
    meta.version !== 1 ||
    meta.trace !== path.basename(traceFile) ||
    meta.maxSpans !== maxSpans
  )
    return undefined;
  const bytes = readFileSync(traceFile);
  if (bytes.length !== meta.bytes || sha256(bytes) !== meta.sha256) return undefined;
  return text.slice(nl + 1).trimEnd();
}
