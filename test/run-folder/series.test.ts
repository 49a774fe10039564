import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_HISTOGRAM_RELATIVE_ERROR, LogHistogram } from '../../src/metrics/index.js';
import { liveReplicationMetrics, measuredResponseTimes } from '../../src/live/measure/metrics.js';
import { simulateWithSeries } from '../../src/model/index.js';
import {
  type LiveRunJson,
  RunFolderError,
  SERIES_FILE,
  seriesFile,
  writeLiveRun,
  writeSimulationRun,
  type RunSeries,
  type RunSeriesData,
} from '../../src/run-folder/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import type { SpanRecord } from '../../src/trace/index.js';
import { repoRoot } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2c-series-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const histogramOf = (values: number[]) => {
  const h = new LogHistogram();
  for (const v of values) h.record(v);
  return h.toJSON();
};
const empty = (h = histogramOf([1, 2, 3])): RunSeriesData => ({
  replications: 1,
  responseTime: h,
  t0: [],
  t1: [],
  pools: {},
  cpu: {},
  gpu: {},
  inSystem: [],
});

describe('series.json, one writer for every run folder', () => {
  it('seriesFile tags the data with its format and the kind of run, and keeps the histogram whole', () => {
    const [name, text] = seriesFile('live', empty());
    expect(name).toBe(SERIES_FILE);
    const back = JSON.parse(text) as RunSeries;
    expect(back).toMatchObject({ format: 'e2ctwin-series', version: 1, source: 'live', replications: 1 });
    const h = LogHistogram.fromJSON(back.responseTime);
    expect(h.count).toBe(3);
    expect(h.mean).toBe(2);
  });

  it('refuses a histogram whose buckets do not add up to its count, and windows of unequal length', () => {
    const h = histogramOf([1, 2]);
    expect(() => seriesFile('simulation', empty({ ...h, count: 3 }))).toThrow(RunFolderError);
    expect(() => seriesFile('simulation', empty({ ...h, counts: [...h.counts, 1] }))).toThrow(
      /bucket indices/,
    );
    expect(() => seriesFile('simulation', { ...empty(), t0: [0, 1], t1: [1, 2], inSystem: [0.5] })).toThrow(
      /inSystem: .*1 values for 2 windows/,
    );
    expect(() =>
      seriesFile('simulation', {
        ...empty(),
        t0: [0],
        t1: [1],
        pools: { a: { service: 's', size: 1, busy: [0.1], queue: [] } },
      }),
    ).toThrow(/pools\.a\.queue/);
  });

  it('a simulation run folder carries the pooled histogram metrics.json was computed from', () => {
    const scenario = loadScenarioOrThrow(path.join(repoRoot, 'scenarios/validation/mm1.yaml'), {
      overrides: ['run.duration=300', 'run.warmup=30'],
    });
    const { result, spans, sampledRequests, series } = simulateWithSeries(scenario, { replications: 3 });
    const dir = path.join(tmp, 'sim');
    writeSimulationRun(dir, {
      scenario,
      overrides: [],
      result,
      spans,
      sampledRequests,
      wallSeconds: 0,
      series,
    });
    const written = JSON.parse(readFileSync(path.join(dir, SERIES_FILE), 'utf8')) as RunSeries;
    expect(written.source).toBe('simulation');
    expect(written.replications).toBe(3);
    const pooled = LogHistogram.fromJSON(written.responseTime);
    // Every measured request of every replication, not the traced sample of replication 0.
    expect(pooled.count).toBe(result.perReplication.reduce((a, r) => a + r.completed, 0));
    expect(pooled.count).toBeGreaterThan(sampledRequests);
    const p95s = result.perReplication.map((r) => r.responseTime.p95);
    const q = pooled.quantile(0.95);
    expect(q).toBeGreaterThanOrEqual(Math.min(...p95s) * (1 - LOG_HISTOGRAM_RELATIVE_ERROR));
    expect(q).toBeLessThanOrEqual(Math.max(...p95s) * (1 + LOG_HISTOGRAM_RELATIVE_ERROR));
    // One replication: the pooled histogram is that replication's, so its p95 is metrics.json's exactly.
    const one = simulateWithSeries(scenario, { replications: 1 });
    expect(LogHistogram.fromJSON(one.series.responseTime).quantile(0.95)).toBe(one.result.responseTime.p95);
  });

  it('a live run folder carries series.json: the requests its metrics counted, pooled over the repetitions', () => {
    const scenario = loadScenarioOrThrow(path.join(repoRoot, 'scenarios/local-testbed.yaml'));
    const windows = [
      { start: 0, warmupEnd: 2, end: 10 },
      { start: 10, warmupEnd: 12, end: 20 },
    ];
    // Requests every 0.1 s, 0.05 + (i mod 37)/100 s long; some failed, abandoned or inside the warm-up.
    const spans: SpanRecord[] = [];
    for (let i = 0; i < 200; i++) {
      const start = i * 0.1;
      const status = i % 23 === 0 ? 'failed' : i % 29 === 0 ? 'abandoned' : 'ok';
      spans.push({
        request: i,
        kind: 'request',
        name: 'request',
        service: 'edge.users',
        host: 'h',
        start,
        end: start + 0.05 + (i % 37) / 100,
        status,
      } as SpanRecord);
    }
    const reps = windows.map((w) => liveReplicationMetrics(scenario, w, spans, []));
    const perWindow = windows.map((w) => measuredResponseTimes(w, spans));
    perWindow.forEach((h, k) => {
      expect(h.count).toBe(reps[k]!.completed);
      expect(h.quantile(0.95)).toBe(reps[k]!.responseTime.p95);
      expect(h.mean).toBe(reps[k]!.responseTime.mean);
    });
    const pooled = new LogHistogram();
    for (const h of perWindow) pooled.merge(h);
    const run: LiveRunJson = {
      kind: 'live',
      status: 'ok',
      interrupted: false,
      measured: {
        plannedS: 16,
        actualS: 16,
        stoppedAtS: null,
        interrupted: false,
        repetitionsPlanned: 2,
        repetitionsMeasured: 2,
      },
      scenario: scenario.name,
      scenarioFile: 'scenarios/local-testbed.yaml',
      overrides: [],
      testbedFile: 'testbeds/local.yaml',
      provider: 'local',
      runId: 'abcde',
      seed: 1,
      durationS: 10,
      warmupS: 2,
      repeat: 2,
      startedAt: null,
      finishedAt: new Date().toISOString(),
      emulation: { mode: 'none', delay: 'none', netemSupported: null, description: 'none' },
      windows,
      drivers: [],
      versions: {},
      warnings: [],
    };
    const write = (dir: string, series?: RunSeriesData) => {
      mkdirSync(dir);
      return writeLiveRun(dir, run, {
        plan: {},
        scenario,
        testbed: { hosts: [] },
        network: {},
        collected: {
          ...(series ? { metrics: { responseTime: {} }, series } : {}),
          trace: { seed: 1, sampledRequests: 200, spans },
          hostMetrics: {},
          engineStats: [],
          logs: new Map(),
        },
      });
    };
    const dir = path.join(tmp, 'live');
    expect(write(dir, { ...empty(pooled.toJSON()), replications: 2 })).toContain(SERIES_FILE);
    const back = JSON.parse(readFileSync(path.join(dir, SERIES_FILE), 'utf8')) as RunSeries;
    expect(back).toMatchObject({ source: 'live', replications: 2 });
    expect(back.responseTime.count).toBe(reps[0]!.completed + reps[1]!.completed);
    expect(write(path.join(tmp, 'live-nothing'))).not.toContain(SERIES_FILE);
  });
});
