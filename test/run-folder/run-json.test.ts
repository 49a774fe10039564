import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateWithSeries } from '../../src/model/index.js';
import {
  LiveRunJson,
  readMeasuredRun,
  readRecordedRun,
  readRunInfo,
  RunFolderError,
  runListing,
  SimulationRunJson,
  writeLiveRun,
  writeRunFiles,
  writeSimulationRun,
  type LiveRunJson as LiveRun,
  type SimulationRunJson as SimulationRun,
} from '../../src/run-folder/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import type { SpanRecord } from '../../src/trace/index.js';
import { repoRoot } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-runjson-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const shippedRuns = ['held-out', 'training'].flatMap((set) => {
  const dir = path.join(repoRoot, 'calibration/local-testbed/runs', set);
  return readdirSync(dir).map((name) => path.join(dir, name));
});

function failure(f: () => unknown): RunFolderError {
  try {
    f();
  } catch (e) {
    if (e instanceof RunFolderError) return e;
    throw e;
  }
  throw new Error('expected a RunFolderError');
}

describe('run.json, one schema per kind', () => {
  it(`every shipped run folder (${shippedRuns.length}) reads as a live run by the schema, from before run.json had "measured"`, () => {
    expect(shippedRuns.length).toBeGreaterThanOrEqual(9);
    for (const dir of shippedRuns) {
      const info = readRunInfo(dir);
      expect(info.kind, dir).toBe('live');
      expect(
        LiveRunJson.safeParse(JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'))).success,
      ).toBe(true);
    }
  });

  it('writeSimulationRun writes what the simulation schema expects, and reads back as a recorded run', () => {
    const scenario = loadScenarioOrThrow(path.join(repoRoot, 'scenarios/validation/mm1.yaml'), {
      overrides: ['run.duration=200', 'run.warmup=20'],
    });
    const { result, spans, sampledRequests, series } = simulateWithSeries(scenario, { replications: 2 });
    const dir = path.join(tmp, 'sim');
    const files = writeSimulationRun(
      dir,
      { scenario, overrides: ['run.duration=200'], result, spans, sampledRequests, wallSeconds: 0.5, series },
      [['scenario.yaml', 'name: x\n']],
    );
    expect(files.map((f) => path.basename(f))).toEqual([
      'scenario.resolved.json',
      'run.json',
      'metrics.json',
      'series.json',
      'trace.jsonl',
      'chrome-trace.json',
      'scenario.yaml',
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      'chrome-trace.json',
      'metrics.json',
      'run.json',
      'scenario.resolved.json',
      'scenario.yaml',
      'series.json',
      'trace.jsonl',
    ]);
    const run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(SimulationRunJson.parse(run)).toMatchObject({
      kind: 'simulation',
      scenario: scenario.name,
      seed: result.seed,
      replications: 2,
      overrides: ['run.duration=200'],
      wallSeconds: 0.5,
    });
    const back = readRecordedRun(dir);
    expect(back.kind).toBe('simulation');
    expect(back.measured.mean).toBe(result.responseTime.mean);
    expect(back.spans.length).toBe(spans.length);
  });

  it('a live run written from plain data reads back as a measurement (windows, overrides, spans)', () => {
    const scenario = loadScenarioOrThrow(path.join(repoRoot, 'scenarios/local-testbed.yaml'));
    const spans: SpanRecord[] = [
      {
        request: 0,
        kind: 'request',
        name: 'request',
        service: 'x',
        host: 'h',
        start: 9,
        end: 9.25,
      } as SpanRecord,
    ];
    const run: LiveRun = {
      kind: 'live',
      status: 'ok',
      interrupted: false,
      measured: {
        plannedS: 12,
        actualS: 12,
        stoppedAtS: null,
        interrupted: false,
        repetitionsPlanned: 1,
        repetitionsMeasured: 1,
      },
      scenario: scenario.name,
      scenarioFile: 'scenarios/local-testbed.yaml',
      overrides: ['edge.users.quantity=2'],
      testbedFile: 'testbeds/local.yaml',
      provider: 'local',
      runId: 'abcde',
      seed: 1,
      durationS: 20,
      warmupS: 8,
      repeat: 1,
      startedAt: null,
      finishedAt: new Date().toISOString(),
      emulation: { mode: 'none', delay: 'none', netemSupported: null, description: 'none' },
      windows: [{ start: 0, warmupEnd: 8, end: 20, plannedEnd: 20 }],
      drivers: [],
      versions: {},
      warnings: [],
    };
    const dir = path.join(tmp, 'live');
    mkdirSync(dir);
    const names = writeLiveRun(dir, run, {
      plan: { runId: 'abcde' },
      scenario,
      testbed: { hosts: [] },
      network: {},
      collected: {
        metrics: { responseTime: { mean: 0.25, p95: 0.25 }, throughput: 1 },
        trace: { seed: 1, sampledRequests: 1, spans },
        hostMetrics: {},
        engineStats: [],
        logs: new Map([['edge.users@edge-1', { 'out.log': 'o', 'err.log': 'e' }]]),
      },
    });
    expect(names).toEqual(
      expect.arrayContaining([
        'run.json',
        'plan.json',
        'metrics.json',
        'trace.jsonl',
        path.join('logs', 'edge.users@edge-1', 'err.log'),
      ]),
    );
    const m = readMeasuredRun(dir);
    if (typeof m === 'string') throw new Error(m);
    expect(m).toMatchObject({
      status: 'ok',
      overrides: ['edge.users.quantity=2'],
      durationS: 20,
      warmupS: 8,
      windows: [{ start: 0, warmupEnd: 8, end: 20 }],
    });
    expect(m.spans).toEqual(spans);
  });

  it('a writer that drifts from the schema fails before writing, naming the field', () => {
    const dir = path.join(tmp, 'drift');
    const bad: SimulationRun = {
      kind: 'simulation',
      scenario: 'x',
      scenarioFile: 'x.yaml',
      overrides: [],
      seed: 1,
      replications: 0,
      e2ctwinVersion: '0',
      gitCommit: null,
      node: 'v',
      finishedAt: 't',
      wallSeconds: 1,
    };
    const e = failure(() => writeRunFiles(dir, bad, [['metrics.json', '{}']]));
    expect(e.code).toBe('E2C_ERR_RUNFOLDER_WRITE_SHAPE');
    expect(e.where.field).toBe('replications');
    expect(() => readdirSync(dir)).toThrow();
  });

  it('a run.json of an unknown kind is refused by the reader, naming "kind"', () => {
    const dir = path.join(tmp, 'other');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'run.json'), '{"kind": "replay", "scenario": "x"}');
    const e = failure(() => readRunInfo(dir));
    expect(e.code).toBe('E2C_ERR_RUNFOLDER_READ_SHAPE');
    expect(e.where).toMatchObject({ file: path.join(dir, 'run.json'), field: 'kind' });
  });

  it('the runs list reads any run.json leniently: missing or mistyped fields are null, never an error', () => {
    expect(runListing({})).toEqual({
      kind: 'run',
      scenario: '',
      seed: null,
      replications: null,
      overrides: [],
      finishedAt: null,
    });
    expect(runListing(null)).toMatchObject({ kind: 'run', seed: null });
    expect(
      runListing({
        kind: 'live',
        status: 'stopped',
        scenario: 'plantnet',
        seed: '1',
        overrides: [1, 'a=b'],
        finishedAt: 5,
      }),
    ).toEqual({
      kind: 'live',
      scenario: 'plantnet',
      seed: null,
      replications: null,
      overrides: ['1', 'a=b'],
      finishedAt: null,
    });
  });
});
