// The Redis backend end to end: a private redis-server, real `e2ctwin worker` processes and the real CLI.
// A study run on the queue must give byte-identical result files to the local backend, whatever the number
// of workers, a worker killed mid-trial, the coordinator killed and rerun, or Redis restarted empty.
// (What a connection refuses or needs: backend-redis-connection.test.ts, run beside this file.)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME } from '../../src/explore/queue-wire.js';
import { exited, runCliHere, trialsIn } from '../support/cli.js';
import { until } from '../support/poll.js';
import { redisMissing, TestRedis } from '../support/redis.js';
import { results, StudyProcesses, study } from '../support/redis-study.js';

if (redisMissing) console.warn(redisMissing);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-backend-redis-'));
const procs = new StudyProcesses();
let redis: TestRedis;
let local: { csv: string; json: string };

describe.skipIf(redisMissing !== undefined)('trials on a Redis queue (BullMQ)', () => {
  beforeAll(async () => {
    redis = await TestRedis.start();
    // The reference: the same study on the local backend (in this process: its process is not the subject).
    const r = await runCliHere([...study, '--workers', '1', '--out', path.join(tmp, 'local')]);
    expect(r.status, r.stderr).toBe(0);
    local = results(path.join(tmp, 'local'));
  }, 180_000);

  afterAll(async () => {
    procs.killAll();
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a 64-trial sweep on 3 worker processes gives the local results byte for byte', async () => {
    const url = `${redis.url}/1`; // a database of its own: jobs finished by another test are not reused
    const ws = await procs.workers(3, url);
    const out = path.join(tmp, 'three');
    const c = procs.start([...study, '--backend', url, '--out', out]);
    expect(await exited(c), c.err()).toBe(0);
    expect(c.err()).toContain('3 workers');
    expect(c.err()).toContain('64 trials simulated, 0 resumed');
    expect(results(out)).toEqual(local);
    expect(trialsIn(out)).toBe(64);
    await procs.stop(ws);
    // Every worker took part, and says how many it ran.
    const ran = ws.map((w) => Number(/worker stopped: (\d+) trial/.exec(w.err())?.[1]));
    expect(ran.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(64);
  }, 180_000);

  it('progress off a terminal: trials done, the workers taking them (1, then 3) and an ETA', async () => {
    const url = `${redis.url}/6`; // a database of its own: jobs finished by another test are not reused
    // The first worker is paused before the study exists: it stays connected (so it is counted) but takes no
    // trial, so the study cannot end before the other two join. Paused later, mid-study, a busy machine could
    // let it finish all 64 trials first, and no line would ever show three.
    const ws = await procs.workers(1, url);
    ws[0]!.kill('SIGSTOP');
    const out = path.join(tmp, 'progress');
    const c = procs.start([...study.filter((a) => a !== '--no-progress'), '--backend', url, '--out', out]);
    const line = (what: string, re: RegExp) =>
      until(what, () => {
        if (c.exitCode !== null) throw new Error(`${what}: the study ended first`);
        return re.test(c.err());
      }).catch((e: Error) => {
        throw new Error(`${e.message}\n--- the study's stderr ---\n${c.err()}`);
      });
    await line('a progress line with one worker', /trial \d+\/64 · 1 worker · ETA/);
    expect(trialsIn(out)).toBe(0);
    // The queue is paused while the other two join: they are connected (and counted) but take nothing until
    // the coordinator has printed them. Otherwise two workers can run all 64 trials within the second or two
    // the coordinator takes to count them (a CI run saw the study end with no line of three).
    const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db: 6 } });
    try {
      await q.pause();
      ws.push(...(await procs.workers(2, url)));
      await line('a progress line with three workers', /trial \d+\/64 · 3 workers · ETA/);
      expect(trialsIn(out)).toBe(0);
      await q.resume();
    } finally {
      // Closed even when a line never comes, so the failure is reported rather than a hanging connection.
      await q.close();
    }
    ws[0]!.kill('SIGCONT');
    expect(await exited(c), c.err()).toBe(0);
    expect(c.err()).toMatch(/trial \d+\/64 · 3 workers · ETA (\d+ s|\d+ min|\d+\.\d h|–)\n/);
    expect(results(out)).toEqual(local);
    await procs.stop(ws);
  }, 180_000);

  it('a worker SIGKILLed mid-trial: its trial runs elsewhere, counted once, same results', async () => {
    const url = `${redis.url}/2`; // a database of its own: jobs finished by another test are not reused
    const [a] = await procs.workers(1, url);
    const out = path.join(tmp, 'killed-worker');
    const c = procs.start([...study, '--backend', url, '--out', out]);
    await until('a few trials done', () => trialsIn(out) >= 5);
    const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db: 2 } });
    await until('the worker holds a trial', async () => ((await q.getJobCounts('active')).active ?? 0) > 0);
    await q.close();
    a!.kill('SIGKILL');
    const [b] = await procs.workers(1, url);
    expect(await exited(c), c.err()).toBe(0);
    expect(c.err()).toContain('64 trials simulated, 0 resumed');
    expect(trialsIn(out)).toBe(64);
    expect(results(out)).toEqual(local);
    await procs.stop([b!]);
    // The trial the killed worker held was run again by the other one.
    expect(Number(/worker stopped: (\d+) trial/.exec(b!.err())?.[1])).toBeGreaterThan(0);
  }, 180_000);

  it('the coordinator SIGKILLed, then rerun: finished trials are not redone, same results', async () => {
    const url = `${redis.url}/3`; // a database of its own: jobs finished by another test are not reused
    const ws = await procs.workers(2, url);
    const out = path.join(tmp, 'killed-coordinator');
    const args = [...study, '--backend', url, '--out', out];
    const first = procs.start(args);
    await until('some trials stored', () => trialsIn(out) >= 20);
    first.kill('SIGKILL');
    await exited(first);
    const stored = trialsIn(out);
    const again = procs.start(args);
    expect(await exited(again), again.err()).toBe(0);
    const m = /(\d+) trials simulated, (\d+) resumed/.exec(again.err());
    expect(Number(m?.[2])).toBe(stored);
    expect(Number(m?.[1]) + Number(m?.[2])).toBe(64);
    expect(trialsIn(out)).toBe(64);
    expect(results(out)).toEqual(local);
    await procs.stop(ws);
  }, 180_000);

  it('Redis restarted empty mid-study: the study goes on and gives the same results', async () => {
    const url = `${redis.url}/4`; // a database of its own: jobs finished by another test are not reused
    const ws = await procs.workers(2, url);
    const out = path.join(tmp, 'redis-restarted');
    const c = procs.start([...study, '--backend', url, '--out', out]);
    await until('some trials stored', () => trialsIn(out) >= 16);
    await redis.kill();
    await redis.restart();
    expect(await exited(c), c.err()).toBe(0);
    expect(c.err()).toMatch(/64 trials simulated, 0 resumed/);
    expect(trialsIn(out)).toBe(64);
    expect(results(out)).toEqual(local);
    await procs.stop(ws);
  }, 240_000);
});
