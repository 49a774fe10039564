import { TraceError, TraceErrorCode } from './errors.js';
import { TRACE_FORMAT, type SpanRecord, type TraceHeader } from './record.js';

/** A trace as JSON Lines text: the header, then one span per line. */
export function traceToJsonl(header: TraceHeader, spans: readonly SpanRecord[]): string {
  return jsonlOfLines(
    header,
    spans.map((s) => JSON.stringify(s)),
  );
}

/** A trace as JSON Lines text from its spans' JSON lines (`lines[i]` the JSON text of span i). */
export function jsonlOfLines(header: TraceHeader, lines: readonly string[]): string {
  return `${[JSON.stringify(header), ...lines].join('\n')}\n`;
}

/**
 * Parses a trace written by {@link traceToJsonl} (by a simulated or a live run).
 * @throws TraceError `E2C_ERR_TRACE_FORMAT` when the text is not an e2ctwin trace
 */
export function parseTraceJsonl(text: string): { header: TraceHeader; spans: SpanRecord[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = JSON.parse(lines[0] ?? '{}') as TraceHeader;
  if (header.format !== TRACE_FORMAT) {
    throw new TraceError(TraceErrorCode.FORMAT, 'not an e2ctwin trace (first line must be its header)');
  }
  return { header, spans: lines.slice(1).map((l) => JSON.parse(l) as SpanRecord) };
}
