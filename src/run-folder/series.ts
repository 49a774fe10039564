import type { LogHistogramJSON } from '../metrics/index.js';
import { RunFolderError, RunFolderErrorCode as Code } from './errors.js';
import { metricsJson } from './stable-json.js';

/** Name of the file in a run folder. */
export const SERIES_FILE = 'series.json';

/**
 * What a run measured, as distributions and over time: the data of `series.json`. Written for every run
 * folder that has metrics (`simulate --out`, the server's runs, live runs) by {@link seriesFile}, so that
 * the browser view draws its histograms, CDFs and percentile markers from the requests that metrics.json
 * was computed from, never from the traced sample.
 */
export interface RunSeriesData {
  /** Replications (simulation) or repetitions (live) pooled in `responseTime`; those averaged in the windows. */
  replications: number;
  /**
   * Response times (seconds) of every measured request of every replication, in the log buckets of
   * metrics/LogHistogram (1 % wide). metrics.json's percentiles are each replication's quantile of its own
   * share of these requests, averaged over the replications.
   */
  responseTime: LogHistogramJSON;
  /** Start and end of each window (run's clock, seconds); empty when the run has no windows. */
  t0: number[];
  t1: number[];
  /** Per window, by pool key (as in metrics.pools): mean busy threads and mean queue. */
  pools: Record<string, { service: string; size: number; busy: number[]; queue: number[] }>;
  /** Per window, by service id: mean CPU and GPU utilization. */
  cpu: Record<string, number[]>;
  gpu: Record<string, number[]>;
  /** Per window: mean requests in the system (empty when not measured per window). */
  inSystem: number[];
  /** Per window: the p95 of the response times answered in it, mean over the replications (simulation). */
  responseTimeP95?: number[];
  /**
   * Per host instance of the services with 2 to 16 hosts (simulation): each host's CPU utilization and
   * each pool's busy threads, per window (outer index: host).
   */
  hosts?: Record<string, { count: number; cpu: number[][]; busy: Record<string, number[][]> }>;
}

/** series.json as written: its format tag, what kind of run wrote it, and the data. */
export interface RunSeries extends RunSeriesData {
  format: 'e2ctwin-series';
  version: 1;
  source: 'simulation' | 'live';
}

/**
 * series.json as a file of a run folder, checked before anything is written: the histogram's buckets and
 * count agree, and every per-window array has one value per window.
 * @throws RunFolderError `E2C_ERR_RUN_FOLDER_WRITE_SHAPE` when they do not
 */
export function seriesFile(
  source: RunSeries['source'],
  data: RunSeriesData,
): readonly [name: string, text: string] {
  const h = data.responseTime;
  const bad = (field: string, message: string) =>
    new RunFolderError(
      Code.WRITE_SHAPE,
      { file: SERIES_FILE, field },
      `the series being written: ${message}`,
    );
  if (h.indices.length !== h.counts.length)
    throw bad('responseTime', `${h.indices.length} bucket indices for ${h.counts.length} counts`);
  const inBuckets = h.counts.reduce((a, c) => a + c, 0) + h.zeros + h.below + h.above;
  if (inBuckets !== h.count) throw bad('responseTime.count', `count ${h.count}, buckets hold ${inBuckets}`);
  const n = data.t0.length;
  const arrays: [string, number[]][] = [
    ['t1', data.t1],
    ...Object.entries(data.pools).flatMap(([k, p]): [string, number[]][] => [
      [`pools.${k}.busy`, p.busy],
      [`pools.${k}.queue`, p.queue],
    ]),
    ...Object.entries(data.cpu).map(([k, v]): [string, number[]] => [`cpu.${k}`, v]),
    ...Object.entries(data.gpu).map(([k, v]): [string, number[]] => [`gpu.${k}`, v]),
    ...(data.inSystem.length > 0 ? [['inSystem', data.inSystem] as [string, number[]]] : []),
    ...(data.responseTimeP95 ? [['responseTimeP95', data.responseTimeP95] as [string, number[]]] : []),
    ...Object.entries(data.hosts ?? {}).flatMap(([k, h]): [string, number[]][] => [
      ...h.cpu.map((v, i): [string, number[]] => [`hosts.${k}.cpu[${i}]`, v]),
      ...Object.entries(h.busy).flatMap(([p, hs]) =>
        hs.map((v, i): [string, number[]] => [`hosts.${k}.busy.${p}[${i}]`, v]),
      ),
    ]),
  ];
  for (const [field, v] of arrays)
    if (v.length !== n) throw bad(field, `${v.length} values for ${n} windows`);
  const series: RunSeries = {
    format: 'e2ctwin-series',
    version: 1,
    source,
    replications: data.replications,
    responseTime: h,
    t0: data.t0,
    t1: data.t1,
    pools: data.pools,
    cpu: data.cpu,
    gpu: data.gpu,
    inSystem: data.inSystem,
    ...(data.responseTimeP95 ? { responseTimeP95: data.responseTimeP95 } : {}),
    ...(data.hosts ? { hosts: data.hosts } : {}),
  };
  return [SERIES_FILE, metricsJson(series)];
}
