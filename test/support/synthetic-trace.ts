import type { SpanRecord } from '../../src/trace/index.js';

/**
 * Spans of `requests` requests, one every 0.25 s, each an upload on a client, a wait and a stage on one
 * of 4 threads of api#0, and the request span (every 13th rejected); durations vary with the id so that
 * time windows cut through spans.
 */
export function syntheticSpans(requests: number): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (let r = 0; r < requests; r++) {
    const t = r * 0.25;
    const up = 0.01 + (r % 7) * 0.003;
    const wait = (r % 5) * 0.02;
    const work = 0.1 + (r % 11) * 0.05;
    const client = { service: 'users', host: `users#${r % 9}` };
    const api = { service: 'api', host: 'api#0', pool: 'infer' };
    spans.push(
      { request: r, kind: 'network', name: 'upload', ...client, start: t, end: t + up },
      { request: r, kind: 'wait', name: 'infer', ...api, start: t + up, end: t + up + wait },
      {
        request: r,
        kind: 'stage',
        name: 'infer',
        ...api,
        lane: r % 4,
        start: t + up + wait,
        end: t + up + wait + work,
      },
      {
        request: r,
        kind: 'request',
        name: 'request',
        ...client,
        start: t,
        end: t + up + wait + work,
        status: r % 13 === 0 ? 'rejected' : 'ok',
      },
    );
  }
  return spans;
}
