import { LogHistogram } from '../../metrics/index.js';
import {
  infeasibility,
  type PoolMetrics,
  type ReplicationMetrics,
  type ServiceMetrics,
} from '../../model/index.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import type { SpanRecord } from '../../trace/index.js';
import type { EngineSnapshot } from '../app/engine.js';

/**
 * One measured window of a live run, in seconds on the run's clock (0 = workload start). `end` is where
 * measuring stopped: the planned end (`plannedEnd`), or earlier when the run was interrupted or failed.
 */
export interface LiveWindow {
  start: number;
  warmupEnd: number;
  end: number;
  plannedEnd?: number;
}

/** The counters of one engine instance over time (snapshots on the run's clock). */
export interface EngineSeries {
  service: string;
  instance: string;
  snapshots: EngineSnapshot[];
}

/** Per-process CPU seconds over the window, by service, when the host sampler saw it (non-engine services). */
export type ProcessCpu = Record<string, { cpuSeconds: number; instances: number }>;

const WINDOWS = 120;

/** The snapshot at or just before `t` (or the first), and at or just after (or the last). */
function around(s: EngineSnapshot[], t: number, after: boolean): EngineSnapshot | undefined {
  if (s.length === 0) return undefined;
  if (after) return s.find((x) => x.t >= t) ?? s[s.length - 1];
  let best = s[0];
  for (const x of s) if (x.t <= t) best = x;
  return best;
}

/**
 * The response times (seconds) of a window's measured requests: those answered (`ok`) that ended inside
 * the measured part of the window. Their quantiles are the repetition's percentiles in metrics.json;
 * pooled over the repetitions, they are series.json's histogram.
 */
export function measuredResponseTimes(win: LiveWindow, requests: readonly SpanRecord[]): LogHistogram {
  const h = new LogHistogram();
  for (const r of requests)
    if (r.kind === 'request' && r.status === 'ok' && r.end >= win.warmupEnd && r.end < win.end)
      h.record(r.end - r.start);
  return h;
}

/**
 * A live repetition's metrics in the simulator's shape (ReplicationMetrics), so that `metrics.json` of a
 * live run and of `e2ctwin simulate` compare field for field. Client-side request spans give the
 * response times, throughput, rejections, abandonments and requests in the system; engine counter
 * snapshots give pool utilization, queues, waits and CPU use. Every per-second rate is over the window's
 * measured time (`end - warmupEnd`): the runner ends a window where an interrupted or failed run stopped. What a live run cannot measure (GPU
 * utilization and memory on CPU stand-ins, energy) is NaN (null in JSON).
 */
