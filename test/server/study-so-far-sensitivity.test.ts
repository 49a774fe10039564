// A running sensitivity study's results so far as the browser's API serves them: a Morris study's
// coordinator keeps in progress.json its indices over the trajectories complete so far (the shape of
// result.json, `partial` saying how far), a Sobol study's how many points of its design are in (its
// indices need all of them). Real `e2ctwin sensitivity` runs, held still (SIGSTOP) while they are read;
// older progress files (no document so far) still read as before.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/index.js';
import { type CliProcess, exited, spawnCli } from '../support/cli.js';
import { morrisFromTrials, type ServedTrial } from '../support/morris-from-trials.js';
import { until } from '../support/poll.js';
import { writeProgressFile } from '../support/progress-file.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-study-so-far-sensitivity-'));
const runsDir = path.join(tmp, 'runs');
const children = new Set<CliProcess>();
let app: FastifyInstance;

beforeAll(async () => {
  mkdirSync(runsDir, { recursive: true });
  app = await buildApp({ runsDir });
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

// About 0.1 s a trial on one worker: 10 trajectories of 3 points (30 trials), a few seconds.
const SCENARIO = 'scenarios/plantnet.yaml';
const PARAMS = ['cloud.engine.pools.extract=1..6', 'cloud.engine.pools.http=10..40'];
const OVERRIDES = ['run.duration=4000', 'run.warmup=500'];
const TRAJECTORIES = 10;
const common = [
  SCENARIO,
  ...PARAMS.flatMap((p) => ['-p', p]),
  ...OVERRIDES.flatMap((s) => ['--set', s]),
  '-m',
  'responseTime.mean,throughput',
  '--workers',
  '1',
  '--no-progress',
];

function start(args: string[]): CliProcess {
  const child = spawnCli(args);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

interface Partial {
  done: number;
  of: number;
  unit: string;
  complete?: number[];
}
const soFarOnDisk = (id: string): { partial: Partial } | undefined => {
  try {
    return JSON.parse(readFileSync(path.join(runsDir, id, 'progress.json'), 'utf8')).soFar;
  } catch {
    return undefined; // not written yet, or being replaced
  }
};

async function trialsOf(id: string): Promise<ServedTrial[]> {
  const res = await app.inject(`/api/studies/${id}/trials`);
  expect(res.statusCode).toBe(200);
  return res.json().trials;
}

describe('GET /api/studies/:id/so-far of a running sensitivity study', () => {
  it("serves a Morris study's indices over its complete trajectories, as computed from its store's trials", async () => {
    const id = 'morris-live';
    const run = start([
      'sensitivity',
      ...common,
      '--trajectories',
      String(TRAJECTORIES),
      '--out',
      path.join(runsDir, id),
    ]);
    try {
      await until('some trajectories complete', () => (soFarOnDisk(id)?.partial.done ?? 0) >= 2);
      run.kill('SIGSTOP');
      const listed = (await app.inject('/api/studies'))
        .json()
        .studies.find((s: { id: string }) => s.id === id);
      const res = await app.inject(`/api/studies/${id}/so-far`);
      expect(res.statusCode).toBe(200);
      const { study } = res.json();
      expect(study).toMatchObject({
        kind: 'sensitivity',
        method: 'morris',
        metrics: ['responseTime.mean', 'throughput'],
        trajectories: TRAJECTORIES,
        levels: 4,
        runs: TRAJECTORIES * 3,
        partial: { of: TRAJECTORIES, unit: 'trajectories' },
      });
      const { done, complete } = study.partial as Required<Partial>;
      expect(done).toBeLessThan(TRAJECTORIES);
      expect(complete).toHaveLength(done);
      // The list polled every second counts them (the page fetches the document when that changes).
      expect(listed.progress.resultsSoFar).toBe(done);
      expect(JSON.stringify(listed)).not.toContain('"indices"');
      // Each index is what the library computes from the trials of those trajectories in the store.
      const trials = await trialsOf(id);
      for (const metric of ['responseTime.mean', 'throughput']) {
        const expected = morrisFromTrials({
          scenario: SCENARIO,
          params: PARAMS,
          overrides: OVERRIDES,
          trajectories: TRAJECTORIES,
          levels: 4,
          metric,
          complete,
          trials,
        });
        const served = study.indices[metric] as { param: string; muStar: number; sigma: number | null }[];
        expect(served.map((x) => x.param)).toEqual(expected.map((x) => x.param.path));
        served.forEach((x, i) => {
          expect(x.muStar).toBeCloseTo(expected[i]!.muStar, 12);
          expect(x.sigma).toBeCloseTo(expected[i]!.sigma, 12);
        });
      }
      run.kill('SIGCONT');
      expect(await exited(run), run.err()).toBe(0);
      // Ended: its result file holds the indices; no document so far any more.
      expect((await app.inject(`/api/studies/${id}/so-far`)).statusCode).toBe(404);
      const result = (await app.inject(`/api/studies/${id}`)).json().study;
      const all = Array.from({ length: TRAJECTORIES }, (_, i) => i);
      const expected = morrisFromTrials({
        scenario: SCENARIO,
        params: PARAMS,
        overrides: OVERRIDES,
        trajectories: TRAJECTORIES,
        levels: 4,
        metric: 'responseTime.mean',
        complete: all,
        trials: await trialsOf(id),
      });
      expect(result.indices['responseTime.mean'].map((x: { muStar: number }) => x.muStar)).toEqual(
        expected.map((x) => x.muStar),
      );
    } finally {
      run.kill('SIGCONT');
      run.kill('SIGTERM');
      await exited(run);
    }
  }, 120_000);

  it("says how many points of a Sobol study's design are in, no indices before its end", async () => {
    const id = 'sobol-live';
    const run = start([
      'sensitivity',
      ...common,
      '--method',
      'sobol',
      '-n',
      '16',
      '--out',
      path.join(runsDir, id),
    ]);
    try {
      await until('some points in', () => (soFarOnDisk(id)?.partial.done ?? 0) >= 8);
      run.kill('SIGSTOP');
      const { study } = (await app.inject(`/api/studies/${id}/so-far`)).json();
      expect(study).toMatchObject({ kind: 'sensitivity', method: 'sobol', samples: 16, runs: 64 });
      expect(study).not.toHaveProperty('indices');
      expect(study.partial).toMatchObject({ of: 64, unit: 'points' });
      expect(study.partial.done).toBeGreaterThanOrEqual(8);
      expect(study.partial.done).toBeLessThan(64);
      // Its points so far are its store's trials (what the page shows as a table).
      expect((await trialsOf(id)).length).toBeGreaterThan(0);
      const listed = (await app.inject(`/api/studies/${id}/progress`)).json().progress;
      expect(listed.resultsSoFar).toBe(study.partial.done);
      run.kill('SIGCONT');
      expect(await exited(run), run.err()).toBe(0);
      expect((await app.inject(`/api/studies/${id}/so-far`)).statusCode).toBe(404);
      expect(
        (await app.inject(`/api/studies/${id}`)).json().study.indices['responseTime.mean'].params,
      ).toHaveLength(2);
    } finally {
      run.kill('SIGCONT');
      run.kill('SIGTERM');
      await exited(run);
    }
  }, 120_000);

  it('reads an older sensitivity progress.json (no document so far) as before: its trials, no so-far', async () => {
    const dir = path.join(runsDir, 'older-morris');
    mkdirSync(dir);
    writeProgressFile(path.join(dir, 'progress.json'), {
      kind: 'sensitivity',
      params: [{ name: 'extract', path: 'cloud.engine.pools.extract' }],
    });
    expect((await app.inject('/api/studies/older-morris/so-far')).statusCode).toBe(404);
    expect((await app.inject('/api/studies/older-morris/progress')).json().progress.resultsSoFar).toBeNull();
    expect((await app.inject('/api/studies/older-morris/trials')).json()).toMatchObject({ trials: [] });
    // A document so far whose `partial` is not a count reads as none so far.
    writeProgressFile(path.join(dir, 'progress.json'), {
      kind: 'sensitivity',
      soFar: { kind: 'sensitivity', method: 'morris', partial: { done: 'two' } },
    });
    expect((await app.inject('/api/studies/older-morris/progress')).json().progress.resultsSoFar).toBe(0);
  });
});
