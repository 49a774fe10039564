import type { SpanRecord } from '../trace/index.js';
import { nelderMead } from './nelder-mead.js';

/** A fitted throughput-vs-concurrency curve of a shared resource (a GPU) and the demand it implies. */
export interface ContentionFit {
  service: string;
  stage: string;
  /** Saturating curve: total rate(n) = 1 + (maxSpeedup − 1)·(n − 1)/(n − 1 + halfConcurrency). */
  maxSpeedup: number;
  halfConcurrency: number;
  /** Demand per job alone (seconds) implied by the curve: mean and coefficient of variation. */
  demandMean: number;
  demandCv: number;
  /** Spans used and the mean concurrency they saw. */
  samples: number;
  meanConcurrency: number;
  /** Implied demand of each job used (for fitting its law). */
  implied: number[];
}

interface Job {
  start: number;
  end: number;
  host: string;
}

/**
 * For each job, the piecewise-constant number of jobs in service on its host during its life, as
 * (duration, n) segments: what processor sharing made its progress rate depend on.
 */
function segments(jobs: Job[]): { segs: Float64Array[]; ns: Int32Array[] } {
  const byHost = new Map<string, number[]>();
  jobs.forEach((j, i) => {
    let list = byHost.get(j.host);
    if (!list) byHost.set(j.host, (list = []));
    list.push(i);
  });
  const segs: Float64Array[] = new Array(jobs.length);
  const ns: Int32Array[] = new Array(jobs.length);
  for (const idx of byHost.values()) {
    const events: [number, number, number][] = [];
    for (const i of idx) {
      events.push([jobs[i]!.start, 1, i], [jobs[i]!.end, -1, i]);
    }
    // Ends before starts at equal times: a job leaving and one arriving at the same instant never overlap.
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const active = new Set<number>();
    const acc = new Map<number, { d: number[]; n: number[] }>();
    let last = events[0]?.[0] ?? 0;
    for (const [t, kind, i] of events) {
      const dt = t - last;
      if (dt > 0 && active.size > 0) {
        for (const a of active) {
          const r = acc.get(a)!;
          r.d.push(dt);
          r.n.push(active.size);
        }
      }
      last = t;
      if (kind === 1) {
        active.add(i);
        acc.set(i, { d: [], n: [] });
      } else {
        active.delete(i);
        const r = acc.get(i)!;
        segs[i] = Float64Array.from(r.d);
        ns[i] = Int32Array.from(r.n);
        acc.delete(i);
      }
    }
  }
  return { segs, ns };
}

/**
 * Fits the concurrency curve of a stage that shares a resource by processor sharing (a GPU running
 * concurrent inferences) from its spans: under rate(n) total throughput, a job's demand is
 * ∫ rate(n(t))/n(t) dt over its life. With the right curve these implied demands no longer depend on
 * how crowded the resource was, so the fit minimizes the variance of their logarithms (the spread a
 * wrong curve adds is correlated with concurrency). The scale of the curve rests on rate(1) = 1, so
 * runs where jobs sometimes run alone pin the demand best. Needs every concurrent job of the stage traced
 * (live runs trace all requests; for simulated runs the sample is the first requests after warm-up,
 * so the edges of the sampled window are dropped). Spans of several runs must carry distinct host
 * names (the caller prefixes them with the run). Concurrency levels the runs never visited leave the
 * curve unidentified there: runs at several configurations (loads, pool sizes) fit it best.
 */
export function fitContention(
  spans: readonly SpanRecord[],
  service: string,
  stage: string,
): ContentionFit | undefined {
  const all = spans
    .filter((s) => s.kind === 'stage' && s.service === service && s.name === stage)
    .map((s) => ({ start: s.start, end: s.end, host: s.host }));
  if (all.length < 50) return undefined;
  const { segs, ns } = segments(all);
  // Drop the first and last 10 % in time: jobs there may overlap untraced ones.
  const starts = all.map((j) => j.start).sort((a, b) => a - b);
  const lo = starts[Math.floor(starts.length * 0.1)]!;
  const hi = starts[Math.floor(starts.length * 0.9)]!;
  const keep = all.map((_j, i) => i).filter((i) => all[i]!.start >= lo && all[i]!.start <= hi);
  const implied = (max: number, half: number): number[] =>
    keep.map((i) => {
      const d = segs[i]!;
      const n = ns[i]!;
      let w = 0;
      for (let k = 0; k < d.length; k++) {
        const m = n[k]!;
        w += (d[k]! * (1 + ((max - 1) * (m - 1)) / (m - 1 + half))) / m;
      }
      return w;
    });
  const cvOf = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
    return { m, cv: Math.sqrt(v) / m };
  };
  // Search max ∈ [1, 20] and half ∈ [0.05, 50] through unconstrained coordinates.
  const toParams = (u: number[]) => [
    1 + 19 / (1 + Math.exp(-u[0]!)),
    0.05 * Math.exp(u[1]! * Math.log(1000)),
  ];
  const loss = (u: number[]) => {
    const [max, half] = toParams(u) as [number, number];
    const logs = implied(max, half).map(Math.log);
    const m = logs.reduce((a, b) => a + b, 0) / logs.length;
    return logs.reduce((a, x) => a + (x - m) ** 2, 0) / logs.length;
  };
  let best = { x: [0, 0.5], value: Infinity, evaluations: 0 };
  for (const u0 of [-2, 0, 2]) {
    for (const u1 of [0.2, 0.5, 0.8]) {
      const r = nelderMead(loss, [u0, u1], { step: [1, 0.2], tolerance: 1e-10, maxEvaluations: 300 });
      if (r.value < best.value) best = r;
    }
  }
  const [maxSpeedup, halfConcurrency] = toParams(best.x) as [number, number];
  const { m, cv } = cvOf(implied(maxSpeedup, halfConcurrency));
  const meanN =
    keep.reduce((a, i) => {
      const d = segs[i]!;
      const n = ns[i]!;
      let area = 0,
        dur = 0;
      for (let k = 0; k < d.length; k++) {
        area += d[k]! * n[k]!;
        dur += d[k]!;
      }
      return a + (dur > 0 ? area / dur : 1);
    }, 0) / keep.length;
  return {
    service,
    stage,
    maxSpeedup,
    halfConcurrency,
    demandMean: m,
    demandCv: cv,
    samples: keep.length,
    meanConcurrency: meanN,
    implied: implied(maxSpeedup, halfConcurrency),
  };
}
