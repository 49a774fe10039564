import type { SimBackend } from './backend.js';
import type { CalibrationSet } from './calibration-set.js';
import { sampleOverrides } from './calibration-set.js';
import { predictOverSet, type PredictConfig } from './predict-set.js';
import { preposterior, type CandidateValue } from './preposterior.js';
import { mean } from './stats.js';

/** The uncertainty that matters: a metric at one configuration, or the best value over the candidates. */
export type Question =
  | { kind: 'metric'; metric: string; config: PredictConfig }
  | { kind: 'optimum'; metric: string; direction: 'minimize' | 'maximize' };

export interface SuggestOptions {
  backend: SimBackend;
  set: CalibrationSet;
  candidates: readonly PredictConfig[];
  question: Question;
  /** Metrics a new measurement gives (those of the calibration's measurements). */
  measuredMetrics: readonly string[];
  /** Relative standard deviation of a new measurement of each metric. */
  noise: Record<string, number>;
  /** Model discrepancy (relative sd) of the calibration, added to the measurement's. */
  discrepancy: number;
  seed: number;
  replications: number;
  onDone?: () => void;
}

export interface Suggestion {
  /** The quantity of interest under each plausible vector; its mean and variance now. */
  q: number[];
  mean: number;
  variance: number;
  ranked: (CandidateValue & { overrides: string[]; best?: number })[];
  /** Candidates left out: infeasible under at least one plausible vector. */
  infeasible: string[];
  /** For the optimum: the probability each candidate is the best under the plausible set. */
  bestShare?: Record<string, number>;
}

/**
 * Which candidate configuration to measure next: simulates every candidate (and the question's
 * configuration) under every plausible vector, on common random numbers so that differences between
 * vectors are the parameters' alone, computes the quantity of interest per vector, and ranks the
 * candidates by the expected variance of that quantity after measuring them (preposterior analysis).
 */
export async function suggestMeasurement(o: SuggestOptions): Promise<Suggestion> {
  const samples = sampleOverrides(o.set);
  const configs = o.question.kind === 'metric' ? [...o.candidates, o.question.config] : [...o.candidates];
  const metrics = [...new Set([...o.measuredMetrics, o.question.metric, 'feasible'])];
  const all = await predictOverSet({
    backend: o.backend,
    samples,
    configs,
    metrics,
    seed: o.seed,
    replications: o.replications,
    streams: 'common',
    ...(o.onDone ? { onDone: o.onDone } : {}),
  });
  // A candidate infeasible under some plausible vector (e.g. GPU memory beyond the card) is no
  // measurement to make, nor an optimum.
  const feasible = (k: number) => all[k]!.metrics.feasible!.values.every((v) => !(v < 1));
  const keep = o.candidates.map((_, k) => k).filter(feasible);
  const infeasible = o.candidates.filter((_, k) => !feasible(k)).map((c) => c.name);
  const candidatesKept = keep.map((k) => o.candidates[k]!);
  const preds = [
    ...keep.map((k) => all[k]!),
    ...(o.question.kind === 'metric' ? [all[all.length - 1]!] : []),
  ];
  if (candidatesKept.length === 0)
    throw new Error('every candidate is infeasible under some plausible vector');
  let q: number[];
  let bestShare: Record<string, number> | undefined;
  if (o.question.kind === 'metric') {
    q = preds[preds.length - 1]!.metrics[o.question.metric]!.values;
  } else {
    const sign = o.question.direction === 'minimize' ? 1 : -1;
    const metric = o.question.metric;
    const wins = new Map<string, number>();
    q = samples.map((_, i) => {
      let best = 0;
      candidatesKept.forEach((_, k) => {
        if (sign * preds[k]!.metrics[metric]!.values[i]! < sign * preds[best]!.metrics[metric]!.values[i]!)
          best = k;
      });
      wins.set(candidatesKept[best]!.name, (wins.get(candidatesKept[best]!.name) ?? 0) + 1);
      return preds[best]!.metrics[metric]!.values[i]!;
    });
    bestShare = Object.fromEntries(
      candidatesKept.map((c) => [c.name, (wins.get(c.name) ?? 0) / samples.length]),
    );
  }
  const candidates = candidatesKept.map((c, k) => ({
    name: c.name,
    values: Object.fromEntries(o.measuredMetrics.map((m) => [m, preds[k]!.metrics[m]!.values])),
    noiseSd: Object.fromEntries(
      o.measuredMetrics.map((m) => {
        const level = Math.abs(mean(preds[k]!.metrics[m]!.values));
        return [m, Math.max(1e-12, level * Math.sqrt((o.noise[m] ?? 0) ** 2 + o.discrepancy ** 2))];
      }),
    ),
  }));
  const r = preposterior(q, candidates);
  const byName = new Map(candidatesKept.map((c) => [c.name, c]));
  return {
    q,
    mean: mean(q),
    variance: r.current,
    infeasible,
    ranked: r.ranked.map((x) => ({
      ...x,
      overrides: byName.get(x.name)!.overrides,
      ...(bestShare ? { best: bestShare[x.name]! } : {}),
    })),
    ...(bestShare ? { bestShare } : {}),
  };
}
