// A running optimizer's results so far as the browser's API serves them: its coordinator keeps the result
// document so far (history, Pareto front; best still to be confirmed) in progress.json, and names its
// objectives with their directions. A real `e2ctwin optimize`, held still (SIGSTOP) while it is read.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/index.js';
import { type CliProcess, exited, spawnCli } from '../support/cli.js';
import { until } from '../support/poll.js';
import { writeProgressFile } from '../support/progress-file.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-study-so-far-'));
const runsDir = path.join(tmp, 'runs');
const dir = path.join(runsDir, 'opt');
let app: FastifyInstance;
let search: CliProcess | undefined;

interface Row {
  evaluation: number;
  config: Record<string, number>;
  values: number[];
  violation: number;
  best: { config: Record<string, number>; value: number; violation: number } | null;
}
interface Doc {
  kind: string;
  objectives: string[];
  history: Row[];
  pareto: { config: Record<string, number> }[];
  best: unknown;
}

/** The document so far in the study folder's progress.json, as the coordinator last wrote it. */
function soFarOnDisk(): Doc | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8')).soFar;
  } catch {
    return undefined; // not written yet
  }
}

beforeAll(async () => {
  mkdirSync(runsDir, { recursive: true });
  app = await buildApp({ runsDir });
}, 60_000);

afterAll(async () => {
  if (search) {
    search.kill('SIGCONT');
    search.kill('SIGTERM');
    await exited(search);
  }
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('GET /api/studies/:id/so-far', () => {
  it("serves a running optimizer's history so far (a prefix of its final one), its objectives with their directions, and nothing once it has ended", async () => {
    // 30 evaluations in batches of 2, one worker: about 0.1 s a trial (3 s of search; progress.json is
    // written once a second), held at a point of its search.
    search = spawnCli([
      'optimize',
      'scenarios/plantnet.yaml',
      '-a',
      'random',
      '-b',
      '30',
      '--batch',
      '2',
      '-p',
      'cloud.engine.pools.extract=1..6',
      '-p',
      'cloud.engine.pools.http=10..40',
      '--objective',
      'responseTime.mean',
      '--objective',
      'max:throughput',
      '-c',
      'responseTime.p95 <= 12',
      '--set',
      'run.duration=4000',
      '--set',
      'run.warmup=500',
      '-r',
      '1',
      '--confirm',
      '1',
      '--confirm-replications',
      '2',
      '--workers',
      '1',
      '--no-progress',
      '--out',
      dir,
    ]);
    await until('some evaluations so far', () => (soFarOnDisk()?.history.length ?? 0) >= 4);
    search.kill('SIGSTOP');
    const onDisk = soFarOnDisk()!;
    const n = onDisk.history.length;
    expect(n).toBeLessThan(30);

    const progress = (await app.inject('/api/studies/opt/progress')).json().progress;
    expect(progress.objectives).toEqual([
      { key: 'responseTime.mean', direction: 'minimize' },
      { key: 'throughput', direction: 'maximize' },
    ]);
    expect(progress.resultsSoFar).toBe(n);
    expect(progress).not.toHaveProperty('soFar');
    // The list polled every second carries the count, not the document.
    const listed = (await app.inject('/api/studies'))
      .json()
      .studies.find((s: { id: string }) => s.id === 'opt');
    expect(listed).toMatchObject({ kind: 'optimize', results: false, progress: { resultsSoFar: n } });
    expect(JSON.stringify(listed)).not.toContain('"history"');

    const res = await app.inject('/api/studies/opt/so-far');
    expect(res.statusCode).toBe(200);
    const { file, study } = res.json() as { file: string; study: Doc };
    expect(file).toBe('progress.json');
    expect(study).toEqual(onDisk);
    expect(study).toMatchObject({
      kind: 'optimize',
      objectives: ['minimize responseTime.mean', 'maximize throughput'],
      best: null,
    });
    // The best so far is the best feasible value of the first objective among the evaluations so far.
    const feasible = study.history.filter((h) => h.violation === 0).map((h) => h.values[0]!);
    expect(feasible.length).toBeGreaterThan(0);
    expect(study.history.at(-1)!.best!.value).toBe(Math.min(...feasible));
    // Its Pareto front so far: feasible evaluations none of the others beats on both objectives.
    expect(study.pareto.length).toBeGreaterThan(0);
    for (const p of study.pareto) {
      const h = study.history.find((x) => JSON.stringify(x.config) === JSON.stringify(p.config))!;
      expect(h.violation).toBe(0);
      const beaten = study.history.some(
        (x) =>
          x.violation === 0 &&
          x.values[0]! <= h.values[0]! &&
          x.values[1]! >= h.values[1]! &&
          (x.values[0]! < h.values[0]! || x.values[1]! > h.values[1]!),
      );
      expect(beaten).toBe(false);
    }

    search.kill('SIGCONT');
    expect(await exited(search), search.err()).toBe(0);
    search = undefined;
    // The search is deterministic: what was served so far is how its history began.
    const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as Doc;
    expect(result.history).toHaveLength(30);
    expect(result.history.slice(0, n)).toEqual(study.history);
    // Ended: its result file holds the document; no more so far.
    expect((await app.inject('/api/studies/opt/so-far')).statusCode).toBe(404);
    const ended = (await app.inject('/api/studies/opt/progress')).json().progress;
    expect(ended).toMatchObject({ state: 'finished', resultsSoFar: null });
    expect(ended.objectives).toEqual(progress.objectives);
  }, 120_000);

  it('answers 404 for an older progress.json (no document so far), which lists as before', async () => {
    const old = path.join(runsDir, 'older');
    mkdirSync(old);
    writeProgressFile(path.join(old, 'progress.json'), { done: 5 });
    expect((await app.inject('/api/studies/older/so-far')).statusCode).toBe(404);
    expect((await app.inject('/api/studies/nothing/so-far')).statusCode).toBe(404);
    const p = (await app.inject('/api/studies/older/progress')).json().progress;
    expect(p).toMatchObject({ kind: 'optimize', state: 'running', done: 5, resultsSoFar: null });
    expect(p).not.toHaveProperty('objectives');
  });
});
