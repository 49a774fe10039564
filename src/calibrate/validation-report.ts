import type { SpanRecord } from '../trace/index.js';
import { bias, mape, regret, spearman } from './compare.js';
import { ksTwoSample } from './fit-laws.js';

/** A value with its 95 % confidence interval (over replications or repetitions). */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
}

/** What one side (twin or testbed) gives for one configuration. */
export interface SideSummary {
  mean: Estimate;
  p95: Estimate;
  throughput: Estimate;
  /** Replications (twin) or repetitions (live) behind the intervals. */
  runs: number;
  /** Response times in the distribution compared (requests answered after the warm-up). */
  samples: number;
}

/** The three metrics scored, as the `simulate --json` keys name them. */
export const SCORED = ['mean', 'p95', 'throughput'] as const;
export type Scored = (typeof SCORED)[number];
const METRIC_KEY: Record<Scored, string> = {
  mean: 'responseTime.mean',
  p95: 'responseTime.p95',
  throughput: 'throughput',
};

/** One configuration with both sides: what the report needs to score it. */
export interface ConfigInput {
  name: string;
  set: string[];
  predicted: SideSummary & { responseTimes: readonly number[] };
  measured: SideSummary & { responseTimes: readonly number[] };
  /** Where the measurement came from (run folder, relative). */
  run?: string;
}

export interface ConfigScore {
  name: string;
  set: string[];
  run?: string;
  predicted: SideSummary;
  measured: SideSummary;
  /** Signed relative error (predicted − measured)/measured per metric. */
  error: Record<Scored, number>;
  /** Two-sample Kolmogorov–Smirnov distance between the predicted and measured response times. */
  ks: number;
  /** Wasserstein-1 distance between them, seconds (the mean horizontal gap between the CDFs). */
  wasserstein: number;
}

/** A target of the issue a validation is judged against (`metric` compared with `bound`). */
export interface Target {
  what: string;
  bound: number;
  op: '<=' | '>=';
  value: number;
  met: boolean;
}

export interface ValidationReport {
  format: 'e2ctwin-validation';
  version: 1;
  scenario: string;
  /** How the twin and the measurements were obtained (files, replications, live settings). */
  setup: Record<string, unknown>;
  configs: ConfigScore[];
  /**
   * Configurations without a measurement (a live run failed, was interrupted, or was not given);
   * `corrupt` when its run folder could not be read and was skipped (the reason names the file).
   */
  missing: { name: string; reason: string; corrupt?: true }[];
  overall: {
    configurations: number;
    mape: Record<Scored, number>;
    bias: Record<Scored, number>;
    ks: { mean: number; max: number };
    wassersteinMean: number;
    /** Spearman rank correlation of the configurations, twin vs testbed, per metric. */
    spearman: Record<Scored, number>;
    /**
     * Transfer regret: the measured value of the configuration the twin ranks best over the best
     * measured one (1 = the twin picks the measured best); for throughput, best is highest.
     */
    regret: Record<Scored, number>;
    /** The testbed's own run-to-run noise: mean relative 95 % half-width of the measured values. */
    noiseFloor: Record<Scored, number>;
  };
  targets: Target[];
}

/** Response times (s) of the requests answered within the measured windows of a live run, sorted. */
export function measuredResponseTimes(
  spans: readonly SpanRecord[],
  windows: readonly { warmupEnd: number; end: number }[],
): number[] {
  const out: number[] = [];
  for (const s of spans) {
    if (s.kind !== 'request' || s.status !== 'ok') continue;
    // As the live metrics count them: answered within a window, after its warm-up.
    if (windows.some((w) => s.end >= w.warmupEnd && s.end < w.end)) out.push(s.end - s.start);
  }
  return out.sort((a, b) => a - b);
}

/** Wasserstein-1 distance between two sorted samples: ∫ |F_a − F_b| dx. */
export function wasserstein1(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return NaN;
  let i = 0,
    j = 0,
    x = Math.min(a[0]!, b[0]!),
    area = 0;
  while (i < a.length || j < b.length) {
    const next = Math.min(a[i] ?? Infinity, b[j] ?? Infinity);
    area += Math.abs(i / a.length - j / b.length) * (next - x);
    x = next;
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
  }
  return area;
}

/** An estimate from a metrics object (simulate's or live's `metrics.json`): its mean and 95 % interval. */
export function estimateOf(
  metrics: { ci95?: Record<string, { lo: number | null; hi: number | null }> } & Record<string, unknown>,
  key: string,
): Estimate {
  // Own properties only: `constructor` or `toString` are in every object, and are not metrics.
  const value = key
    .split('.')
    .reduce<unknown>(
      (o, k) =>
        typeof o === 'object' && o !== null && Object.hasOwn(o, k)
          ? (o as Record<string, unknown>)[k]
          : undefined,
      metrics,
    );
  const v = typeof value === 'number' ? value : NaN;
  const c = metrics.ci95?.[key];
  // One repetition has no interval: it is the point itself.
  const lo = typeof c?.lo === 'number' ? c.lo : v;
  const hi = typeof c?.hi === 'number' ? c.hi : v;
  return { value: v, lo, hi };
}

/** The summary of one side from its metrics and response-time sample. */
export function sideSummary(
  metrics: Parameters<typeof estimateOf>[0] & { replications?: number },
  responseTimes: readonly number[],
): SideSummary {
  return {
    mean: estimateOf(metrics, METRIC_KEY.mean),
    p95: estimateOf(metrics, METRIC_KEY.p95),
    throughput: estimateOf(metrics, METRIC_KEY.throughput),
    runs: typeof metrics.replications === 'number' ? metrics.replications : 1,
    samples: responseTimes.length,
  };
}

