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

/** Durations of the requests answered in a range (status ok, ending in it): count, mean and p95 (nearest rank), s. */
export interface DurationStats {
  count: number;
  /** null when none were answered in the range. */
  meanS: number | null;
  p95S: number | null;
}

/** How busy one host's threads were over a range, from the traced spans. */
export interface HostBusy {
  host: string;
  /** Threads (pool lanes) of the host seen anywhere in the trace. */
  lanes: number;
  /** Time its lanes ran a traced stage within the range, summed over lanes (overlaps on one lane counted once), s. */
  busyS: number;
  /** busyS over lanes × the range's length (0 for a range of no length). */
  busyFraction: number;
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
  /** Durations of the requests counted in `requestsCompleted`. */
  completedDurations: DurationStats;
  /**
   * Per host with pool lanes in the trace (`lanesPerHost`), sorted by host: the share of its lanes' time
   * in the range spent running the traced requests' stages. Only the traced sample is counted: requests
   * outside it kept the threads busy too, so this is a lower bound outside the sample's own time.
   */
  hosts: HostBusy[];
}

/** Threads (distinct pool and lane) per host over all `spans`: what a host's busy fraction is out of. */
export function lanesPerHost(spans: readonly SpanRecord[]): Map<string, number> {
  const seen = new Map<string, Set<string>>();
  for (const s of spans) {
    if (s.kind !== 'stage' || s.pool === undefined || s.lane === undefined) continue;
    let set = seen.get(s.host);
    if (!set) seen.set(s.host, (set = new Set()));
    set.add(`${s.pool}\u0000${s.lane}`);
  }
  return new Map([...seen].map(([host, set]) => [host, set.size]));
}

/** p95 by nearest rank of sorted values. */
const p95Of = (sorted: Float64Array): number => sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)]!;

/** Length of the union of intervals (each [a, b], a ≤ b), in any order. */
function unionLength(intervals: [number, number][]): number {
  intervals.sort((p, q) => p[0] - q[0]);
  let total = 0;
  let [a, b] = [Number.NaN, Number.NaN];
  for (const [s, e] of intervals) {
    if (!(s <= b)) {
      if (b > a) total += b - a;
      [a, b] = [s, e];
    } else if (e > b) b = e;
  }
  if (b > a) total += b - a;
  return total;
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
  lanes: ReadonlyMap<string, number> = new Map(),
): RangeStats {
  let requestsStarted = 0;
  let requestsCompleted = 0;
  const answered: number[] = [];
  // Per host and lane, the parts of its stage spans inside the range.
  const busy = new Map<string, Map<string, [number, number][]>>();
  const durations = new Map<string, { kind: SpanRecord['kind']; name: string; d: number[] }>();
  for (const i of indices) {
    const s = spans[i]!;
    const starts = s.start >= from && s.start <= to;
    if (s.kind === 'request') {
      if (starts) requestsStarted++;
      if (s.end >= from && s.end <= to && (s.status ?? 'ok') === 'ok') {
        requestsCompleted++;
        answered.push(s.end - s.start);
      }
    }
    if (s.kind === 'stage' && s.pool !== undefined && s.lane !== undefined && lanes.has(s.host)) {
      const a = Math.max(from, s.start);
      const b = Math.min(to, s.end);
      if (b > a) {
        let host = busy.get(s.host);
        if (!host) busy.set(s.host, (host = new Map()));
        const key = `${s.pool}\u0000${s.lane}`;
        const list = host.get(key);
        if (list) list.push([a, b]);
        else host.set(key, [[a, b]]);
      }
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
      p95S: p95Of(sorted),
    };
  });
  const done = Float64Array.from(answered).sort();
  let total = 0;
  for (const v of answered) total += v;
  const completedDurations: DurationStats = {
    count: answered.length,
    meanS: answered.length ? total / answered.length : null,
    p95S: answered.length ? p95Of(done) : null,
  };
  const hosts: HostBusy[] = [...lanes]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([host, n]) => {
      let busyS = 0;
      for (const list of busy.get(host)?.values() ?? []) busyS += unionLength(list);
      return { host, lanes: n, busyS, busyFraction: to > from && n > 0 ? busyS / (n * (to - from)) : 0 };
    });
  return {
    from,
    to,
    spans: indices.length,
    requestsStarted,
    requestsCompleted,
    stages,
    completedDurations,
    hosts,
  };
}
