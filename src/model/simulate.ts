import type { ResolvedScenario } from '../scenario/index.js';
import type { SpanRecord } from '../trace/index.js';
import { aggregateReplications } from './aggregate.js';
import { Budget } from './budget.js';
import { replicationMetrics, type ReplicationMetrics } from './metrics.js';
import { Simulation } from './simulation.js';
import type { ShortcutName } from './shortcuts.js';

export interface SimulateOptions {
  /** Root seed; default the scenario's. */
  seed?: number;
  /** Replications; default the scenario's run.replications. */
  replications?: number;
  /** Arrival times of trace workloads, by service id (see scenario/readTraces). */
  traces?: ReadonlyMap<string, Float64Array>;
  /** Progress over the whole study (0..1), with the replication being run. */
  onProgress?: (fraction: number, replication: number) => void;
  /**
   * Reads a replication's live state at each progress checkpoint (`ended` false) and once when it has
   * run (`ended` true), e.g. to sample levels over time. Checkpoints do not change the order of events,
   * so the result is the same with or without an observer.
   */
  observe?: (sim: Simulation, replication: number, ended: boolean) => void;
  /**
   * Most events over all replications; beyond, the run stops with a BudgetExceededError (how far it got).
   * Default: no bound (the CLI's default is DEFAULT_MAX_EVENTS).
   */
  maxEvents?: number;
  /**
   * Most resident memory of the process, MiB, looked at every CHECK_EVERY events and while building hosts;
   * beyond, the run stops with a BudgetExceededError. Default: no bound (the CLI's is defaultMaxMemoryMiB()).
   */
  maxMemoryMiB?: number;
  /** Shortcuts turned off one by one (to compare a shortcut's path with the plain one; see shortcuts.ts). */
  shortcutsOff?: readonly ShortcutName[];
}

/** Comparison of a simulated metric with a reference value the scenario states (`expect:`). */
export interface ExpectationCheck {
  expected: number;
  simulated: number;
  lo: number;
  hi: number;
  relativeError: number;
  insideCi: boolean;
}

/** The result of simulating a scenario: means over replications with 95 % intervals. */
export interface SimulationResult extends ReplicationMetrics {
  scenario: string;
  seed: number;
  replications: number;
  ci95: Record<string, { lo: number; hi: number; halfWidth: number }>;
  expect: Record<string, ExpectationCheck>;
  perReplication: ReplicationMetrics[];
}

/**
 * Simulates `scenario`: independent replications (replication r uses the streams of (seed, name, r)),
 * each measured after the warm-up, combined into means and confidence intervals. Spans are kept for a
 * bounded sample of replication 0's requests. Deterministic: the same scenario and seed give the same
 * result, byte for byte.
 */
export function simulate(
  scenario: ResolvedScenario,
  options: SimulateOptions = {},
): { result: SimulationResult; spans: SpanRecord[]; sampledRequests: number } {
  const seed = options.seed ?? scenario.seed;
  const replications = options.replications ?? scenario.run.replications;
  const reps: ReplicationMetrics[] = [];
  let spans: SpanRecord[] = [];
  let sampledRequests = 0;
  const budget = new Budget(
    { maxEvents: options.maxEvents, maxMemoryMiB: options.maxMemoryMiB },
    replications,
  );
  for (let r = 0; r < replications; r++) {
    const { onProgress: progress, observe } = options;
    const checkpoint =
      progress || observe
        ? (f: number) => {
            observe?.(sim, r, false);
            progress?.((r + f) / replications, r);
          }
        : undefined;
    const sim: Simulation = new Simulation(scenario, {
      seed,
      replication: r,
      spanSample: r === 0 ? scenario.run.spanSample : 0,
      ...(options.traces ? { traces: options.traces } : {}),
      ...(checkpoint ? { onProgress: checkpoint } : {}),
      budget,
      ...(options.shortcutsOff ? { shortcutsOff: options.shortcutsOff } : {}),
    });
    sim.run();
    budget.finished(sim.env);
    observe?.(sim, r, true);
    reps.push(replicationMetrics(sim));
    if (r === 0) {
      spans = sim.collector.spans;
      sampledRequests = sim.collector.sampledRequests;
    }
  }
  return { result: combine(scenario, seed, reps), spans, sampledRequests };
}

/** Combines replication metrics into a result (also used by parallel runners). */
export function combine(
  scenario: ResolvedScenario,
  seed: number,
  reps: ReplicationMetrics[],
): SimulationResult {
  const { mean, ci95 } = aggregateReplications(reps);
  const expect: Record<string, ExpectationCheck> = {};
  for (const [key, expected] of Object.entries(scenario.expect ?? {})) {
    const c = ci95[key];
    const simulated = ownPath(mean, key);
    if (typeof simulated !== 'number') continue;
    expect[key] = {
      expected,
      simulated,
      lo: c?.lo ?? NaN,
      hi: c?.hi ?? NaN,
      relativeError: (simulated - expected) / expected,
      insideCi: c !== undefined && expected >= c.lo && expected <= c.hi,
    };
  }
  return {
    scenario: scenario.name,
    seed,
    replications: reps.length,
    ...mean,
    ci95,
    expect,
    perReplication: reps,
  };
}

/** The value at a dotted key, through own properties only (`constructor`, `toString` are not metrics). */
function ownPath(obj: unknown, key: string): number | undefined {
  let o = obj;
  for (const k of key.split('.')) {
    if (typeof o !== 'object' || o === null || !Object.hasOwn(o, k)) return undefined;
    o = (o as Record<string, unknown>)[k];
  }
  return typeof o === 'number' ? o : undefined;
}
