// The Redis backend's connections end to end: a private redis-server (plain, with a password, TLS-only with a
// throw-away CA), real `e2ctwin worker` processes and the real CLI. Bad URLs, unreachable servers and wrong
// credentials are refused within 5 s with exit 2 and no study written; a worker hands back jobs of another
// e2ctwin version; a password never lands in a run-folder file. (The queue's work: backend-redis.test.ts.)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME } from '../../src/explore/queue-wire.js';
import { exited, runCliHere, trialsIn } from '../support/cli.js';
import { until } from '../support/poll.js';
import { makeTlsFiles, redisMissing, TestRedis } from '../support/redis.js';
import { filesHolding, results, StudyProcesses, small, study } from '../support/redis-study.js';

if (redisMissing) console.warn(redisMissing);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-backend-redis-conn-'));
const procs = new StudyProcesses();
let redis: TestRedis;
let smallLocal: { csv: string; json: string };

describe.skipIf(redisMissing !== undefined)('connections to a Redis queue (BullMQ)', () => {
  beforeAll(async () => {
    redis = await TestRedis.start();
    // The reference: the same study on the local backend (in this process: its process is not the subject).
    const s = await runCliHere([...small, '--workers', '1', '--out', path.join(tmp, 'small-local')]);
    expect(s.status, s.stderr).toBe(0);
    smallLocal = results(path.join(tmp, 'small-local'));
  }, 180_000);

  afterAll(async () => {
    procs.killAll();
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a worker refuses a job of another e2ctwin version and hands it back', async () => {
    const url = `${redis.url}/5`; // a database of its own: jobs finished by another test are not reused
    const [w] = await procs.workers(1, url);
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
    await procs.stop([w!]);
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
      const c = procs.start([...study, ...flags, '--out', out], env);
      const code = await exited(c);
      expect(Date.now() - t0, flags.join(' ')).toBeLessThan(5000);
      expect(code, c.err()).toBe(2);
      expect(c.err()).toMatch(message);
      expect(existsSync(path.join(out, 'study.sqlite'))).toBe(false);
    }
    const w = procs.start(['worker', '--backend', 'redis://127.0.0.1:1']);
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
        const c = procs.start([...small, '--backend', pw.url, '--out', out], env);
        expect(await exited(c), c.err()).toBe(2);
        expect(Date.now() - t0).toBeLessThan(5000);
        expect(c.err()).toMatch(/Redis did not answer: (NOAUTH|WRONGPASS)/);
        expect(c.err()).toContain('check the password in E2C_REDIS_PASSWORD');
        expect(existsSync(path.join(out, 'study.sqlite'))).toBe(false);
      }
      const env = { E2C_REDIS_PASSWORD: 's3cret' };
      const ws = await procs.workers(1, pw.url, env);
      const c = procs.start([...small, '--backend', pw.url, '--out', out], env);
      expect(await exited(c), c.err()).toBe(0);
      expect(results(out)).toEqual(smallLocal);
      expect(filesHolding(out, 's3cret')).toEqual([]);
      await procs.stop(ws);
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
        const c = procs.start([...small, ...flags, '--out', out], env);
        expect(await exited(c), c.err()).toBe(2);
        expect(Date.now() - t0, flags.join(' ')).toBeLessThan(5000);
        expect(c.err()).toMatch(message);
        expect(c.err(), 'the password is never printed').not.toContain('tls-s3cret');
        expect(existsSync(path.join(out, 'study.sqlite'))).toBe(false);
      }
      const env = { E2C_REDIS_CA: files.ca, E2C_REDIS_PASSWORD: 'tls-s3cret' };
      const ws = await procs.workers(2, r.url, env);
      const c = procs.start([...small, '--backend', r.url, '--out', out], env);
      expect(await exited(c), c.err()).toBe(0);
      expect(c.err()).toContain(`queue ${r.url}/0`);
      expect(results(out)).toEqual(smallLocal);
      expect(trialsIn(out)).toBe(4);
      expect(filesHolding(out, 'tls-s3cret')).toEqual([]);
      await procs.stop(ws);
    } finally {
      await r.stop();
    }
  }, 90_000);
});
