import { describe, expect, it } from 'vitest';
import { lanesPerHost, rangeStats, type SpanRecord } from '../../src/trace/index.js';

// The statistics of a selected time range (the timeline's Shift+drag card): hand-made spans whose answer
// is known by construction, then random spans against brute force.

const req = (request: number, start: number, end: number, status?: SpanRecord['status']): SpanRecord => ({
  request,
  kind: 'request',
  name: 'request',
  service: 'cloud.api',
  host: 'client',
  start,
  end,
  ...(status ? { status } : {}),
});
const stage = (request: number, host: string, lane: number, start: number, end: number): SpanRecord => ({
  request,
  kind: 'stage',
  name: 'infer',
  service: 'cloud.api',
  host,
  pool: 'workers',
  lane,
  start,
  end,
});
const all = (spans: SpanRecord[]) => spans.map((_, i) => i);

describe('rangeStats', () => {
  it('gives the mean and p95 of the durations of the requests answered in the range', () => {
    const spans = [
      req(1, 0, 2), // ends in [1, 10]: 2 s
      req(2, 1, 5), // 4 s
      req(3, 2, 3, 'rejected'), // not answered
      req(4, 3, 12), // ends after the range
      req(5, 4, 10), // ends on its edge: 6 s
    ];
    const st = rangeStats(spans, all(spans), 1, 10);
    expect(st.requestsCompleted).toBe(3);
    expect(st.completedDurations.count).toBe(3);
    expect(st.completedDurations.meanS).toBeCloseTo(4, 12);
    // nearest rank: ceil(0.95 × 3) = 3rd of [2, 4, 6]
    expect(st.completedDurations.p95S).toBe(6);
  });

  it('says none were answered with nulls, not zeros', () => {
    const spans = [req(1, 0, 20)];
    expect(rangeStats(spans, all(spans), 1, 10).completedDurations).toEqual({
      count: 0,
      meanS: null,
      p95S: null,
    });
  });

  it("gives each host's busy fraction out of every lane the trace shows it has, overlaps on a lane counted once", () => {
    const spans = [
      stage(1, 'a#0', 0, 0, 4), // 2 s inside [2, 6]
      stage(2, 'a#0', 0, 3, 5), // overlaps the first on lane 0: +1 s (4..5)
      stage(3, 'a#0', 1, 5, 9), // 1 s inside
      stage(4, 'b#0', 0, 20, 30), // b's only lane, idle in [2, 6]
    ];
    const lanes = lanesPerHost(spans);
    expect([...lanes]).toEqual([
      ['a#0', 2],
      ['b#0', 1],
    ]);
    const st = rangeStats(spans, all(spans), 2, 6, lanes);
    expect(st.hosts).toEqual([
      { host: 'a#0', lanes: 2, busyS: 4, busyFraction: 0.5 },
      { host: 'b#0', lanes: 1, busyS: 0, busyFraction: 0 },
    ]);
  });

  it('agrees with brute force on random spans', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const spans: SpanRecord[] = [];
    for (let r = 0; r < 300; r++) {
      const t = rnd() * 100;
      const d = rnd() * 5;
      spans.push(req(r, t, t + d, rnd() < 0.1 ? 'abandoned' : undefined));
      spans.push(stage(r, `h#${r % 3}`, r % 4, t, t + d * rnd()));
    }
    const [from, to] = [30, 55];
    const lanes = lanesPerHost(spans);
    const inside = all(spans).filter((i) => spans[i]!.start <= to && spans[i]!.end >= from);
    const st = rangeStats(spans, inside, from, to, lanes);
    const done = spans
      .filter((s) => s.kind === 'request' && !s.status && s.end >= from && s.end <= to)
      .map((s) => s.end - s.start)
      .sort((a, b) => a - b);
    expect(st.completedDurations.count).toBe(done.length);
    expect(st.completedDurations.meanS).toBeCloseTo(done.reduce((a, b) => a + b, 0) / done.length, 10);
    expect(st.completedDurations.p95S).toBe(done[Math.ceil(0.95 * done.length) - 1]);
    for (const h of st.hosts) {
      // Busy time sampled on a fine grid per lane: the union of its stages, clipped to the range.
      const step = 0.001;
      let busy = 0;
      for (let lane = 0; lane < 4; lane++) {
        const own = spans.filter((s) => s.kind === 'stage' && s.host === h.host && s.lane === lane);
        for (let t = from + step / 2; t < to; t += step)
          if (own.some((s) => s.start <= t && t < s.end)) busy += step;
      }
      expect(h.busyS).toBeCloseTo(busy, 1);
      expect(h.busyFraction).toBeCloseTo(h.busyS / (h.lanes * (to - from)), 12);
    }
  });
});
