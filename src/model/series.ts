import { LogHistogram, type LogHistogramJSON } from '../metrics/index.js';
import { quantileBetween } from '../metrics/histogram-window.js';
import type { ResolvedScenario } from '../scenario/index.js';
import type { SpanRecord } from '../trace/index.js';
import { simulate, type SimulateOptions, type SimulationResult } from './simulate.js';
import type { Simulation } from './simulation.js';

/**
 * Time series of one simulation (what `series.json` of its run folder holds, written by run-folder/'s
 * seriesFile for `simulate --out` and the server's runs alike): per-window time-weighted
 * means of each pool's busy threads and queue, of each service's CPU and GPU utilization and of the
 * requests in the system, plus the response-time histogram of every measured request. Windows are the
 * simulation's progress chunks over the measured period (1 % of the duration each, or longer for runs
 * bounded by a number of requests); values are averaged over the service's hosts and over the
 * replications. Memory: one number per window and series, whatever the number of requests.
 */
export interface SimulationSeries {
  /** Replications averaged (those whose windows line up with replication 0's). */
  replications: number;
  /** Start and end of each window, simulated seconds. */
  t0: number[];
  t1: number[];
  /** By pool key (as in metrics.pools). */
  pools: Record<string, { service: string; size: number; busy: number[]; queue: number[] }>;
  /** By service id; NaN-free (services without a CPU or GPU stage are left out). */
  cpu: Record<string, number[]>;
  gpu: Record<string, number[]>;
  inSystem: number[];
  /**
   * Per window: the 95th percentile of the response times of the requests answered in it (each
   * replication's, then their mean over the replications that answered some; null for a window where
   * none did).
   */
  responseTimeP95: number[];
  /**
   * Per host instance, for services of 2 to {@link MAX_HOSTS_BROKEN_DOWN} hosts (more would not be read
   * as lines): by service id, each host's CPU utilization and each pool's busy threads, per window.
   */
  hosts: Record<string, HostBreakdown>;
  /**
   * Response times (seconds) of all measured requests of all replications, log buckets: the union of the
   * replications' histograms whose quantiles are metrics.json's percentiles (each replication's, then
   * their mean).
   */
  responseTime: LogHistogramJSON;
}

/** One service's hosts, one array per host (index = host instance), one value per window. */
export interface HostBreakdown {
  count: number;
  cpu: number[][];
  /** By pool name (as in the scenario's app.pools). */
  busy: Record<string, number[][]>;
}

/** Services with more hosts than this are not broken down per host in the series. */
export const MAX_HOSTS_BROKEN_DOWN = 16;

interface Sampled {
  t0: number[];
  t1: number[];
  values: Map<string, number[]>;
}

/**
 * Like model/simulate() (same replications, seeds, span sample and result, byte for byte), and also
 * samples the time-weighted levels at the end of each progress chunk. Chunking does not change the order
 * of events, so the metrics equal those of `e2ctwin simulate`.
 */
export function simulateWithSeries(
  scenario: ResolvedScenario,
  options: SimulateOptions = {},
): { result: SimulationResult; spans: SpanRecord[]; sampledRequests: number; series: SimulationSeries } {
  const samples: Sampled[] = [];
  const histogram = new LogHistogram();
  let sampled: Sampled = { t0: [], t1: [], values: new Map() };
  let last = { t: NaN, levels: new Map<string, number>() };
  // The response times answered so far in this replication, at the end of the previous window.
  let answered: LogHistogramJSON | undefined;
  const observe = (s: Simulation, _r: number, ended: boolean) => {
    if (ended) {
      histogram.merge(s.collector.responseTime);
      samples.push(sampled);
      sampled = { t0: [], t1: [], values: new Map() };
      last = { t: NaN, levels: new Map<string, number>() };
      answered = undefined;
      return;
    }
    const c = s.collector;
    if (!c.measuring) return;
    const now = s.env.now;
    const levels = integrals(s, now);
    const from = Number.isNaN(last.t) ? c.measureStart : last.t;
    if (now <= from) return;
    sampled.t0.push(from);
    sampled.t1.push(now);
    for (const [k, v] of levels) {
      const prev = Number.isNaN(last.t) ? 0 : (last.levels.get(k) ?? 0);
      let arr = sampled.values.get(k);
      if (!arr) sampled.values.set(k, (arr = []));
      arr.push((v - prev) / (now - from));
    }
    const sofar = c.responseTime.toJSON();
    let p95 = sampled.values.get(P95);
    if (!p95) sampled.values.set(P95, (p95 = []));
    p95.push(quantileBetween(answered, sofar, 0.95));
    answered = sofar;
    last = { t: now, levels };
  };
  const { result, spans, sampledRequests } = simulate(scenario, { ...options, observe });
  return { result, spans, sampledRequests, series: toSeries(scenario, result, samples, histogram) };
}

