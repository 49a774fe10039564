import type { Rng } from '../../random/index.js';

/**
 * One simulation the calibration asks for: a replication of the scenario with overrides. The calibrate
 * layer does not run simulations itself: the edge (cli/) gives it a {@link SimBackend}, typically the
 * explore layer's worker pool, so that `--workers` parallelizes calibration as it does sweeps.
 */
export interface SimRequest {
  overrides: string[];
  seed: number;
  replication: number;
}

/** Flat metrics of one replication, keyed like `simulate --json` (`responseTime.mean`, `throughput` …). */
export type FlatMetrics = Record<string, number>;

/**
 * Runs simulations and returns their flat metrics in request order (whatever order they finish in, so
 * results do not depend on the number of workers). `onDone` is called after each, for progress.
 */
export type SimBackend = (requests: readonly SimRequest[], onDone?: () => void) => Promise<FlatMetrics[]>;

/** A regression model of one simulator output over the unit cube (a Gaussian process). */
export interface Emulator {
  fit(x: readonly number[][], y: readonly number[], rng: Rng): void;
  /** Posterior mean and standard deviation of the latent function (without the nugget). */
  predict(points: readonly number[][]): { mu: Float64Array; sd: Float64Array };
}
export type EmulatorFactory = (dims: number) => Emulator;
