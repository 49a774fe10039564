import { quantileBetween } from '../../metrics/histogram-window.js';
import { LogHistogram } from '../../metrics/index.js';
import type { RunSeriesData } from '../../run-folder/index.js';
import type { SpanRecord } from '../../trace/index.js';
import { type LiveWindow, measuredResponseTimes } from './metrics.js';

/** Windows per repetition, as the simulator's progress chunks (1 % of the duration each). */
export const LIVE_SERIES_WINDOWS = 100;

/**
 * series.json of a live run in the simulator's shape (model/series.ts): the response times of every
 * measured request of every repetition, and per window the p95 of the requests answered in it and the
 * mean requests in the system. As the simulator does for replications, a window's time is relative to
 * its repetition's start (each repetition runs on the same axis, 0 to its duration) and its values are
 * averaged over the repetitions; windows cover the measured period in chunks of 1 % of the duration.
 * Pools, CPU and GPU are left empty: a live run has their levels in metrics.json's timeline and
 * host-metrics.json.
 */
export function liveSeries(windows: readonly LiveWindow[], requests: readonly SpanRecord[]): RunSeriesData {
  const h = new LogHistogram();
  for (const w of windows) h.merge(measuredResponseTimes(w, requests));
  const first = windows[0];
  const t0: number[] = [];
  const t1: number[] = [];
  if (first) {
    const duration = (first.plannedEnd ?? first.end) - first.start;
    const step = duration / LIVE_SERIES_WINDOWS;
    const from = first.warmupEnd - first.start;
    const to = first.end - first.start;
    for (let a = from; step > 0 && a < to - 1e-9; a += step) {
      t0.push(a);
      t1.push(Math.min(a + step, to));
    }
  }
  const mine = (w: LiveWindow) =>
    requests.filter((r) => r.kind === 'request' && r.start < w.end && r.end > w.warmupEnd);
  const perRep = windows.map((w) => {
    const rs = mine(w);
    return t0.map((a, i) => {
      const lo = w.start + a;
      const hi = Math.min(w.start + t1[i]!, w.end);
      // The simulator's per-window p95: the quantile of a log histogram of the requests answered in it.
      const answered = new LogHistogram();
      for (const r of rs)
        if (r.status === 'ok' && r.end >= lo && r.end < hi) answered.record(r.end - r.start);
      const p95 = quantileBetween(undefined, answered.toJSON(), 0.95);
      let busy = 0;
      for (const r of rs) busy += Math.max(0, Math.min(r.end, hi) - Math.max(r.start, lo));
      return { p95, inSystem: hi > lo ? busy / (hi - lo) : NaN };
    });
  });
  const mean = (i: number, pick: (v: { p95: number; inSystem: number }) => number) => {
    const v = perRep.map((r) => pick(r[i]!)).filter(Number.isFinite);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  };
  return {
    replications: windows.length,
    responseTime: h.toJSON(),
    t0,
    t1,
    pools: {},
    cpu: {},
    gpu: {},
    inSystem: t0.map((_, i) => mean(i, (v) => v.inSystem)),
    responseTimeP95: t0.map((_, i) => mean(i, (v) => v.p95)),
    hosts: {},
  };
}