/** Key of the per-window p95 among a replication's sampled values. */
const P95 = 'responseTime.p95';

/** ∫ level dt since the start of measurement, for every level the series follow, by series key. */
function integrals(sim: Simulation, now: number): Map<string, number> {
  const elapsed = now - sim.collector.measureStart;
  const out = new Map<string, number>();
  const add = (key: string, mean: number, weight: number) =>
    out.set(key, (out.get(key) ?? 0) + (Number.isFinite(mean) ? mean * elapsed : 0) / weight);
  for (const [serviceId, hosts] of sim.hosts) {
    const poolNames = Object.keys(sim.scenario.services.find((s) => s.id === serviceId)?.app?.pools ?? {});
    const perHost = hosts.length >= 2 && hosts.length <= MAX_HOSTS_BROKEN_DOWN;
    hosts.forEach((host, h) => {
      host.pools.forEach((pool, i) => {
        add(`pool.busy/${serviceId}/${poolNames[i]}`, pool.meanBusy(now), hosts.length);
        add(`pool.queue/${serviceId}/${poolNames[i]}`, pool.meanQueueLength(now), hosts.length);
        if (perHost) add(`host.busy/${serviceId}/${poolNames[i]}/${h}`, pool.meanBusy(now), 1);
      });
      if (host.cpu) add(`cpu/${serviceId}`, host.cpu.utilization(now), hosts.length);
      if (host.cpu && perHost) add(`host.cpu/${serviceId}/${h}`, host.cpu.utilization(now), 1);
      for (const g of host.gpus) add(`gpu/${serviceId}`, g.utilization(now), hosts.length * host.gpus.length);
    });
  }
  add('inSystem', sim.collector.inSystem.mean(now), 1);
  return out;
}

function toSeries(
  scenario: ResolvedScenario,
  result: SimulationResult,
  samples: Sampled[],
  histogram: LogHistogram,
): SimulationSeries {
  const first = samples[0] ?? { t0: [], t1: [], values: new Map<string, number[]>() };
  // Replications bounded by a number of requests end at different times: average only those whose
  // windows line up with replication 0's.
  const aligned = samples.filter(
    (s) => s.t1.length === first.t1.length && s.t1.every((t, i) => Math.abs(t - first.t1[i]!) < 1e-9),
  );
  const mean = (key: string): number[] =>
    first.t1.map((_, i) => aligned.reduce((a, s) => a + (s.values.get(key)?.[i] ?? 0), 0) / aligned.length);
  const pools: SimulationSeries['pools'] = {};
  for (const [key, p] of Object.entries(result.pools)) {
    const poolName = key.startsWith(`${p.service}.`) ? key.slice(p.service.length + 1) : key;
    pools[key] = {
      service: p.service,
      size: p.size,
      busy: mean(`pool.busy/${p.service}/${poolName}`),
      queue: mean(`pool.queue/${p.service}/${poolName}`),
    };
  }
  const cpu: Record<string, number[]> = {};
  const gpu: Record<string, number[]> = {};
  const hosts: Record<string, HostBreakdown> = {};
  for (const s of scenario.services) {
    if (first.values.has(`cpu/${s.id}`)) cpu[s.id] = mean(`cpu/${s.id}`);
    if (first.values.has(`gpu/${s.id}`)) gpu[s.id] = mean(`gpu/${s.id}`);
    const poolNames = Object.keys(s.app?.pools ?? {});
    let count = 0;
    while (poolNames.length && first.values.has(`host.busy/${s.id}/${poolNames[0]}/${count}`)) count++;
    const byHost = (key: (h: number) => string) => Array.from({ length: count }, (_, h) => mean(key(h)));
    if (count > 0)
      hosts[s.id] = {
        count,
        cpu: first.values.has(`host.cpu/${s.id}/0`) ? byHost((h) => `host.cpu/${s.id}/${h}`) : [],
        busy: Object.fromEntries(poolNames.map((p) => [p, byHost((h) => `host.busy/${s.id}/${p}/${h}`)])),
      };
  }
  // The p95 of a window is averaged over the replications that answered requests in it.
  const p95 = first.t1.map((_, i) => {
    const v = aligned.map((s) => s.values.get(P95)?.[i] ?? NaN).filter(Number.isFinite);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  });
  return {
    replications: aligned.length,
    t0: first.t0,
    t1: first.t1,
    pools,
    cpu,
    gpu,
    inSystem: mean('inSystem'),
    responseTimeP95: p95,
    hosts,
    responseTime: histogram.toJSON(),
  };
}
