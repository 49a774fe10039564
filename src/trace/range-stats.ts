import type { SpanRecord } from './record.js';

/** Duration statistics of one stage (spans of one kind and name) in a time range. */
export interface StageStats {
  kind: SpanRecord['kind'];
  name: string;
  /** Spans of the stage that start in the range. */
  count: number;
  /** Mean duration of those spans, s. */
  meanS: number;
  /** 95th percentile of their durations (nearest rank), s. */
  p95S: number;
}

/** What a trace holds in the time range [from, to]. */
export interface RangeStats {
  from: number;
  to: number;
  /** Spans overlapping the range (starting at or before `to`, ending at or after `from`), of any kind. */
  spans: number;
  /** Requests (their `request` spans) that start in the range. */
  requestsStarted: number;
  /** Requests answered (`request` spans with status ok, or none) that end in the range. */
  requestsCompleted: number;
  /** Per stage, over the spans that start in the range, in order of first appearance. */
  stages: StageStats[];
}

/**
 * Statistics of the spans `indices` of `spans` (those overlapping [from, to], as {@link overlapping}
 * gives them) over the range: counts of spans and requests, and per stage the count, mean and p95 of the
 * durations of the spans starting in the range (a span is counted in the range it starts in, as a
 * request is, so that adjacent ranges never count one twice).
 */
export function rangeStats(
  spans: readonly SpanRecord[],
  indices: readonly number[],
  from: number,
  to: number,
): RangeStats {
  let requestsStarted = 0;
  let requestsCompleted = 0;
  const durations = new Map<string, { kind: SpanRecord['kind']; name: string; d: number[] }>();
  for (const i of indices) {
    const s = spans[i]!;
    const starts = s.start >= from && s.start <= to;
    if (s.kind === 'request') {
      if (starts) requestsStarted++;
      if (s.end >= from && s.end <= to && (s.status ?? 'ok') === 'ok') requestsCompleted++;
    }
    if (!starts) continue;
    const key = `${s.kind}\u0000${s.name}`;
    let g = durations.get(key);
    if (!g) {
      g = { kind: s.kind, name: s.name, d: [] };
      durations.set(key, g);
    }
    g.d.push(s.end - s.start);
  }
  const stages: StageStats[] = [...durations.values()].map(({ kind, name, d }) => {
    const sorted = Float64Array.from(d).sort();
    let sum = 0;
    for (const v of d) sum += v;
    return {
      kind,
      name,
      count: d.length,
      meanS: sum / d.length,
      p95S: sorted[Math.max(0, Math.ceil(0.95 * d.length) - 1)]!,
    };
  });
  return { from, to, spans: indices.length, requestsStarted, requestsCompleted, stages };
}
