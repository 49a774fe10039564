import { mergeSpans, type TrackIds, trackIds } from './merge-spans.js';
import type { SpanRecord, TraceHeader } from './record.js';
import { spanColumns } from './span-columns.js';
import { overlapping, type TimeIndex, timeIndex } from './time-index.js';

/** A trace held for windows: its spans, their JSON lines as written or read, and what was derived from them. */
export interface IndexedTrace {
  header: TraceHeader;
  spans: SpanRecord[];
  /** `lines[i]` is the JSON text of `spans[i]`: sent as it is instead of being serialized again. */
  lines: string[];
  /** Anything computed from the trace (time index, track ids, compressed answers), by name. */
  derived: Map<string, unknown>;
}

/** What a window of the trace asks for: a time window (and at most so many spans), or one request's spans. */
export interface WindowQuery {
  from?: number;
  to?: number;
  maxSpans?: number;
  request?: number;
  /** Spans as columns (see spanColumns; span objects when they do not go in columns): the page's first frame. */
  columns?: boolean;
}

/**
 * The spans a trace's overview holds at most (GET …/trace?overview=1, the browser's first timeline
 * frame, is maxSpans=OVERVIEW_SPANS; the page does not state the number): the overview a run folder
 * keeps beside a larger trace is made for this many.
 */
export const OVERVIEW_SPANS = 20_000;

/** The time index of a trace, made once and kept with it. */
export function indexOf(data: IndexedTrace): TimeIndex {
  let index = data.derived.get('timeIndex') as TimeIndex | undefined;
  if (!index) {
    index = timeIndex(data.spans);
    data.derived.set('timeIndex', index);
  }
  return index;
}

/**
 * The JSON text answering a window query: `{header, window, extent, totalSpans, spansInWindow, detail,
 * spans}` for a window (every span overlapping it, as read, when there are at most `maxSpans`; else
 * merged per track and time bucket, `detail: "merged"`; with `columns`, `columns` in place of `spans`
 * when they go in columns), `{header, request, extent, totalSpans, spans}` for a request.
 */
export function windowJson(data: IndexedTrace, q: WindowQuery): string {
  const index = indexOf(data);
  const [lo, hi] = index.extent;
  const head = `{"header":${JSON.stringify(data.header)},"extent":{"from":${lo},"to":${hi}},"totalSpans":${data.spans.length}`;
  if (q.request !== undefined) {
    let byRequest = data.derived.get('byRequest') as Map<number, number[]> | undefined;
    if (!byRequest) {
      byRequest = new Map();
      data.spans.forEach((s, i) => {
        const list = byRequest!.get(s.request);
        if (list) list.push(i);
        else byRequest!.set(s.request, [i]);
      });
      data.derived.set('byRequest', byRequest);
    }
    const own = byRequest.get(q.request) ?? [];
    return `${head},"request":${q.request},"spans":[${own.map((i) => data.lines[i]).join(',')}]}`;
  }
  const from = q.from ?? lo;
  const to = q.to ?? hi;
  const inWindow = overlapping(index, data.spans, from, to);
  const max = q.maxSpans ?? Number.POSITIVE_INFINITY;
  const exact = inWindow.length <= max;
  const merged = exact
    ? undefined
    : mergeSpans(data.spans, inWindow, { from, to, maxSpans: max }, (level) => {
        let ids = data.derived.get(`tracks${level}`) as TrackIds | undefined;
        if (!ids) data.derived.set(`tracks${level}`, (ids = trackIds(data.spans, level)));
        return ids;
      });
  const columns = q.columns ? spanColumns(merged ?? inWindow.map((i) => data.spans[i]!)) : undefined;
  const body = columns
    ? `"columns":${JSON.stringify(columns)}`
    : `"spans":[${merged ? merged.map((s) => JSON.stringify(s)).join(',') : inWindow.map((i) => data.lines[i]).join(',')}]`;
  return `${head},"window":{"from":${from},"to":${to}},"spansInWindow":${inWindow.length},"detail":"${exact ? 'spans' : 'merged'}",${body}}`;
}
