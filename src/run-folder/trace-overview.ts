import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { OVERVIEW_SPANS, type SpanRecord, type TraceHeader, windowJson } from '../trace/index.js';
import { readRunContent, readRunFile } from './read-file.js';

// The browser's timeline first asks for an overview of the whole trace (merged per track and time
// bucket). Made from the trace, it costs a read and check of every span: over a second for a
// quarter-million-span trace, several under load, before the first frame. A run folder whose trace is
// larger than an overview keeps the overview beside it, written with the trace, so that a server that
// has not read the trace yet answers the first frame from it.
//
// The file is the overview's JSON text (the answer to …/trace?overview=1: maxSpans=OVERVIEW_SPANS, the
// spans as columns) gzipped, as the server sends it (Content-Encoding: gzip, the
// file's bytes as they are: nothing compressed at request time), with what it was made from in the gzip
// header's comment field (RFC 1952 FCOMMENT, which every gzip reader skips): `zcat` shows the overview.
//
// Fast path and its condition: the overview file is used only when it names the trace it was made from
// (trace.jsonl, read as it is or from trace.jsonl.gz: same content, compared by its size in bytes and
// SHA-256, decompressed) and the same maxSpans. Then it is, byte for byte once decompressed, what the
// server would compute from that trace (the same function, windowJson, on the same spans and lines).
// Anything else — the trace edited, replaced, the file of an older format — and the server computes the
// overview from the trace as before. E2CTWIN_TRACE_OVERVIEW=off turns the fast path off.

/** The overview file beside a run folder's trace. */
export const TRACE_OVERVIEW_FILE = 'trace.overview.json.gz';
const FORMAT = 'e2ctwin-trace-overview';
const VERSION = 2;
/** Gzip header: magic, deflate, then flags (byte 3); FCOMMENT: a zero-terminated comment follows the 10 bytes. */
const GZIP_MAGIC = [0x1f, 0x8b, 8] as const;
const FCOMMENT = 0x10;
const HEADER_BYTES = 10;

/** The gzip header's comment of the overview file: what trace it was made from. */
interface OverviewMeta {
  format: typeof FORMAT;
  version: typeof VERSION;
  /** The trace's uncompressed name (trace.jsonl); its content may be read from trace.jsonl.gz too. */
  trace: string;
  /** Size and SHA-256 of the trace's content (uncompressed). */
  bytes: number;
  sha256: string;
  maxSpans: number;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** `text` gzipped with `comment` (ASCII, no NUL) in the header's FCOMMENT field. */
function gzipWithComment(text: string, comment: string): Buffer {
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: constants.Z_BEST_COMPRESSION });
  // zlib writes a header without optional fields (flags 0): the comment goes right after it.
  if (gz[3] !== 0) throw new Error('unexpected gzip header flags');
  const head = Buffer.from(gz.subarray(0, HEADER_BYTES));
  head[3] = FCOMMENT;
  return Buffer.concat([head, Buffer.from(comment, 'latin1'), Buffer.of(0), gz.subarray(HEADER_BYTES)]);
}

/** The comment of a gzip file made by gzipWithComment, or undefined when it has none (or is not gzip). */
function gzipComment(bytes: Buffer): string | undefined {
  if (bytes.length < HEADER_BYTES || GZIP_MAGIC.some((b, i) => bytes[i] !== b) || bytes[3] !== FCOMMENT)
    return undefined;
  const end = bytes.indexOf(0, HEADER_BYTES);
  return end < 0 ? undefined : bytes.toString('latin1', HEADER_BYTES, end);
}

/**
 * The overview file for trace file `traceName` holding `traceText` (header, then `lines[i]` the JSON
 * text of `spans[i]`), or undefined when the trace holds no more spans than an overview (the trace is
 * then as quick to read as the overview would be).
 */
export function traceOverviewFile(
  traceName: string,
  traceText: string,
  trace: { header: TraceHeader; spans: SpanRecord[]; lines: string[] },
): readonly [name: string, bytes: Buffer] | undefined {
  if (trace.spans.length <= OVERVIEW_SPANS) return undefined;
  const meta: OverviewMeta = {
    format: FORMAT,
    version: VERSION,
    trace: traceName,
    bytes: Buffer.byteLength(traceText),
    sha256: sha256(traceText),
    maxSpans: OVERVIEW_SPANS,
  };
  // The answer to GET …/trace?overview=1 (what the page asks first).
  const overview = windowJson({ ...trace, derived: new Map() }, { maxSpans: OVERVIEW_SPANS, columns: true });
  return [TRACE_OVERVIEW_FILE, gzipWithComment(overview, JSON.stringify(meta))];
}

/** Whether the overview fast path is on (E2CTWIN_TRACE_OVERVIEW=off turns it off). */
export const traceOverviewEnabled = () => process.env.E2CTWIN_TRACE_OVERVIEW !== 'off';

/** An overview from the file: its JSON text gzipped (as stored), and decompressed on demand. */
export interface StoredOverview {
  gzip: Buffer;
  text(): string;
}

/**
 * The overview of trace file `traceFile` (a path: trace.jsonl or trace.jsonl.gz) at `maxSpans`, from the
 * overview file `overviewFile` (a path) when that file was made from this very trace content (see the
 * condition above); undefined otherwise (no such file, another trace, another maxSpans, unreadable).
 */
export function readTraceOverview(
  overviewFile: string,
  traceFile: string,
  maxSpans: number,
): StoredOverview | undefined {
  if (!existsSync(overviewFile)) return undefined;
  let gzip: Buffer;
  let meta: Partial<OverviewMeta>;
  try {
    gzip = readRunFile(overviewFile);
    meta = JSON.parse(gzipComment(gzip) ?? 'null') as Partial<OverviewMeta>;
  } catch {
    return undefined;
  }
  const name = path.basename(traceFile);
  if (
    meta === null ||
    meta.format !== FORMAT ||
    meta.version !== VERSION ||
    (name !== meta.trace && name !== `${meta.trace}.gz`) ||
    meta.maxSpans !== maxSpans
  )
    return undefined;
  let content: Buffer;
  try {
    content = readRunContent(traceFile);
  } catch {
    return undefined; // the trace does not read: said by the path that reads it
  }
  if (content.length !== meta.bytes || sha256(content) !== meta.sha256) return undefined;
  return { gzip, text: () => gunzipSync(gzip).toString('utf8') };
}
