import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LiveWindow } from '../../src/live/measure/metrics.js';
import { LIVE_SERIES_WINDOWS, liveSeries } from '../../src/live/measure/series.js';
import { LOG_HISTOGRAM_RELATIVE_ERROR } from '../../src/metrics/index.js';
import { simulateWithSeries } from '../../src/model/index.js';
import { seriesFile } from '../../src/run-folder/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import type { SpanRecord } from '../../src/trace/index.js';
import { repoRoot } from '../support/cli.js';

let id = 0;
const req = (start: number, rt: number, status: SpanRecord['status'] = 'ok'): SpanRecord => ({
  request: id++,
  kind: 'request',
  name: 'request',
  service: 'user.client',
  host: 'user.client#0',
  start,
  end: start + rt,
  status,
});

// Two repetitions of 10 s (2 s warm-up) on the run's clock: the second starts at 100 s.
const reps: LiveWindow[] = [
  { start: 0, warmupEnd: 2, end: 10, plannedEnd: 10 },
  { start: 100, warmupEnd: 102, end: 110, plannedEnd: 110 },
];

describe('live series.json', () => {
  it('has windows of 1 % of the duration over the measured period, relative to each repetition start', () => {
    const s = liveSeries(reps, [req(3, 0.05)]);
    expect(s.t0.length).toBe(Math.round(((10 - 2) / 10) * LIVE_SERIES_WINDOWS));
    expect(s.t0[0]).toBeCloseTo(2, 9);
    expect(s.t1.at(-1)).toBeCloseTo(10, 9);
    for (let i = 0; i < s.t0.length; i++) expect(s.t1[i]! - s.t0[i]!).toBeCloseTo(0.1, 9);
    // The time axis is the repetition's, not the run's clock (which reaches 110 s).
    expect(Math.max(...s.t1)).toBeLessThanOrEqual(10 + 1e-9);
    expect(s.replications).toBe(2);
  });

  it('gives each window the p95 of the requests answered in it, averaged over the repetitions', () => {
    // Window [5.0, 5.1) of repetition 1: 20 requests, 19 of 10 ms and one of 1 s: p95 = 10 ms.
    // Same window of repetition 2 (105.0 to 105.1 on the run's clock): 20 requests of 30 ms.
    const rs: SpanRecord[] = [];
    for (let k = 0; k < 19; k++) rs.push(req(5.02 - 0.01, 0.01));
    rs.push(req(4.05, 1));
    for (let k = 0; k < 20; k++) rs.push(req(105.05 - 0.03, 0.03));
    // Warm-up and abandoned requests count in no p95.
    rs.push(req(1, 0.5), req(6, 0.02, 'abandoned'));
    const s = liveSeries(reps, rs);
    const i = s.t0.findIndex((t) => Math.abs(t - 5) < 1e-9);
    expect(i).toBeGreaterThan(0);
    const p95 = s.responseTimeP95![i]!;
    expect(Math.abs(p95 - (0.01 + 0.03) / 2) / 0.02).toBeLessThan(2 * LOG_HISTOGRAM_RELATIVE_ERROR);
    // The window where only repetition 1's abandoned request ended answered nothing.
    expect(Number.isNaN(s.responseTimeP95![s.t0.findIndex((t) => Math.abs(t - 6) < 1e-9)]!)).toBe(true);
    // The histogram holds every measured answered request of both repetitions.
    expect(s.responseTime.count).toBe(40);
    // Requests in the system: in [4.1, 4.2) repetition 1 has the 1 s request, repetition 2 none.
    expect(s.inSystem[s.t0.findIndex((t) => Math.abs(t - 4.1) < 1e-9)]).toBeCloseTo(0.5, 9);
    // The file writer accepts it (one value per window everywhere).
    expect(() => seriesFile('live', s)).not.toThrow();
  });

  it('has the same keys as the simulator series', () => {
    const scenario = loadScenarioOrThrow(path.join(repoRoot, 'test/live/fixtures/plantnet-small.yaml'));
    const sim = simulateWithSeries(scenario, { replications: 1 }).series;
    const live = liveSeries(reps, [req(3, 0.05)]);
    expect(Object.keys(live).sort()).toEqual(Object.keys(sim).sort());
  });
});
