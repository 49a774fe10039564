import type { ResolvedScenario } from '../scenario/index.js';
import type { Simulation } from './simulation.js';
import { dynamicServiceMetrics, dynamicsMetrics, type DynamicsMetrics } from './dynamic-metrics.js';

/** Pool statistics over the measured period, averaged over the service's host instances. */
export interface PoolMetrics {
  service: string;
  size: number;
  /** Mean fraction of the threads busy. */
  utilization: number;
  meanBusy: number;
  /** Mean number of tasks waiting for a thread. */
  meanQueue: number;
  /** Fraction of granted tasks that had to wait. */
  waitProbability: number;
  rejected: number;
}

export interface ServiceMetrics {
  quantity: number;
  /** Requests this service answered (including those forwarded to it by other services). */
  completed: number;
  rejected: number;
  responseTime: { mean: number; p95: number };
  /** Mean fraction of the CPU cores busy (NaN without CPU stages). */
  cpuUtilization: number;
  /** Mean fraction of time a GPU is busy (NaN without GPU stages). */
  gpuUtilization: number;
  /** GPU memory reserved per GPU, GiB (0 without a GPU memory model). */
  gpuMemoryGiB: number;
  energyJ: number;
  cost: number;
}

/** What one replication measured, after the warm-up. Keys are stable (the --json contract). */
export interface ReplicationMetrics {
  responseTime: { mean: number; p50: number; p95: number; p99: number; max: number };
  throughput: number;
  arrived: number;
  completed: number;
  rejected: number;
  abandoned: number;
  /** Requests that got no answer (their instance stopped, or none was up: connection refused or reset), after retries. */
  failed: number;
  rejectionProbability: number;
  abandonmentProbability: number;
  failureProbability: number;
  inSystem: { mean: number };
  pools: Record<string, PoolMetrics>;
  services: Record<string, ServiceMetrics>;
  links: Record<string, { links: number; utilization: number; meanActive: number; bytes: number }>;
  gpuMemoryPeakGiB: number;
  feasible: boolean;
  infeasible: string[];
  energyJ: number;
  cost: number;
  measuredSeconds: number;
  events: number;
  /** Over time (fixed windows of the measured period; empty when the run has no duration). */
  timeline: {
    windowS: number;
    start: number[];
    responseTimeMean: number[];
    throughput: number[];
    abandoned: number[];
  };
  /** Instances over time, failures and markers: only for a run with timed events, balance or autoscaling. */
  dynamics?: DynamicsMetrics;
  /** Attempts of the requests: only for a run whose workload sets a per-attempt timeout (retry.timeoutS). */
  attempts?: AttemptMetrics;
}

/**
 * What the per-attempt timeouts did (counted like `arrived`: by the request's first send, after the warm-up).
 * `timedOut / (arrived + retries)` is the fraction of attempts given up.
 */
export interface AttemptMetrics {
  /** Attempts sent again, after a failure or a timeout. */
  retries: number;
  /** Attempts given up by their client (retried, or the last one: the request counts as abandoned). */
  timedOut: number;
  /** Answers the server still produced for attempts given up and sent again: for nobody. */
  wasted: number;
}

/** GPU memory reserved on each GPU of a service, GiB: the base plus one share per thread of its pool. */
export function gpuMemoryOf(service: ResolvedScenario['services'][number]): number {
  const gm = service.app?.gpuMemory;
  const gpu = service.host.gpu;
  if (!gm || !gpu) return 0;
  const threads = service.app!.pools[gm.pool]?.size ?? 0;
  return gm.baseGiB + gm.perThreadGiB * Math.ceil(threads / gpu.count);
}

