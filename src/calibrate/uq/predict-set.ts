import type { FlatMetrics, SimBackend } from './backend.js';
import { mean, mixtureQuantile, quantile, variance } from './stats.js';

/** A configuration to predict: a name and its overrides of the scenario. */
export interface PredictConfig {
  name: string;
  overrides: string[];
}

/** A prediction over the plausible set for one metric at one configuration. */
export interface SetPrediction {
  /** Mean over the plausible set (each vector's mean over its replications). */
  point: number;
  /** 90 % prediction interval: the 5 % and 95 % quantiles over the set. */
  lo: number;
  hi: number;
  /** Each vector's value, in the set's order. */
  values: number[];
  /** Mean over the set of the variance, over replications, of one replication (the simulator's noise). */
  replicationVariance: number;
  /**
   * 90 % interval of what a measurement will read (when the metric has a measurement noise): each vector's
   * value blurred by the measurement's noise and the model's discrepancy, as the calibration assumed when
   * it judged the vectors plausible. `lo`/`hi` hold the parameters' (and the simulator's) share alone.
   */
  measured?: { lo: number; hi: number; relSd: number };
}

export interface PredictOverSetOptions {
  backend: SimBackend;
  /** Each plausible vector as `path=value` overrides. */
  samples: readonly string[][];
  configs: readonly PredictConfig[];
  metrics: readonly string[];
  seed: number;
  /** Replications per (vector, configuration). */
  replications: number;
  /**
   * `independent` (prediction intervals): vector i runs replications i·R … i·R+R−1, so the simulator's
   * noise enters the interval and averages out of the point prediction. `common` (comparisons between
   * vectors): every vector runs replications 0 … R−1, so differences between vectors are the parameters'.
   */
  streams: 'independent' | 'common';
  /**
   * Relative standard deviation of a measurement around the twin's value, per metric (measurement noise and
   * model discrepancy combined, {@link measurementRelSd}); metrics listed get a `measured` interval.
   */
  measurementRelSd?: Readonly<Record<string, number>>;
  onDone?: () => void;
}

/**
 * Simulates every configuration under every plausible vector and summarizes each metric over the set:
 * the point prediction (mean) and the 90 % prediction interval (5–95 % quantiles of the vectors' means
 * over their replications) — parameter uncertainty plus, with independent streams, the noise of an
 * R-replication simulation.
 */
export async function predictOverSet(
  o: PredictOverSetOptions,
): Promise<{ name: string; metrics: Record<string, SetPrediction> }[]> {
  const R = o.replications;
  const requests = o.configs.flatMap((c) =>
    o.samples.flatMap((s, i) =>
      Array.from({ length: R }, (_, r) => ({
        overrides: [...c.overrides, ...s],
        seed: o.seed,
        replication: o.streams === 'independent' ? i * R + r : r,
      })),
    ),
  );
  const out = await o.backend(requests, o.onDone);
  return o.configs.map((c, ci) => {
    const per: Record<string, SetPrediction> = {};
    for (const metric of o.metrics) {
      const values: number[] = [];
      const repVars: number[] = [];
      o.samples.forEach((_, i) => {
        const reps = Array.from(
          { length: R },
          (_, r): FlatMetrics => out[(ci * o.samples.length + i) * R + r]!,
        ).map((m) => m[metric] ?? NaN);
        values.push(mean(reps));
        repVars.push(variance(reps));
      });
      per[metric] = {
        point: mean(values),
        lo: quantile(values, 0.05),
        hi: quantile(values, 0.95),
        values,
        replicationVariance: mean(repVars),
      };
      const relSd = o.measurementRelSd?.[metric];
      if (relSd !== undefined && values.every(Number.isFinite)) {
        const sds = values.map((v) => Math.abs(v) * relSd);
        per[metric].measured = {
          lo: mixtureQuantile(values, sds, 0.05),
          hi: mixtureQuantile(values, sds, 0.95),
          relSd,
        };
      }
    }
    return { name: c.name, metrics: per };
  });
}
