// A study's trials as the browser's API serves them from its store (GET /api/studies/:id/trials): what a
// running study's charts are drawn from. A small sweep run to its end, then read as a page would.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/index.js';
import { runCli, trialsIn } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-study-trials-'));
const runsDir = path.join(tmp, 'runs');
const dir = path.join(runsDir, 'small-sweep');
let app: FastifyInstance;

interface Trials {
  params: { name: string; path: string; levels?: unknown[] }[];
  trials: {
    config: Record<string, unknown>;
    fidelity: number;
    replication: number;
    metrics: Record<string, number>;
  }[];
  next: number;
}

beforeAll(async () => {
  mkdirSync(runsDir, { recursive: true });
  const r = runCli([
    'sweep',
    'scenarios/plantnet.yaml',
    '-p',
    'cloud.engine.pools.extract=2..4',
    '-p',
    'cloud.engine.pools.http=10..40:30',
    '-r',
    '2',
    '--set',
    'run.duration=600',
    '--set',
    'run.warmup=60',
    '--no-progress',
    '--out',
    dir,
  ]);
  if (r.status !== 0) throw new Error(r.stderr);
  app = await buildApp({ runsDir });
}, 120_000);

afterAll(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('GET /api/studies/:id/trials', () => {
  it("serves every stored trial with its configuration named by the study's parameters", async () => {
    const res = await app.inject('/api/studies/small-sweep/trials');
    expect(res.statusCode).toBe(200);
    const body = res.json() as Trials;
    expect(body.params).toEqual([
      { name: 'extract', path: 'cloud.engine.pools.extract', levels: [2, 3, 4], min: 2, max: 4 },
      { name: 'http', path: 'cloud.engine.pools.http', levels: [10, 40], min: 10, max: 40 },
    ]);
    expect(body.trials).toHaveLength(trialsIn(dir));
    expect(body.trials).toHaveLength(12);
    const configs = new Set(body.trials.map((t) => `${t.config.extract}/${t.config.http}`));
    expect([...configs].sort()).toEqual(['2/10', '2/40', '3/10', '3/40', '4/10', '4/40']);
    expect(new Set(body.trials.map((t) => t.replication))).toEqual(new Set([0, 1]));
    for (const t of body.trials) expect(t.metrics['responseTime.mean']).toBeGreaterThan(0);
    // Asked after the last row: nothing new.
    const again = (await app.inject(`/api/studies/small-sweep/trials?after=${body.next}`)).json() as Trials;
    expect(again.trials).toEqual([]);
    expect(again.next).toBe(body.next);
    // Part of the way: the rest.
    const rest = (await app.inject('/api/studies/small-sweep/trials?after=5')).json() as Trials;
    expect(rest.trials).toEqual(body.trials.slice(5));
  });

  it('answers 404 for a folder that is no study; no trials before the store exists; never reads a store through a link', async () => {
    expect((await app.inject('/api/studies/nothing-here/trials')).statusCode).toBe(404);
    // A study just started: its progress.json, no store yet.
    const fresh = path.join(runsDir, 'fresh');
    mkdirSync(fresh);
    copyFileSync(path.join(dir, 'progress.json'), path.join(fresh, 'progress.json'));
    const none = await app.inject('/api/studies/fresh/trials');
    expect(none.statusCode).toBe(200);
    expect((none.json() as Trials).trials).toEqual([]);
    // A store that is a link (out of the folder): refused, as if absent.
    symlinkSync(path.join(dir, 'study.sqlite'), path.join(fresh, 'study.sqlite'));
    expect((await app.inject('/api/studies/fresh/trials')).json()).toMatchObject({ trials: [] });
    // A store its coordinator is still creating (the file made, its tables not yet, the integrity check
    // between the two takes a while on a loaded machine): no trial so far, not an error (a page polling a
    // study that had just started got a 500 here in CI).
    const starting = path.join(runsDir, 'starting');
    mkdirSync(starting);
    copyFileSync(path.join(dir, 'progress.json'), path.join(starting, 'progress.json'));
    const db = new Database(path.join(starting, 'study.sqlite'));
    db.pragma('journal_mode = WAL');
    try {
      const early = await app.inject('/api/studies/starting/trials');
      expect(early.statusCode, early.body).toBe(200);
      expect((early.json() as Trials).trials).toEqual([]);
    } finally {
      db.close();
    }
    // A progress.json that is a link: no study.
    const linked = path.join(runsDir, 'linked');
    mkdirSync(linked);
    symlinkSync(path.join(dir, 'progress.json'), path.join(linked, 'progress.json'));
    expect((await app.inject('/api/studies/linked/trials')).statusCode).toBe(404);
  });
});