/** Configurations that cannot run (GPU memory beyond the card), with the reason. */
export function infeasibility(scenario: ResolvedScenario): string[] {
  const out: string[] = [];
  for (const s of scenario.services) {
    const used = gpuMemoryOf(s);
    const gpu = s.host.gpu;
    if (gpu && used > gpu.memoryGiB) {
      out.push(`${s.id}: GPU memory ${round(used)} GiB exceeds the ${gpu.type}'s ${gpu.memoryGiB} GiB`);
    }
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Reads the metrics of a finished replication. */
export function replicationMetrics(sim: Simulation): ReplicationMetrics {
  const { env, collector: c, scenario } = sim;
  const now = env.now;
  const T = now - c.measureStart;
  const h = c.responseTime;
  const poolNameCount = new Map<string, number>();
  for (const s of scenario.services)
    for (const p of Object.keys(s.app?.pools ?? {})) poolNameCount.set(p, (poolNameCount.get(p) ?? 0) + 1);

  const pools: Record<string, PoolMetrics> = {};
  const services: Record<string, ServiceMetrics> = {};
  let energyJ = 0;
  let cost = 0;
  let gpuMemoryPeakGiB = 0;
  for (const s of scenario.services) {
    const set = sim.instances.get(s.id);
    if (set !== undefined) {
      const m = dynamicServiceMetrics(
        sim,
        s,
        set,
        (p) => (poolNameCount.get(p) === 1 ? p : `${s.id}.${p}`),
        pools,
      );
      energyJ += m.energyJ;
      cost += m.cost;
      gpuMemoryPeakGiB = Math.max(gpuMemoryPeakGiB, m.gpuMemoryGiB);
      services[s.id] = m;
      continue;
    }
    const hosts = sim.hosts.get(s.id) ?? [];
    s.app &&
      Object.keys(s.app.pools).forEach((p, i) => {
        let util = 0,
          busy = 0,
          queue = 0,
          granted = 0,
          waited = 0,
          rejected = 0;
        for (const host of hosts) {
          const pool = host.pools[i]!;
          util += pool.utilization(now);
          busy += pool.meanBusy(now);
          queue += pool.meanQueueLength(now);
          granted += pool.granted;
          waited += pool.waited;
          rejected += pool.rejected;
        }
        const n = hosts.length;
        const key = poolNameCount.get(p) === 1 ? p : `${s.id}.${p}`;
        pools[key] = {
          service: s.id,
          size: s.app!.pools[p]!.size,
          utilization: util / n,
          meanBusy: busy / n,
          meanQueue: queue / n,
          waitProbability: granted > 0 ? waited / granted : 0,
          rejected,
        };
      });
    const cpuU =
      hosts.length > 0 && hosts[0]!.cpu
        ? hosts.reduce((a, x) => a + x.cpu!.utilization(now), 0) / hosts.length
        : NaN;
    const gpuList = hosts.flatMap((x) => x.gpus);
    const gpuU =
      gpuList.length > 0 ? gpuList.reduce((a, g) => a + g.utilization(now), 0) / gpuList.length : NaN;
    const hw = s.host;
    const cpuPart = hw.power.idleW + (hw.power.maxW - hw.power.idleW) * (Number.isNaN(cpuU) ? 0 : cpuU);
    const gpuPart = hw.gpu
      ? hw.gpu.count *
        (hw.gpu.idlePowerW + (hw.gpu.maxPowerW - hw.gpu.idlePowerW) * (Number.isNaN(gpuU) ? 0 : gpuU))
      : 0;
    const e = s.quantity * (cpuPart + gpuPart) * T;
    const k = (s.quantity * hw.pricePerHour * T) / 3600;
    energyJ += e;
    cost += k;
    const mem = gpuMemoryOf(s);
    gpuMemoryPeakGiB = Math.max(gpuMemoryPeakGiB, mem);
    const st = c.services.get(s.id);
    services[s.id] = {
      quantity: s.quantity,
      completed: st?.completed ?? 0,
      rejected: st?.rejected ?? 0,
      // Without per-service histograms, the one service that answers requests has the user-facing times.
      responseTime:
        !c.perServiceHistograms && st && st.completed > 0
          ? { mean: h.mean, p95: h.count > 0 ? h.quantile(0.95) : NaN }
          : {
              mean: st?.responseTime.mean ?? NaN,
              p95: st && st.completed > 0 ? st.responseTime.quantile(0.95) : NaN,
            },
      cpuUtilization: cpuU,
      gpuUtilization: gpuU,
      gpuMemoryGiB: mem,
      energyJ: e,
      cost: k,
    };
  }

  const links: ReplicationMetrics['links'] = {};
  sim.network.links.forEach((link, i) => {
    const constraint = sim.network.constraints[i]!;
    const key = `${constraint.src}->${constraint.dst}`;
    const l = (links[key] ??= { links: 0, utilization: 0, meanActive: 0, bytes: 0 });
    l.links++;
    l.utilization += link.utilization(now);
    l.meanActive += link.meanActive(now);
    l.bytes += link.bytes;
  });
  for (const l of Object.values(links)) {
    l.utilization /= l.links;
    l.meanActive /= l.links;
  }

  const infeasible = infeasibility(scenario);
  const q = (p: number) => (h.count > 0 ? h.quantile(p) : NaN);
  return {
    responseTime: { mean: h.mean, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: h.count > 0 ? h.max : NaN },
    throughput: T > 0 ? c.completed / T : NaN,
    arrived: c.arrived,
    completed: c.completed,
    rejected: c.rejectedCount,
    abandoned: c.abandoned,
    failed: c.failed,
    rejectionProbability: c.arrived > 0 ? c.rejectedCount / c.arrived : 0,
    abandonmentProbability: c.arrived > 0 ? c.abandoned / c.arrived : 0,
    failureProbability: c.arrived > 0 ? c.failed / c.arrived : 0,
    inSystem: { mean: c.inSystem.mean(now) },
    pools,
    services,
    links,
    gpuMemoryPeakGiB,
    feasible: infeasible.length === 0,
    infeasible,
    energyJ,
    cost,
    measuredSeconds: T,
    events: env.eventsProcessed,
    timeline: {
      windowS: c.windowS,
      start: Array.from(c.windowCompleted, (_, i) => c.measureStart + i * c.windowS),
      responseTimeMean: Array.from(c.windowCompleted, (n, i) => (n > 0 ? c.windowResponseSum[i]! / n : NaN)),
      throughput: Array.from(c.windowCompleted, (n) => n / c.windowS),
      abandoned: Array.from(c.windowAbandoned),
    },
    ...dynamicsPart(sim),
    ...(scenario.services.some((s) => s.workload?.retry?.timeoutS !== undefined)
      ? { attempts: { retries: c.retries, timedOut: c.timedOut, wasted: c.wasted } }
      : {}),
  };
}

function dynamicsPart(sim: Simulation): { dynamics?: DynamicsMetrics } {
  const d = dynamicsMetrics(sim);
  return d === undefined ? {} : { dynamics: d };
}
