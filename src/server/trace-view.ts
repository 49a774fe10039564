import {
  mergeSpans,
  overlapping,
  type RangeStats,
  rangeStats,
  type TimeIndex,
  type TrackIds,
  timeIndex,
  trackIds,
} from '../trace/index.js';
import { ServerError, ServerErrorCode } from './errors.js';
import type { TraceData } from './runs-store.js';

/** The largest `maxSpans` a window may ask for (more is the whole trace anyway, at 256 MB a file). */
export const MAX_WINDOW_SPANS = 5_000_000;

/** What a trace request asks for: a time window (and at most so many spans), or one request's spans. */
export interface TraceQuery {
  from?: number;
  to?: number;
  maxSpans?: number;
  request?: number;
}

/**
 * The query of GET /api/runs/:id/trace (and …/trace/stats) checked: `from` and `to` finite numbers of
 * seconds with from ≤ to, `maxSpans` an integer from 1 to {@link MAX_WINDOW_SPANS}, `request` an integer.
 * @throws ServerError BAD_REQUEST naming the parameter and its value
 */
export function traceQuery(query: Record<string, unknown>): TraceQuery {
  const out: TraceQuery = {};
  const number = (name: keyof TraceQuery, integer: boolean, min = Number.NEGATIVE_INFINITY) => {
    const raw = query[name];
    if (raw === undefined) return;
    const text = String(raw).trim();
    const value = Number(text);
    if (text === '' || Array.isArray(raw) || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
      bad(name, raw, integer ? 'an integer' : 'a finite number of seconds');
    if (value < min || (name === 'maxSpans' && value > MAX_WINDOW_SPANS))
      bad(name, raw, `from ${min} to ${MAX_WINDOW_SPANS}`);
    out[name] = value;
  };
  number('from', false);
  number('to', false);
  number('maxSpans', true, 1);
  number('request', true);
  if (out.from !== undefined && out.to !== undefined && out.from > out.to) {
    throw new ServerError(
      ServerErrorCode.BAD_REQUEST,
      `from (${out.from}) is after to (${out.to}): a window starts before it ends`,
      { param: 'from', from: out.from, to: out.to },
    );
  }
  if (out.request !== undefined && (out.from ?? out.to ?? out.maxSpans) !== undefined) {
    throw new ServerError(
      ServerErrorCode.BAD_REQUEST,
      'request cannot be combined with from, to or maxSpans: it gives all the spans of one request',
      { param: 'request' },
    );
  }
  return out;
}

function bad(param: string, raw: unknown, expected: string): never {
  const value = String(raw).slice(0, 100);
  throw new ServerError(ServerErrorCode.BAD_REQUEST, `${param} must be ${expected}, got "${value}"`, {
    param,
    value,
  });
}

/** Whether the query asks for part of the trace (else the whole trace is sent as before). */
export function isPartial(q: TraceQuery): boolean {
  return q.from !== undefined || q.to !== undefined || q.maxSpans !== undefined || q.request !== undefined;
}

function indexOf(data: TraceData): TimeIndex {
  let index = data.derived.get('timeIndex') as TimeIndex | undefined;
  if (!index) {
    index = timeIndex(data.spans);
    data.derived.set('timeIndex', index);
  }
  return index;
}

/**
 * The JSON text answering a partial trace query: `{header, window, extent, totalSpans, spansInWindow,
 * detail, spans}` for a window (every span overlapping it, as read, when there are at most `maxSpans`;
 * else merged per track and time bucket, `detail: "merged"`), `{header, request, extent, totalSpans,
 * spans}` for a request.
 */
export function partialTraceJson(data: TraceData, q: TraceQuery): string {
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
  const spans = exact
    ? inWindow.map((i) => data.lines[i]).join(',')
    : mergeSpans(data.spans, inWindow, { from, to, maxSpans: max }, (level) => {
        let ids = data.derived.get(`tracks${level}`) as TrackIds | undefined;
        if (!ids) data.derived.set(`tracks${level}`, (ids = trackIds(data.spans, level)));
        return ids;
      })
        .map((s) => JSON.stringify(s))
        .join(',');
  return `${head},"window":{"from":${from},"to":${to}},"spansInWindow":${inWindow.length},"detail":"${exact ? 'spans' : 'merged'}","spans":[${spans}]}`;
}

/** Statistics of the trace over [from, to] (the whole trace when not given): see rangeStats. */
export function traceStats(data: TraceData, q: TraceQuery): RangeStats & { totalSpans: number } {
  const index = indexOf(data);
  const from = q.from ?? index.extent[0];
  const to = q.to ?? index.extent[1];
  return {
    ...rangeStats(data.spans, overlapping(index, data.spans, from, to), from, to),
    totalSpans: data.spans.length,
  };
}
