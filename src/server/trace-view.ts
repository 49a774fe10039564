import {
  indexOf,
  lanesPerHost,
  OVERVIEW_SPANS,
  overlapping,
  type RangeStats,
  rangeStats,
  type WindowQuery,
  windowJson,
} from '../trace/index.js';
import { ServerError, ServerErrorCode } from './errors.js';
import type { TraceData } from './runs-store.js';

/** The largest `maxSpans` a window may ask for (more is the whole trace anyway, at 256 MB a file). */
export const MAX_WINDOW_SPANS = 5_000_000;

/** What a trace request asks for: a time window (and at most so many spans), or one request's spans. */
export type TraceQuery = WindowQuery;

/**
 * The query of GET /api/runs/:id/trace (and …/trace/stats) checked: `from` and `to` finite numbers of
 * seconds with from ≤ to, `maxSpans` an integer from 1 to {@link MAX_WINDOW_SPANS}, `request` an integer,
 * `overview=1` alone (maxSpans = OVERVIEW_SPANS, spans as columns).
 * @throws ServerError BAD_REQUEST naming the parameter and its value
 */
export function traceQuery(query: Record<string, unknown>): TraceQuery {
  const out: TraceQuery = {};
  const number = (
    name: 'from' | 'to' | 'maxSpans' | 'request',
    integer: boolean,
    min = Number.NEGATIVE_INFINITY,
  ) => {
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
  // overview=1: the first frame's overview, of as many spans as the server's overview files hold (the
  // page does not repeat that number), its spans as columns (the page parses them faster).
  if (query.overview !== undefined) {
    if (String(query.overview) !== '1') bad('overview', query.overview, '1');
    if ((out.from ?? out.to ?? out.maxSpans ?? out.request) !== undefined)
      throw new ServerError(
        ServerErrorCode.BAD_REQUEST,
        'overview cannot be combined with from, to, maxSpans or request: it is the whole run at maxSpans=' +
          OVERVIEW_SPANS,
        { param: 'overview' },
      );
    out.maxSpans = OVERVIEW_SPANS;
    out.columns = true;
  }
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

/** The JSON text answering a partial trace query: see windowJson (the trace layer's, which a run folder's overview is written with). */
export function partialTraceJson(data: TraceData, q: TraceQuery): string {
  return windowJson(data, q);
}

/** Statistics of the trace over [from, to] (the whole trace when not given): see rangeStats. */
export function traceStats(data: TraceData, q: TraceQuery): RangeStats & { totalSpans: number } {
  const index = indexOf(data);
  const from = q.from ?? index.extent[0];
  const to = q.to ?? index.extent[1];
  // The threads per host, counted once per trace (a host's busy fraction is out of all of them).
  let lanes = data.derived.get('lanesPerHost') as Map<string, number> | undefined;
  if (!lanes) data.derived.set('lanesPerHost', (lanes = lanesPerHost(data.spans)));
  return {
    ...rangeStats(data.spans, overlapping(index, data.spans, from, to), from, to, lanes),
    totalSpans: data.spans.length,
  };
}
