import type { SpanRecord } from './record.js';

/**
 * A span standing for `merged` spans of one track (same host or service, pool, thread, kind, name and
 * status) that start in one time bucket: from the first one's start to the latest end. Its request is -1
 * (it belongs to no one request).
 */
export type MergedSpan = SpanRecord & { merged: number };

/**
 * Spans `indices` of `spans` (those of a window [from, to]) merged per track and time bucket so that at
 * most `maxSpans` come out, for an overview of a trace too large to send whole: the buckets are as fine
 * as `maxSpans` allows, a bucket holding a single span gives that span itself, and the `merged` counts
 * of the result (1 for a plain span) add up to `indices.length`. Tracks are coarsened (the thread, then
 * the stage and the host are dropped) when the trace has more tracks than `maxSpans`. Sorted by start.
 * `tracksAt` gives {@link trackIds} (a server keeps them with the trace: they cost more than the merge).
 */
export function mergeSpans(
  spans: readonly SpanRecord[],
  indices: readonly number[],
  { from, to, maxSpans }: { from: number; to: number; maxSpans: number },
  tracksAt: (level: number) => TrackIds = (level) => trackIds(spans, level),
): (SpanRecord | MergedSpan)[] {
  if (indices.length <= maxSpans) return indices.map((i) => spans[i]!);
  let keys = tracksAt(0);
  for (let level = 1; keys.count > maxSpans && level <= 2; level++) keys = tracksAt(level);
  // Level 2 tracks are one per service and kind: fewer than maxSpans unless maxSpans is absurdly small.
  const buckets = Math.max(1, Math.floor(maxSpans / keys.count));
  const width = to > from ? (to - from) / buckets : 1;
  const cells = new Map<number, { first: number; start: number; end: number; count: number }>();
  for (let j = 0; j < indices.length; j++) {
    const s = spans[indices[j]!]!;
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((s.start - from) / width)));
    const cell = keys.of[indices[j]!]! * buckets + b;
    const c = cells.get(cell);
    if (!c) cells.set(cell, { first: indices[j]!, start: s.start, end: s.end, count: 1 });
    else {
      c.start = Math.min(c.start, s.start);
      c.end = Math.max(c.end, s.end);
      c.count++;
    }
  }
  const out: (SpanRecord | MergedSpan)[] = [];
  for (const c of cells.values()) {
    const s = spans[c.first]!;
    if (c.count === 1) {
      out.push(s);
      continue;
    }
    const m: MergedSpan = {
      request: -1,
      kind: s.kind,
      name: keys.level < 1 ? s.name : s.kind === 'request' ? 'request' : (s.pool ?? s.kind),
      service: s.service,
      host: s.host,
      start: c.start,
      end: c.end,
      merged: c.count,
    };
    if (s.pool !== undefined && keys.level < 2) m.pool = s.pool;
    if (s.lane !== undefined && keys.level < 1) m.lane = s.lane;
    if (s.status !== undefined && keys.level < 2) m.status = s.status;
    out.push(m);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The track of each span: `of[i]` for span i, `count` tracks in all, at a `level` of detail. */
export interface TrackIds {
  of: Int32Array;
  count: number;
  level: number;
}

/**
 * The track of each span (a small integer) at a level of detail: 0 = host (service for hosts without
 * pools, drawn as one group), pool, thread, kind, name, status; 1 = without thread and name; 2 = service
 * and kind only.
 */
export function trackIds(spans: readonly SpanRecord[], level: number): TrackIds {
  const ids = new Map<string, number>();
  const of = new Int32Array(spans.length);
  for (let j = 0; j < spans.length; j++) {
    const s = spans[j]!;
    const where = s.pool !== undefined ? s.host : s.service;
    const key =
      level === 0
        ? `${where}\u0000${s.pool ?? ''}\u0000${s.lane ?? ''}\u0000${s.kind}\u0000${s.name}\u0000${s.status ?? ''}`
        : level === 1
          ? `${where}\u0000${s.pool ?? ''}\u0000${s.kind}\u0000${s.status ?? ''}`
          : `${s.service}\u0000${s.kind}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    of[j] = id;
  }
  return { of, count: ids.size, level };
}
