// A running study's progress as the browser's API serves it: the coordinator writes the study folder's
// progress.json whatever runs the trials, so a study on the Redis queue (real redis-server, real
// `e2ctwin worker`) reports done/total/workers through the same route as a local one.
import type { ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/index.js';
import { type CliProcess, exited, spawnCli } from '../support/cli.js';
import { until } from '../support/poll.js';
import { writeProgressFile } from '../support/progress-file.js';
import { redisMissing, TestRedis } from '../support/redis.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-study-progress-'));
const runsDir = path.join(tmp, 'runs');
mkdirSync(runsDir, { recursive: true });
// 8 configurations × 4 replications = 32 trials of about 0.1 s each on one worker, 4 s in all (with 400 s
// of simulated time a trial took 25 ms and the study was over before its first progress write): seconds
// to watch. The test holds the study still (SIGSTOP) while it reads it, so its speed does not matter.
const study = [
  'sweep',
  'scenarios/plantnet.yaml',
  '-p',
  'cloud.engine.pools.extract=1..8',
  '-r',
  '4',
  '--set',
  'run.duration=4000',
  '--set',
  'run.warmup=500',
  '--no-progress',
];
const children = new Set<ChildProcess>();
let app: FastifyInstance;

function start(args: string[]): CliProcess {
  const child = spawnCli(args, { E2C_QUEUE_LOCK_MS: '2000' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

interface Progress {
  state: string;
  backend: string;
  done: number;
  total: number;
  workers: number;
  etaSeconds: number | null;
  stalled: boolean;
  latest: { config: Record<string, unknown>; replication: number; metrics: Record<string, number> }[];
}

const progressOf = async (id: string) =>
  (await app.inject(`/api/studies/${id}/progress`)).json() as {
    progress: Progress | null;
    finished: boolean;
  };

/** Runs `args` into runs/<id>, checks its progress mid-study through the API, then at its end. */
async function watch(id: string, args: string[], expected: { backend: string; workers: number }) {
  const c = start([...study, ...args, '--out', path.join(runsDir, id)]);
  // Mid-study: some trials done, not all, the workers taking them and an ETA once trials were simulated.
  await until('the API reports the study part-way', async () => {
    const r = await progressOf(id).catch(() => undefined);
    const p = r?.progress;
    return p && p.done > 0 && p.done < p.total && p.etaSeconds !== null;
  });
  // Held still while read: the progress file is the coordinator's, written at most once a second.
  c.kill('SIGSTOP');
  const mid = await progressOf(id);
  expect(mid.finished).toBe(false);
  expect(mid.progress).toMatchObject({ state: 'running', total: 32, stalled: false, ...expected });
  // Results as they arrive: every trial simulated so far (none resumed), up to 8, with its configuration.
  const { latest, done } = mid.progress!;
  expect(latest).toHaveLength(Math.min(done, 8));
  for (const t of latest) {
    expect(Object.keys(t.config)).toEqual(['extract']);
    expect(t.metrics['responseTime.mean']).toBeGreaterThan(0);
  }
  const listed = (await app.inject('/api/studies')).json().studies.find((s: { id: string }) => s.id === id);
  expect(listed).toMatchObject({ kind: 'sweep', scenario: 'plantnet', results: false });
  expect(listed.progress).toMatchObject({ state: 'running', total: 32, ...expected });
  c.kill('SIGCONT');
  expect(await exited(c), c.err()).toBe(0);
  const end = await progressOf(id);
  expect(end.finished).toBe(true);
  expect(end.progress).toMatchObject({ state: 'finished', done: 32, total: 32, etaSeconds: 0 });
  return mid.progress!;
}

beforeAll(async () => {
  app = await buildApp({ runsDir });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a study in progress through the API', () => {
  it('a local study: trials done of planned, its worker threads, an ETA', async () => {
    await watch('local-study', ['--workers', '1'], { backend: 'local', workers: 1 });
  }, 120_000);

  it('a study whose coordinator stopped writing is reported stalled; a password in its backend is masked', async () => {
    const dir = path.join(runsDir, 'stopped-study');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'progress.json');
    writeProgressFile(file, {
      backend: 'redis://ops:hunter2@10.0.0.5:6379/0',
      done: 7,
      workers: 2,
      updatedAt: '2026-01-01T00:01:00.000Z',
    });
    const fresh = await progressOf('stopped-study');
    expect(fresh.progress).toMatchObject({
      state: 'running',
      stalled: false,
      done: 7,
      total: 40,
      workers: 2,
    });
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const r = await app.inject('/api/studies/stopped-study/progress');
    expect(r.json().progress).toMatchObject({ state: 'running', stalled: true });
    expect(r.json().progress.ageSeconds).toBeGreaterThanOrEqual(59);
    expect(r.json().progress.backend).toBe('redis://ops:***@10.0.0.5:6379/0');
    const list = await app.inject('/api/studies');
    for (const body of [r.body, list.body]) expect(body).not.toContain('hunter2');
    // Neither running nor finished: not a study.
    expect((await app.inject('/api/studies/no-such-study/progress')).statusCode).toBe(404);
    // A progress file leading out of its folder (a symbolic link) is not read, as any study file.
    const outside = path.join(tmp, 'outside-progress.json');
    writeFileSync(outside, readFileSync(file));
    mkdirSync(path.join(runsDir, 'linked-study'));
    symlinkSync(outside, path.join(runsDir, 'linked-study', 'progress.json'));
    expect((await app.inject('/api/studies/linked-study/progress')).statusCode).toBe(404);
    const ids = (await app.inject('/api/studies')).json().studies.map((s: { id: string }) => s.id);
    expect(ids).toContain('stopped-study');
    expect(ids).not.toContain('linked-study');
  });
});

describe.skipIf(redisMissing !== undefined)('a study on the Redis queue through the API', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  }, 60_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await redis?.stop();
  });

  it('reports done/total and the workers taking its trials, as a local study does', async () => {
    const url = `${redis.url}/3`;
    const w = start(['worker', '--backend', url, '--concurrency', '1']);
    await until('the worker takes trials', () => w.err().includes('taking trials'));
    const mid = await watch('redis-study', ['--backend', url], { backend: url, workers: 1 });
    expect(mid.backend).toBe(url);
    w.kill('SIGTERM');
    await exited(w);
  }, 120_000);

  it('a bad or unreachable Redis URL puts no study and no password on the API', async () => {
    const c = start([
      ...study,
      '--backend',
      'redis://ops:hunter2@127.0.0.1:1/0',
      '--out',
      path.join(runsDir, 'bad-url'),
    ]);
    expect(await exited(c)).toBe(2);
    expect(c.err()).not.toContain('hunter2');
    const list = await app.inject('/api/studies');
    expect(list.body).not.toContain('hunter2');
    expect(list.json().studies.map((s: { id: string }) => s.id)).not.toContain('bad-url');
    expect((await app.inject('/api/studies/bad-url/progress')).statusCode).toBe(404);
  }, 60_000);
});
