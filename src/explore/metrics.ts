import { ci95 } from '../metrics/index.js';
import type { ReplicationMetrics } from '../model/index.js';
import { suggestKey } from './suggest.js';
import { ExploreError, ExploreErrorCode } from './errors.js';

/**
 * One replication's metrics as flat numbers keyed like the `--json` output of `simulate`
 * (`responseTime.mean`, `pools.extract.utilization`, `feasible` as 1 or 0 …). Time series, strings
 * and the list of infeasibility reasons are left out. NaN stays NaN (null in JSON).
 */
export type FlatMetrics = Record<string, number>;

/** Flattens a replication's metrics (plain data that crosses worker threads and goes into the store). */
export function flattenMetrics(m: ReplicationMetrics): FlatMetrics {
  const out: FlatMetrics = {};
  const walk = (obj: unknown, prefix: string) => {
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (k === 'timeline' && prefix === '') continue;
      if (typeof v === 'number') out[key] = v;
      else if (typeof v === 'boolean') out[key] = v ? 1 : 0;
      else if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v, key);
    }
  };
  walk(m, '');
  return out;
}

/** JSON text of flat metrics with NaN written as null; {@link parseFlatMetrics} reads it back. */
export function flatMetricsJson(m: FlatMetrics): string {
  return JSON.stringify(m, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

export function parseFlatMetrics(text: string): FlatMetrics {
  const o = JSON.parse(text) as Record<string, number | null>;
  const out: FlatMetrics = {};
  for (const [k, v] of Object.entries(o)) out[k] = v === null ? NaN : v;
  return out;
}

/** A configuration's metrics over its replications: mean and 95 % half-width for every key. */
export interface MetricSummary {
  n: number;
  mean: FlatMetrics;
  halfWidth: FlatMetrics;
}

/**
 * Summarizes replications: the mean of each key (NaN if any replication has NaN) and its Student-t
 * 95 % half-width; `feasible` is the minimum (a configuration is feasible only if every replication is).
 */
export function summarize(reps: readonly FlatMetrics[]): MetricSummary {
  const mean: FlatMetrics = {};
  const halfWidth: FlatMetrics = {};
  const keys = reps[0] ? Object.keys(reps[0]) : [];
  for (const k of keys) {
    const values = reps.map((r) => r[k] ?? NaN);
    if (k === 'feasible') {
      mean[k] = Math.min(...values);
      halfWidth[k] = 0;
      continue;
    }
    const c = ci95(values);
    mean[k] = c.mean;
    halfWidth[k] = c.halfWidth;
  }
  return { n: reps.length, mean, halfWidth };
}

/** Checks that `key` is a metric the simulations produce; throws a BAD_METRIC error with a suggestion. */
export function checkMetricKey(key: string, sample: FlatMetrics, what = 'metric'): void {
  // Own keys only: `constructor` or `toString` are in every object, and are not metrics.
  if (Object.hasOwn(sample, key)) return;
  throw new ExploreError(
    ExploreErrorCode.BAD_METRIC,
    `unknown ${what} "${key}"`,
    { key },
    suggestKey(key, Object.keys(sample)),
  );
}
