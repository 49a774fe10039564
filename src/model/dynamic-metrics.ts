import type { ResolvedService } from '../scenario/index.js';
import { gpuMemoryOf, type PoolMetrics, type ServiceMetrics } from './metrics.js';
import { type InstanceMarker, type InstanceSet, USAGE } from './instances.js';
import type { Simulation } from './simulation.js';

/** What the timeline says of a run whose instances, load or configuration change (only such runs have it). */
export interface DynamicsMetrics {
  /** Per service with an instance set: instances serving (time-weighted mean, most at once) and paid for. */
  instances: Record<string, { mean: number; max: number; provisioned: number }>;
  /** Attempts sent again after a failure. */
  retries: number;
  /** Per window of the timeline: instances serving (time-weighted mean) by service, and failed requests. */
  timeline: { instances: Record<string, number[]>; failed: number[] };
  /** What happened when, warm-up included (stops, restarts, instances up or gone, scaling, pool sizes, load steps, link changes). */
  markers: InstanceMarker[];
  markersDropped: number;
}

/**
 * Pools and service metrics of a service whose instances change, over the incarnations that ran in the
 * measured period: utilizations are busy time over the time each was up; energy and cost count the
 * instances paid for (starting, serving, draining), not the scenario's quantity.
 */
export function dynamicServiceMetrics(
  sim: Simulation,
  s: ResolvedService,
  set: InstanceSet,
  poolKey: (pool: string) => string,
  pools: Record<string, PoolMetrics>,
): ServiceMetrics {
  const now = sim.env.now;
  const from = sim.collector.measureStart;
  const T = now - from;
  const u = set.usage(from, now);
  const names = Object.keys(s.app!.pools);
  const host = names.length * USAGE.PER_POOL;
  const alive = u[host + USAGE.ALIVE_S]!;
  names.forEach((p, i) => {
    const o = i * USAGE.PER_POOL;
    const size = set.all[set.all.length - 1]!.pools[i]!.size;
    const granted = u[o + 2]!;
    pools[poolKey(p)] = {
      service: s.id,
      size,
      utilization: alive > 0 ? u[o]! / (alive * size) : NaN,
      meanBusy: alive > 0 ? u[o]! / alive : NaN,
      meanQueue: alive > 0 ? u[o + 1]! / alive : NaN,
      waitProbability: granted > 0 ? u[o + 3]! / granted : 0,
      rejected: u[o + 4]!,
    };
  });
  const first = set.all[0]!;
  const cpuU = first.cpu && alive > 0 ? u[host + USAGE.CPU_AREA]! / alive : NaN;
  const gpus = first.gpus.length;
  const gpuU = gpus > 0 && alive > 0 ? u[host + USAGE.GPU_AREA]! / (alive * gpus) : NaN;
  const hw = s.host;
  const { serving, provisioned } = set.meanInstances(from, now);
  const paidS = provisioned * T;
  const idleW = hw.power.idleW + (hw.gpu ? hw.gpu.count * hw.gpu.idlePowerW : 0);
  const energyJ =
    idleW * paidS +
    (hw.power.maxW - hw.power.idleW) * u[host + USAGE.CPU_AREA]! +
    (hw.gpu ? (hw.gpu.maxPowerW - hw.gpu.idlePowerW) * u[host + USAGE.GPU_AREA]! : 0);
  const st = sim.collector.services.get(s.id);
  const perService = sim.collector.perServiceHistograms;
  return {
    quantity: serving,
    completed: st?.completed ?? 0,
    rejected: st?.rejected ?? 0,
    responseTime:
      !perService && st && st.completed > 0
        ? {
            mean: sim.collector.responseTime.mean,
            p95: sim.collector.responseTime.count > 0 ? sim.collector.responseTime.quantile(0.95) : NaN,
          }
        : {
            mean: st?.responseTime.mean ?? NaN,
            p95: st && st.completed > 0 ? st.responseTime.quantile(0.95) : NaN,
          },
    cpuUtilization: cpuU,
    gpuUtilization: gpuU,
    gpuMemoryGiB: gpuMemoryOf(s),
    energyJ,
    cost: (hw.pricePerHour * paidS) / 3600,
  };
}

/** The timeline part of a run with instance sets or events; undefined for a static run (its keys unchanged). */
export function dynamicsMetrics(sim: Simulation): DynamicsMetrics | undefined {
  if (sim.instances.size === 0 && (sim.scenario.events?.length ?? 0) === 0) return undefined;
  const c = sim.collector;
  const now = sim.env.now;
  const from = c.measureStart;
  const instances: DynamicsMetrics['instances'] = {};
  const series: Record<string, number[]> = {};
  for (const [id, set] of sim.instances) {
    const m = set.meanInstances(from, now);
    instances[id] = { mean: m.serving, max: m.max, provisioned: m.provisioned };
    series[id] = Array.from(c.windowCompleted, (_, i) => {
      const t0 = from + i * c.windowS;
      return set.meanInstances(t0, Math.min(now, t0 + c.windowS)).serving;
    });
  }
  return {
    instances,
    retries: c.retries,
    timeline: { instances: series, failed: Array.from(c.windowFailed) },
    markers: sim.markers.slice(),
    markersDropped: sim.markersDropped,
  };
}
