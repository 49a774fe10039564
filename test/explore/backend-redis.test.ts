// The Redis backend end to end: a private redis-server, real `e2ctwin worker` processes and the real CLI.
// A study run on the queue must give byte-identical result files to the local backend, whatever the number
// of workers, a worker killed mid-trial, the coordinator killed and rerun, or Redis restarted empty.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME } from '../../src/explore/queue-wire.js';
import { type CliProcess, exited, runCli, spawnCli, trialsIn } from '../support/cli.js';
import { until } from '../support/poll.js';
import { makeTlsFiles, redisMissing, TestRedis } from '../support/redis.js';

if (redisMissing) console.warn(redisMissing);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-backend-redis-'));
// 8 configurations × 8 replications = 64 trials of about 0.1–0.3 s each.
const study = [
  'sweep',
  'scenarios/plantnet.yaml',
  '-p',
  'cloud.engine.pools.extract=1..8',
  '-r',
  '8',
  '--set',
  'run.duration=400',
  '--set',
  'run.warmup=50',
  '--no-progress',
];
// 2 configurations × 2 replications: the studies that check a connection rather than the queue's work.
const small = [study[0]!, study[1]!, '-p', 'cloud.engine.pools.extract=1..2', '-r', '2', ...study.slice(6)];
const children = new Set<ChildProcess>();
let redis: TestRedis;
let local: { csv: string; json: string };
let smallLocal: { csv: string; json: string };

/** A command of this test: a short queue lock (a killed worker's trial is taken again after 2 s). */
function start(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawnCli(args, { E2C_QUEUE_LOCK_MS: '2000', ...env });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts `n` workers of one trial each and waits until each says it takes trials. */
async function workers(n: number, url: string, env: Record<string, string> = {}) {
  const ws = Array.from({ length: n }, () => start(['worker', '--backend', url, '--concurrency', '1'], env));
  await until('the workers are taking trials', () => ws.every((w) => w.err().includes('taking trials')));
  return ws;
}

async function stop(ws: ChildProcess[]) {
  for (const w of ws) if (w.exitCode === null) w.kill('SIGTERM');
  await Promise.all(ws.map(exited));
}

/** The files under `dir` whose bytes hold `secret`. */
function filesHolding(dir: string, secret: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => {
    const p = path.join(dir, f);
    return statSync(p).isFile() && readFileSync(p).includes(secret);
  });
}

const results = (dir: string) => ({
  csv: readFileSync(path.join(dir, 'results.csv'), 'utf8'),
  json: readFileSync(path.join(dir, 'results.json'), 'utf8'),
});

