import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  etaMs,
  maskUrlPassword,
  parseProgress,
  ProgressFile,
  type StudyProgress,
} from '../../src/explore/study-progress.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-progress-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const read = (dir: string): StudyProgress =>
  JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8'));

describe('progress.json of a study folder', () => {
  it('the ETA from the rate of the simulated trials only (resumed ones are free), unknown before any', () => {
    expect(etaMs({ done: 12, total: 64, reused: 0, workers: 3, elapsedMs: 12_000 })).toBe(52_000);
    // 10 resumed, 2 simulated in 4 s: 2 s a trial for the 52 left.
    expect(etaMs({ done: 12, total: 64, reused: 10, workers: 3, elapsedMs: 4000 })).toBe(104_000);
    expect(etaMs({ done: 10, total: 64, reused: 10, workers: 3, elapsedMs: 4000 })).toBeUndefined();
    expect(etaMs({ done: 3, total: 64, reused: 0, workers: 0, elapsedMs: 4000 })).toBeUndefined();
    expect(etaMs({ done: 64, total: 64, reused: 0, workers: 0, elapsedMs: 4000 })).toBe(0);
  });

  it('is written at once, keeps the 8 trials simulated last with their headline metrics, and ends with the whole count', () => {
    const dir = path.join(tmp, 'study');
    let counts = { done: 0, total: 20, reused: 0, workers: 2 };
    const f = new ProgressFile(dir, {
      kind: 'sweep',
      scenario: 'plantnet',
      backend: 'redis://ops:secret@127.0.0.1:6379/1',
      counts: () => counts,
    });
    const first = read(dir);
    expect(first).toMatchObject({ state: 'running', done: 0, workers: 2, etaSeconds: null, latest: [] });
    expect(first.backend).toBe('redis://ops:***@127.0.0.1:6379/1');
    for (let i = 0; i < 10; i++) {
      counts = { ...counts, done: i + 1 };
      f.trial({ config: { extract: i }, replication: 0, metrics: { 'responseTime.mean': i, other: 1 } });
    }
    f.write();
    const mid = read(dir);
    expect(mid.done).toBe(10);
    expect(mid.latest.map((t) => t.config.extract)).toEqual([9, 8, 7, 6, 5, 4, 3, 2]);
    expect(mid.latest[0]!.metrics).toEqual({ 'responseTime.mean': 9 });
    // A plan counting a repeated point twice: the finished study says what ran.
    counts = { ...counts, done: 18 };
    f.end('finished');
    expect(read(dir)).toMatchObject({ state: 'finished', done: 18, total: 18, etaSeconds: 0 });
  });

  it('reads only its own format, plain values, and masks a password whoever wrote the file', () => {
    expect(parseProgress('{"kind":"sweep"}')).toBeUndefined();
    expect(parseProgress('not json')).toBeUndefined();
    const p = parseProgress(
      JSON.stringify({
        format: 'e2ctwin-study-progress',
        state: 'exploded',
        backend: 'rediss://:hunter2@db.example:6380/0',
        done: -3,
        total: 'many',
        latest: [{ config: { a: 1, b: { nested: true } }, replication: 2, metrics: { x: 1, y: 'z' } }, 7],
      }),
    )!;
    expect(p).toMatchObject({ state: 'failed', done: 0, total: 0 });
    expect(p.backend).toBe('rediss://:***@db.example:6380/0');
    expect(p.latest).toEqual([{ config: { a: 1 }, replication: 2, metrics: { x: 1 } }]);
    expect(maskUrlPassword('redis://127.0.0.1:6379/0')).toBe('redis://127.0.0.1:6379/0');
  });
});