/** The targets: at least 5 held-out configurations, MAPE of the mean ≤ 10 %, of p95 ≤ 15 %, rank correlation ≥ 0.9. */
export const DEFAULT_TARGETS = { configurations: 5, mapeMean: 0.1, mapeP95: 0.15, spearman: 0.9 };

/**
 * Scores the twin on held-out configurations (Law & Kelton's and the reference's §3.4 measures): per
 * configuration the signed relative error of mean, p95 and throughput, the KS and Wasserstein distances
 * between the response-time distributions; over the configurations MAPE and bias per metric, the
 * rank correlation the optimizers rely on, the transfer regret, and the testbed's own noise for scale.
 */
export function scoreValidation(
  scenario: string,
  inputs: readonly ConfigInput[],
  missing: ValidationReport['missing'],
  setup: Record<string, unknown>,
  targets = DEFAULT_TARGETS,
): ValidationReport {
  const configs: ConfigScore[] = inputs.map((c) => {
    const { responseTimes: pr, ...predicted } = c.predicted;
    const { responseTimes: mr, ...measured } = c.measured;
    const error = Object.fromEntries(
      SCORED.map((k) => [k, (predicted[k].value - measured[k].value) / measured[k].value]),
    ) as Record<Scored, number>;
    return {
      name: c.name,
      set: c.set,
      ...(c.run ? { run: c.run } : {}),
      predicted,
      measured,
      error,
      ks: pr.length > 0 && mr.length > 0 ? ksTwoSample(pr, mr) : NaN,
      wasserstein: wasserstein1(pr, mr),
    };
  });
  const col = (side: 'predicted' | 'measured', k: Scored) => configs.map((c) => c[side][k].value);
  const per = <T>(f: (k: Scored) => T) =>
    Object.fromEntries(SCORED.map((k) => [k, f(k)])) as Record<Scored, T>;
  const n = configs.length;
  const ks = configs.map((c) => c.ks).filter(Number.isFinite);
  const avg = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const overall: ValidationReport['overall'] = {
    configurations: n,
    mape: per((k) => (n > 0 ? mape(col('predicted', k), col('measured', k)) : NaN)),
    bias: per((k) => (n > 0 ? bias(col('predicted', k), col('measured', k)) : NaN)),
    ks: { mean: avg(ks), max: ks.length > 0 ? Math.max(...ks) : NaN },
    wassersteinMean: avg(configs.map((c) => c.wasserstein).filter(Number.isFinite)),
    spearman: per((k) => (n >= 2 ? spearman(col('predicted', k), col('measured', k)) : NaN)),
    regret: per((k) => {
      if (n === 0) return NaN;
      // Throughput is maximized: rank by its negative.
      const s = k === 'throughput' ? -1 : 1;
      const r = regret(
        col('predicted', k).map((x) => s * x),
        col('measured', k).map((x) => s * x),
      );
      return k === 'throughput' ? 1 / r : r;
    }),
    // Only measurements repeated at least twice have an interval to speak of.
    noiseFloor: per((k) =>
      avg(
        configs
          .filter((c) => c.measured.runs > 1)
          .map((c) => (c.measured[k].hi - c.measured[k].lo) / 2 / Math.abs(c.measured[k].value))
          .filter(Number.isFinite),
      ),
    ),
  };
  const target = (what: string, value: number, op: Target['op'], bound: number): Target => ({
    what,
    bound,
    op,
    value,
    met: Number.isFinite(value) && (op === '<=' ? value <= bound : value >= bound),
  });
  return {
    format: 'e2ctwin-validation',
    version: 1,
    scenario,
    setup,
    configs,
    missing,
    overall,
    targets: [
      target('held-out configurations measured', n, '>=', targets.configurations),
      target('MAPE of the mean response time', overall.mape.mean, '<=', targets.mapeMean),
      target('MAPE of the p95 response time', overall.mape.p95, '<=', targets.mapeP95),
      target('Spearman rank correlation (mean)', overall.spearman.mean, '>=', targets.spearman),
    ],
  };
}

/**
 * Plot-ready data for a browser view: per configuration the predicted and measured points with their
 * intervals, and both empirical CDFs thinned to at most `points` steps each.
 */
export function plotData(
  report: ValidationReport,
  samples: ReadonlyMap<string, { predicted: readonly number[]; measured: readonly number[] }>,
  points = 200,
) {
  const cdf = (xs: readonly number[]) => {
    const n = xs.length;
    if (n === 0) return { x: [], p: [] };
    const k = Math.min(points, n);
    const idx = Array.from({ length: k }, (_, i) => Math.min(n - 1, Math.round(((i + 1) * n) / k) - 1));
    return { x: idx.map((i) => round(xs[i]!)), p: idx.map((i) => round((i + 1) / n)) };
  };
  return {
    format: 'e2ctwin-validation-plot',
    version: 1,
    scenario: report.scenario,
    metrics: SCORED.map((k) => ({
      key: k,
      metricKey: METRIC_KEY[k],
      unit: k === 'throughput' ? 'req/s' : 's',
    })),
    points: report.configs.map((c) => ({ name: c.name, predicted: c.predicted, measured: c.measured })),
    cdfs: report.configs.map((c) => ({
      name: c.name,
      ks: c.ks,
      predicted: cdf(samples.get(c.name)?.predicted ?? []),
      measured: cdf(samples.get(c.name)?.measured ?? []),
    })),
    missing: report.missing.map((m) => m.name),
  };
}

const round = (x: number) => Number(x.toPrecision(6));
