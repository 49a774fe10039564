import {
  loadCalibrationSet,
  measurementRelSd,
  predictOverSet,
  sampleOverrides,
  type SetPrediction,
} from '../calibrate/index.js';
import { ScenarioError } from '../scenario/index.js';
import type { SimulationResult } from '../model/index.js';
import type { TrialRunner } from '../explore/runner.js';
import { simBackend, trialRunner } from './sim-backend.js';
import { num, table } from './table.js';

/** Metrics given a prediction interval (those present in the simulation's output). */
export const PI_METRICS = [
  'responseTime.mean',
  'responseTime.p50',
  'responseTime.p95',
  'throughput',
  'abandonmentProbability',
  'gpuMemoryPeakGiB',
  'cost',
];

/**
 * The configuration simulated under every plausible vector of the set (vector i on replications of its
 * own, so the simulator's noise is in the interval and averages out of the point), summarized per metric.
 */
export async function predictWithSet(
  file: string,
  overrides: readonly string[],
  setFile: string,
  o: { seed: number; replications: number; workers?: number; onProgress?: (f: number) => void },
): Promise<{ samples: number; metrics: Record<string, SetPrediction> }> {
  const loaded = loadCalibrationSet(setFile);
  // A bad set file is bad input like a bad scenario: located issues, exit 2 (main.ts formats them).
  if (!loaded.ok) throw new ScenarioError(loaded.issues);
  const set = loaded.set;
  const runner = trialRunner(o.workers);
  try {
    const samples = sampleOverrides(set);
    let done = 0;
    const total = samples.length * o.replications;
    const [p] = await predictOverSet({
      backend: simBackend(file, runner),
      samples,
      configs: [{ name: 'this', overrides: [...overrides] }],
      metrics: PI_METRICS,
      seed: o.seed,
      replications: o.replications,
      streams: 'independent',
      measurementRelSd: measurementRelSd(set),
      onDone: () => o.onProgress?.(++done / total),
    });
    return { samples: samples.length, metrics: p!.metrics };
  } finally {
    await runner.close();
  }
}

/** Simulation CI beside the calibrated prediction and its interval. */
export function setPredictionTable(
  result: Omit<SimulationResult, 'perReplication'>,
  pred: { samples: number; metrics: Record<string, SetPrediction> },
): string {
  const flat = (key: string): number =>
    key
      .split('.')
      .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], result) as number;
  const shown = PI_METRICS.filter((k) => Number.isFinite(pred.metrics[k]?.point) && pred.metrics[k]!.hi > 0);
  const withMeasured = shown.some((k) => pred.metrics[k]!.measured);
  const rows = shown.map((k) => {
    const p = pred.metrics[k]!;
    const c = result.ci95[k];
    return [
      k,
      `${num(flat(k))}${c && Number.isFinite(c.halfWidth) ? ` ± ${num(c.halfWidth, 2)}` : ''}`,
      num(p.point),
      `${num(p.lo)} – ${num(p.hi)}`,
      ...(withMeasured ? [p.measured ? `${num(p.measured.lo)} – ${num(p.measured.hi)}` : '–'] : []),
    ];
  });
  const head = ['metric', 'as written ± 95 % CI', 'calibrated', '90 % interval (parameters)'];
  if (withMeasured) head.push('90 % interval (a measurement)');
  return `\nCalibrated prediction over ${pred.samples} plausible parameter vectors (90 % prediction intervals: of the twin's value — parameter uncertainty and the simulator's noise —${withMeasured ? " and of what a measurement will read — also the calibration's measurement noise and model discrepancy" : ''}):\n${table([head, ...rows], '  ')}\n`;
}

/** Each top configuration's share of plausible vectors under which it is the best, with its interval. */
export interface BestUnderSet {
  name: string;
  share: number;
  point: number;
  lo: number;
  hi: number;
}

/**
 * How likely each of a few configurations (the optimizer's best first) is to be the best under the
 * calibration: all simulated under every plausible vector on common random numbers (vector by vector,
 * the comparison is the parameters', not the noise's), the winner counted per vector.
 */
export async function bestUnderSet(
  file: string,
  configs: readonly { name: string; overrides: string[] }[],
  objective: { key: string; sense: 'min' | 'max' },
  setFile: string,
  o: { seed: number; replications: number; runner: TrialRunner; onProgress?: (f: number) => void },
): Promise<{ samples: number; rows: BestUnderSet[] }> {
  const { key: metric, sense } = objective;
  const loaded = loadCalibrationSet(setFile);
  if (!loaded.ok) throw new ScenarioError(loaded.issues);
  // The caller's runner (the study's pool): the caller closes it.
  const runner = o.runner;
  const samples = sampleOverrides(loaded.set);
  let done = 0;
  const total = samples.length * o.replications * configs.length;
  const preds = await predictOverSet({
    backend: simBackend(file, runner),
    samples,
    configs,
    metrics: [metric],
    seed: o.seed,
    replications: o.replications,
    streams: 'common',
    onDone: () => o.onProgress?.(++done / total),
  });
  const wins = new Array<number>(configs.length).fill(0);
  const sign = sense === 'min' ? 1 : -1;
  samples.forEach((_, i) => {
    let best = 0;
    preds.forEach((p, k) => {
      if (sign * p.metrics[metric]!.values[i]! < sign * preds[best]!.metrics[metric]!.values[i]!) best = k;
    });
    wins[best]!++;
  });
  return {
    samples: samples.length,
    rows: preds.map((p, k) => ({
      name: configs[k]!.name,
      share: wins[k]! / samples.length,
      point: p.metrics[metric]!.point,
      lo: p.metrics[metric]!.lo,
      hi: p.metrics[metric]!.hi,
    })),
  };
}

/**
 * Several configurations predicted over a calibration set on a caller's runner (each vector on
 * replications of its own): the calibrated point and 90 % prediction interval of each metric.
 */
export async function predictConfigsWithSet(
  file: string,
  configs: readonly { name: string; overrides: string[] }[],
  metrics: readonly string[],
  setFile: string,
  o: { seed: number; replications: number; runner: TrialRunner },
): Promise<{ samples: number; predictions: { name: string; metrics: Record<string, SetPrediction> }[] }> {
  const loaded = loadCalibrationSet(setFile);
  if (!loaded.ok) throw new ScenarioError(loaded.issues);
  const samples = sampleOverrides(loaded.set);
  const predictions = await predictOverSet({
    backend: simBackend(file, o.runner),
    samples,
    configs,
    metrics,
    seed: o.seed,
    replications: o.replications,
    streams: 'independent',
  });
  return { samples: samples.length, predictions };
}