describe("progress.json: a study's objectives and its results so far", () => {
  const soFar = (evaluations: number) => ({
    kind: 'optimize',
    algorithm: 'random',
    objectives: ['minimize responseTime.mean', 'maximize throughput'],
    history: Array.from({ length: evaluations }, (_, i) => ({
      evaluation: i + 1,
      config: { extract: i + 1 },
      values: [10 - i, i],
      violation: 0,
      best: { config: { extract: i + 1 }, value: 10 - i, violation: 0 },
    })),
    pareto: [],
    best: null,
  });

  it('names the objectives with their directions and the parameters with their ranges, and keeps the latest document so far', () => {
    const dir = path.join(tmp, 'optimize');
    const f = new ProgressFile(dir, {
      kind: 'optimize',
      scenario: 'plantnet',
      backend: 'local',
      counts: () => ({ done: 3, total: 10, reused: 0, workers: 1 }),
      params: [
        { name: 'extract', path: 'cloud.engine.pools.extract', levels: [1, 2, 3], min: 1, max: 3 },
        { name: 'rate', path: 'edge.users.workload.rate', min: 0.1, max: 100, log: true },
      ],
    });
    expect(read(dir).objectives).toBeUndefined();
    expect(read(dir).soFar).toBeUndefined();
    expect(read(dir).params).toEqual([
      { name: 'extract', path: 'cloud.engine.pools.extract', levels: [1, 2, 3], min: 1, max: 3 },
      { name: 'rate', path: 'edge.users.workload.rate', min: 0.1, max: 100, log: true },
    ]);
    f.objectives([
      { key: 'responseTime.mean', direction: 'minimize' },
      { key: 'throughput', direction: 'maximize' },
    ]);
    f.soFar(soFar(2));
    f.soFar(soFar(3));
    f.write();
    const mid = read(dir);
    expect(mid.objectives).toEqual([
      { key: 'responseTime.mean', direction: 'minimize' },
      { key: 'throughput', direction: 'maximize' },
    ]);
    expect(mid.soFar).toEqual(soFar(3));
    // Read back as a server would: the same document.
    expect(parseProgress(readFileSync(path.join(dir, 'progress.json'), 'utf8'))).toMatchObject({
      objectives: mid.objectives,
      soFar: soFar(3),
    });
    // Finished: the result file holds the document; the objectives stay.
    f.end('finished');
    const end = read(dir);
    expect(end.soFar).toBeUndefined();
    expect(end.objectives).toEqual(mid.objectives);
  });

  it('an interrupted study keeps its results so far (all there is of it)', () => {
    const dir = path.join(tmp, 'interrupted');
    const f = new ProgressFile(dir, {
      kind: 'optimize',
      scenario: 'plantnet',
      backend: 'local',
      counts: () => ({ done: 3, total: 10, reused: 0, workers: 1 }),
    });
    f.soFar(soFar(3));
    f.end('interrupted');
    expect(read(dir)).toMatchObject({ state: 'interrupted', soFar: soFar(3) });
  });

  it('reads an older file (no objectives, no document so far) as before, and drops malformed new fields', () => {
    const older = {
      format: 'e2ctwin-study-progress',
      kind: 'optimize',
      scenario: 'plantnet',
      state: 'running',
      backend: 'local',
      done: 4,
      total: 40,
      reused: 0,
      workers: 1,
      etaSeconds: 9,
      startedAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:10.000Z',
      latest: [],
      params: [{ name: 'extract', path: 'cloud.engine.pools.extract', levels: [1, 2] }],
    };
    const p = parseProgress(JSON.stringify(older))!;
    expect(p).toEqual(older);
    expect('objectives' in p || 'soFar' in p).toBe(false);
    const bad = parseProgress(
      JSON.stringify({
        ...older,
        objectives: [
          { key: 'responseTime.mean', direction: 'sideways' },
          { key: 7, direction: 'minimize' },
          { key: 'throughput', direction: 'maximize' },
        ],
        // Of another kind, or not an object: no document so far.
        soFar: { kind: 'sweep', results: [] },
        params: [{ name: 'x', path: 'a.b', min: 'low', max: 5, log: 'yes' }],
      }),
    )!;
    expect(bad.objectives).toEqual([{ key: 'throughput', direction: 'maximize' }]);
    expect(bad.soFar).toBeUndefined();
    expect(bad.params).toEqual([{ name: 'x', path: 'a.b', max: 5 }]);
    expect(parseProgress(JSON.stringify({ ...older, soFar: [1, 2] }))!.soFar).toBeUndefined();
  });
});
