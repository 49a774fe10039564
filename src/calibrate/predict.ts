import {
  combine,
  replicationMetrics,
  Simulation,
  type ReplicationMetrics,
  type SimulationResult,
} from '../model/index.js';
import type { ResolvedScenario } from '../scenario/index.js';

/** The twin's prediction for one configuration: metrics with CIs and the response times behind them. */
export interface Prediction {
  result: Omit<SimulationResult, 'perReplication'>;
  /** Response times (s) of the requests answered after the warm-up, over all replications, sorted. */
  responseTimes: number[];
}

/** Most requests traced, and response times kept, per replication (a distribution needs a sample, not every request of a long run). */
const MAX_TRACED = 50_000;

/**
 * Simulates a resolved configuration like `e2ctwin simulate` (replication r on the streams of
 * (seed, name, r), combined with 95 % intervals) and also keeps the response time of every request
 * answered after the warm-up in every replication (up to MAX_TRACED each), so that the predicted
 * distribution can be compared with a measured one (KS, CDFs). Keeping them only observes: the metrics
 * are those simulate gives.
 */
export function predict(
  scenario: ResolvedScenario,
  options: { replications: number; seed?: number; onReplication?: (done: number) => void },
): Prediction {
  const seed = options.seed ?? scenario.seed;
  const reps: ReplicationMetrics[] = [];
  const responseTimes: number[] = [];
  for (let r = 0; r < options.replications; r++) {
    const sim = new Simulation(scenario, { seed, replication: r, spanSample: MAX_TRACED });
    // The answers the metrics count (answered after the warm-up, as the live side counts them), not the
    // traced requests (sent after it): those leave out the long answers of a short window.
    const kept = sim.collector.keepResponseTimes(MAX_TRACED);
    sim.run();
    reps.push(replicationMetrics(sim));
    for (const t of kept) responseTimes.push(t);
    options.onReplication?.(r + 1);
  }
  const { perReplication: _omit, ...result } = combine(scenario, seed, reps);
  return { result, responseTimes: responseTimes.sort((a, b) => a - b) };
}