describe.skipIf(redisMissing !== undefined)('trials on a Redis queue (BullMQ)', () => {
  beforeAll(async () => {
    redis = await TestRedis.start();
    const r = runCli([...study, '--workers', '1', '--out', path.join(tmp, 'local')]);
    expect(r.status, r.stderr).toBe(0);
    local = results(path.join(tmp, 'local'));
    const s = runCli([...small, '--workers', '1', '--out', path.join(tmp, 'small-local')]);
    expect(s.status, s.stderr).toBe(0);
    smallLocal = results(path.join(tmp, 'small-local'));
  }, 180_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a 64-trial sweep on 3 worker processes gives the local results byte for byte', async () => {
    const url = `${redis.url}/1`; // a database of its own: jobs finished by another test are not reused
    const ws = await workers(3, url);
    const out = path.join(tmp, 'three');
    const c = start([...study, '--backend', url, '--out', out]);
    expect(await exited(c), c.err()).toBe(0);
    expect(c.err()).toContain('3 workers');
    expect(c.err()).toContain('64 trials simulated, 0 resumed');
    expect(results(out)).toEqual(local);
    expect(trialsIn(out)).toBe(64);
    await stop(ws);
    // Every worker took part, and says how many it ran.
    const ran = ws.map((w) => Number(/worker stopped: (\d+) trial/.exec(w.err())?.[1]));
    expect(ran.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(64);
  }, 180_000);

  it('progress off a terminal: trials done, the workers taking them (1, then 3) and an ETA', async () => {
    const url = `${redis.url}/6`; // a database of its own: jobs finished by another test are not reused
    const ws = await workers(1, url);
    const out = path.join(tmp, 'progress');
    const c = start([...study.filter((a) => a !== '--no-progress'), '--backend', url, '--out', out]);
    await until('a progress line with one worker', () => /trial \d+\/64 · 1 worker · ETA/.test(c.err()));
    // Paused while the others start: on a busy machine the one worker could otherwise finish the study
    // before they join, and no line would ever show three (its trial in hand, if its lock lapses, is run
    // again elsewhere and counted once).
    ws[0]!.kill('SIGSTOP');
    ws.push(...(await workers(2, url)));
    await until('a progress line with three workers', () => /trial \d+\/64 · 3 workers · ETA/.test(c.err()));
    ws[0]!.kill('SIGCONT');
    expect(await exited(c), c.err()).toBe(0);
    expect(c.err()).toMatch(/trial \d+\/64 · 3 workers · ETA (\d+ s|–)\n/);
    expect(results(out)).toEqual(local);
    await stop(ws);
  }, 180_000);

  it('a worker SIGKILLed mid-trial: its trial runs elsewhere, counted once, same results', async () => {
    const url = `${redis.url}/2`; // a database of its own: jobs finished by another test are not reused
    const [a] = await workers(1, url);
    const out = path.join(tmp, 'killed-worker');
    const c = start([...study, '--backend', url, '--out', out]);
    await until('a few trials done', () => trialsIn(out) >= 5);
    const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db: 2 } });
    await until('the worker holds a trial', async () => ((await q.getJobCounts('active')).active ?? 0) > 0);
    await q.close();
    a!.kill('SIGKILL');
    const [b] = await workers(1, url);
    expect(await exited(c), c.err()).toBe(0);
    expect(c.err()).toContain('64 trials simulated, 0 resumed');
    expect(trialsIn(out)).toBe(64);
    expect(results(out)).toEqual(local);
    await stop([b!]);
    // The trial the killed worker held was run again by the other one.
    expect(Number(/worker stopped: (\d+) trial/.exec(b!.err())?.[1])).toBeGreaterThan(0);
  }, 180_000);

  it('the coordinator SIGKILLed, then rerun: finished trials are not redone, same results', async () => {
    const url = `${redis.url}/3`; // a database of its own: jobs finished by another test are not reused
    const ws = await workers(2, url);
    const out = path.join(tmp, 'killed-coordinator');
    const args = [...study, '--backend', url, '--out', out];
    const first = start(args);
    await until('some trials stored', () => trialsIn(out) >= 20);
    first.kill('SIGKILL');
    await exited(first);
    const stored = trialsIn(out);
    const again = start(args);
    expect(await exited(again), again.err()).toBe(0);
    const m = /(\d+) trials simulated, (\d+) resumed/.exec(again.err());
    expect(Number(m?.[2])).toBe(stored);
    expect(Number(m?.[1]) + Number(m?.[2])).toBe(64);
    expect(trialsIn(out)).toBe(64);
    expect(results(out)).toEqual(local);
    await stop(ws);
  }, 180_000);

  it('Redis restarted empty mid-study: the study goes on and gives the same results', async () => {
    const url = `${redis.url}/4`; // a database of its own: jobs finished by another test are not reused
    const ws = await workers(2, url);
    const out = path.join(tmp, 'redis-restarted');
    const c = start([...study, '--backend', url, '--out', out]);
    await until('some trials stored', () => trialsIn(out) >= 16);
    await redis.kill();
    await redis.restart();
    expect(await exited(c), c.err()).toBe(0);
    expect(c.err()).toMatch(/64 trials simulated, 0 resumed/);
    expect(trialsIn(out)).toBe(64);
    expect(results(out)).toEqual(local);
    await stop(ws);
  }, 240_000);

  it('a worker refuses a job of another e2ctwin version and hands it back', async () => {
    const url = `${redis.url}/5`; // a database of its own: jobs finished by another test are not reused
    const [w] = await workers(1, url);
    const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db: 5 } });
    const job = await q.add('trial', {
      v: '0.0.0-other',
      task: {
        scenarioFile: '/nowhere.yaml',
        scenarioText: 'name: x',
        overrides: [],
        seed: 1,
        replication: 0,
      },
      files: [],
    });
    await until('the worker refuses it', () => w!.err().includes('refusing trials of e2ctwin 0.0.0-other'));
    const state = await job.getState();
    expect(['delayed', 'waiting', 'active']).toContain(state);
    expect((await q.getJob(job.id!))?.returnvalue ?? null).toBeNull();
    await job.remove().catch(() => {});
    await q.close();
    await stop([w!]);
    expect(w!.err()).toMatch(/worker stopped: 0 trials run, \d+ of another version handed back/);
  }, 60_000);

  it('a malformed URL, an unreachable Redis, a password in the URL or a wrong one: exit 2 within 5 s, no study written', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--backend', 'redis//127.0.0.1'], {}, /not a URL/],
      [['--backend', 'http://127.0.0.1:1'], {}, /unknown scheme "http"/],
      [['--backend', 'redis://:secret@127.0.0.1:1'], {}, /password in the URL is refused/],
      [['--backend', 'redis://127.0.0.1:1'], {}, /Redis did not answer: connect ECONNREFUSED/],
      [['--backend', `${redis.url}/99`], {}, /bad database "99"/],
    ];
    for (const [flags, env, message] of cases) {
      const out = path.join(tmp, 'bad');
      const t0 = Date.now();
      const c = start([...study, ...flags, '--out', out], env);
      const code = await exited(c);
      expect(Date.now() - t0, flags.join(' ')).toBeLessThan(5000);
      expect(code, c.err()).toBe(2);
      expect(c.err()).toMatch(message);
      expect(existsSync(path.join(out, 'study.sqlite'))).toBe(false);
    }
    const w = start(['worker', '--backend', 'redis://127.0.0.1:1']);
    expect(await exited(w)).toBe(2);
    expect(w.err()).toMatch(/E2C_ERR_EXPLORE_BACKEND_UNREACHABLE/);
  }, 60_000);

  // This test once hung: TestRedis dropped its extra arguments, so redis-server ran without --requirepass, the
  // sweep connected and waited for workers that were never started.
  it('no password or a wrong one (E2C_REDIS_PASSWORD): refused, exit 2 within 5 s, no study written; the right one works', async () => {
    const pw = await TestRedis.start(['--requirepass', 's3cret']);
    try {
      const out = path.join(tmp, 'pw');
      for (const env of [{}, { E2C_REDIS_PASSWORD: 'wrong' }] as Record<string, string>[]) {
        const t0 = Date.now();
        const c = start([...small, '--backend', pw.url, '--out', out], env);
        expect(await exited(c), c.err()).toBe(2);
        expect(Date.now() - t0).toBeLessThan(5000);
        expect(c.err()).toMatch(/Redis did not answer: (NOAUTH|WRONGPASS)/);
        expect(c.err()).toContain('check the password in E2C_REDIS_PASSWORD');
        expect(existsSync(path.join(out, 'study.sqlite'))).toBe(false);
      }
      const env = { E2C_REDIS_PASSWORD: 's3cret' };
      const ws = await workers(1, pw.url, env);
      const c = start([...small, '--backend', pw.url, '--out', out], env);
      expect(await exited(c), c.err()).toBe(0);
      expect(results(out)).toEqual(smallLocal);
      expect(filesHolding(out, 's3cret')).toEqual([]);
      await stop(ws);
    } finally {
      await pw.stop();
    }
  }, 60_000);

  it('rediss:// (TLS, a private CA in E2C_REDIS_CA, the password from E2C_REDIS_PASSWORD): same results as local', async () => {
    const dir = mkdtempSync(path.join(tmp, 'tls-'));
    const files = makeTlsFiles(dir);
    const r = await TestRedis.start(['--requirepass', 'tls-s3cret'], { tls: files });
    try {
      expect(r.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
      const out = path.join(tmp, 'tls');
      // The CA not given: the certificate is not trusted; a clear refusal, exit 2 within 5 s.
      const bad: [string[], Record<string, string>, RegExp][] = [
        [['--backend', r.url], { E2C_REDIS_PASSWORD: 'tls-s3cret' }, /certificate[\s\S]*set E2C_REDIS_CA/],
        [['--backend', r.url], { E2C_REDIS_CA: files.ca }, /NOAUTH/],
        [['--backend', r.url], { E2C_REDIS_CA: path.join(dir, 'none.crt') }, /cannot read the CA file/],
        [['--backend', `rediss://:tls-s3cret@127.0.0.1:${r.port}`], {}, /password in the URL is refused/],
      ];
      for (const [flags, env, message] of bad) {
        const t0 = Date.now();
        const c = start([...small, ...flags, '--out', out], env);
        expect(await exited(c), c.err()).toBe(2);
        expect(Date.now() - t0, flags.join(' ')).toBeLessThan(5000);
        expect(c.err()).toMatch(message);
        expect(c.err(), 'the password is never printed').not.toContain('tls-s3cret');
        expect(existsSync(path.join(out, 'study.sqlite'))).toBe(false);
      }
      const env = { E2C_REDIS_CA: files.ca, E2C_REDIS_PASSWORD: 'tls-s3cret' };
      const ws = await workers(2, r.url, env);
      const c = start([...small, '--backend', r.url, '--out', out], env);
      expect(await exited(c), c.err()).toBe(0);
      expect(c.err()).toContain(`queue ${r.url}/0`);
      expect(results(out)).toEqual(smallLocal);
      expect(trialsIn(out)).toBe(4);
      expect(filesHolding(out, 'tls-s3cret')).toEqual([]);
      await stop(ws);
    } finally {
      await r.stop();
    }
  }, 90_000);
});