export function liveReplicationMetrics(
  scenario: ResolvedScenario,
  win: LiveWindow,
  requests: readonly SpanRecord[],
  engines: readonly EngineSeries[],
  processCpu: ProcessCpu = {},
): ReplicationMetrics {
  const w0 = win.warmupEnd;
  const w1 = win.end;
  const T = w1 - w0;
  const h = measuredResponseTimes(win, requests);
  let arrived = 0,
    completed = 0,
    rejected = 0,
    abandoned = 0,
    failed = 0,
    retries = 0,
    timedOut = 0,
    area = 0;
  const windowS = T / WINDOWS;
  const wDone = new Float64Array(WINDOWS),
    wSum = new Float64Array(WINDOWS),
    wAband = new Float64Array(WINDOWS);
  const wi = (t: number) => Math.min(WINDOWS - 1, Math.max(0, Math.floor((t - w0) / windowS)));
  const perService = new Map<string, LogHistogram>();
  for (const r of requests) {
    if (r.kind !== 'request') continue;
    const arrivedInside = r.start >= w0 && r.start < w1;
    if (arrivedInside) {
      arrived++;
      // Attempts are counted with the request they belong to, as the simulator counts them.
      retries += r.retries ?? 0;
      timedOut += r.timedOut ?? 0;
    }
    area += Math.max(0, Math.min(r.end, w1) - Math.max(r.start, w0));
    // A request that got no answer is counted with the arrivals it belongs to (it took no service time).
    if (r.status === 'failed') {
      if (arrivedInside) failed++;
      continue;
    }
    if (r.end < w0 || r.end >= w1) continue;
    if (r.status === 'ok') {
      const t = r.end - r.start;
      completed++; // the requests measuredResponseTimes() records
      wDone[wi(r.end)]!++;
      wSum[wi(r.end)]! += t;
    } else if (r.status === 'abandoned') {
      abandoned++;
      wAband[wi(r.end)]!++;
    } else rejected++;
  }
  // The workload's target answers the users: its response times are the user-facing ones.
  for (const s of scenario.services) if (s.workload) perService.set(s.workload.target, h);

  const nameCount = new Map<string, number>();
  for (const s of scenario.services)
    for (const p of Object.keys(s.app?.pools ?? {})) nameCount.set(p, (nameCount.get(p) ?? 0) + 1);
  const pools: Record<string, PoolMetrics> = {};
  const services: Record<string, ServiceMetrics> = {};
  let cost = 0;
  for (const s of scenario.services) {
    const series = engines.filter((e) => e.service === s.id);
    const deltas = series
      .map((e) => {
        const a = around(e.snapshots, w0, false);
        const b = around(e.snapshots, w1, true);
        return a && b && b.t > a.t ? { a, b, dt: b.t - a.t } : undefined;
      })
      .filter((x) => x !== undefined);
    for (const p of Object.keys(s.app?.pools ?? {})) {
      if (deltas.length === 0) continue;
      let util = 0,
        busy = 0,
        queue = 0,
        granted = 0,
        waited = 0,
        rej = 0;
      // The size in force at the window's end (a timed pool event may have changed it), as the simulator
      // reports a resized pool: its size now, and the mean busy threads over it.
      let size = s.app!.pools[p]!.size;
      for (const { a, b, dt } of deltas) {
        const pa = a.pools[p]!,
          pb = b.pools[p]!;
        const meanBusy = (pb.busyIntegral - pa.busyIntegral) / dt;
        busy += meanBusy;
        util += meanBusy / pb.size;
        size = pb.size;
        queue += (pb.queueIntegral - pa.queueIntegral) / dt;
        granted += pb.granted - pa.granted;
        waited += pb.waited - pa.waited;
        rej += pb.rejected - pa.rejected;
      }
      const n = deltas.length;
      const key = nameCount.get(p) === 1 ? p : `${s.id}.${p}`;
      pools[key] = {
        service: s.id,
        size,
        utilization: util / n,
        meanBusy: busy / n,
        meanQueue: queue / n,
        waitProbability: granted > 0 ? waited / granted : 0,
        rejected: rej,
      };
    }
    let cpu = NaN;
    if (deltas.length > 0) {
      cpu =
        deltas.reduce(
          (acc, { a, b, dt }) =>
            acc +
            (b.cpuUserUs + b.cpuSystemUs - a.cpuUserUs - a.cpuSystemUs) /
              1e6 /
              (dt * Math.min(b.cores, s.host.cpu.cores)),
          0,
        ) / deltas.length;
    } else if (processCpu[s.id] && T > 0) {
      cpu = processCpu[s.id]!.cpuSeconds / (T * s.host.cpu.cores * Math.max(1, processCpu[s.id]!.instances));
    }
    const k = (s.quantity * s.host.pricePerHour * T) / 3600;
    cost += k;
    const hist = perService.get(s.id);
    services[s.id] = {
      quantity: s.quantity,
      completed: deltas.length > 0 ? deltas.reduce((acc, { a, b }) => acc + b.completed - a.completed, 0) : 0,
      rejected: deltas.length > 0 ? deltas.reduce((acc, { a, b }) => acc + b.rejected - a.rejected, 0) : 0,
      responseTime:
        hist && hist.count > 0 ? { mean: hist.mean, p95: hist.quantile(0.95) } : { mean: NaN, p95: NaN },
      cpuUtilization: cpu,
      gpuUtilization: NaN,
      gpuMemoryGiB: NaN,
      energyJ: NaN,
      cost: k,
    };
  }
  const infeasible = infeasibility(scenario);
  const q = (p: number) => (h.count > 0 ? h.quantile(p) : NaN);
  return {
    responseTime: { mean: h.mean, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: h.count > 0 ? h.max : NaN },
    throughput: T > 0 ? completed / T : NaN,
    arrived,
    completed,
    rejected,
    abandoned,
    failed,
    rejectionProbability: arrived > 0 ? rejected / arrived : 0,
    abandonmentProbability: arrived > 0 ? abandoned / arrived : 0,
    failureProbability: arrived > 0 ? failed / arrived : 0,
    inSystem: { mean: T > 0 ? area / T : NaN },
    pools,
    services,
    links: {},
    gpuMemoryPeakGiB: NaN,
    feasible: infeasible.length === 0,
    infeasible,
    energyJ: NaN,
    cost,
    measuredSeconds: T,
    events: requests.length,
    timeline: {
      windowS,
      // On the repetition's clock (0 at its workload start), as the simulator's replications are: every
      // repetition's timeline on one axis, that of series.json.
      start: Array.from(wDone, (_, i) => w0 - win.start + i * windowS),
      responseTimeMean: Array.from(wDone, (n, i) => (n > 0 ? wSum[i]! / n : NaN)),
      throughput: Array.from(wDone, (n) => n / windowS),
      abandoned: Array.from(wAband),
    },
    // The server's wasted answers are not seen by the client: NaN (null in JSON).
    ...(scenario.services.some((s) => s.workload?.retry?.timeoutS !== undefined)
      ? { attempts: { retries, timedOut, wasted: NaN } }
      : {}),
  };
}
