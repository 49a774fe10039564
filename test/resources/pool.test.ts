import { beforeEach, describe, expect, it } from 'vitest';
import { Env } from '../../src/kernel/index.js';
import { GRANTED, Pool, REJECTED, ResourceErrorCode } from '../../src/resources/index.js';

let env: Env;
let log: unknown[][];
beforeEach(() => {
  env = new Env();
  log = [];
});

/** A job that arrives at `at`, asks `pool` for a thread, holds it `hold` seconds, releases it. */
function job(pool: Pool, name: string, at: number, hold: number): void {
  env.schedule(at, () => {
    pool.acquire(() => {
      log.push([name, 'start', env.now]);
      env.schedule(hold, () => {
        log.push([name, 'end', env.now]);
        pool.release();
      });
    });
  });
}

describe('Pool', () => {
  it('pool.acquire() grants synchronously when a thread is free', () => {
    const pool = new Pool(env, { size: 1 });
    const result = pool.acquire(() => log.push(['granted']));
    log.push(['returned', result]);
    expect(log).toEqual([['granted'], ['returned', GRANTED]]);
    expect(pool.busy).toBe(1);
  });

  it('pool.acquire() queues FIFO when all threads are busy', () => {
    const pool = new Pool(env, { size: 2 });
    job(pool, 'a', 0, 5);
    job(pool, 'b', 0, 3);
    job(pool, 'c', 1, 1);
    job(pool, 'd', 2, 1);
    env.run();
    expect(log).toEqual([
      ['a', 'start', 0],
      ['b', 'start', 0],
      ['b', 'end', 3],
      ['c', 'start', 3],
      ['c', 'end', 4],
      ['d', 'start', 4],
      ['a', 'end', 5],
      ['d', 'end', 5],
    ]);
    expect(pool.granted).toBe(4);
    expect(pool.waited).toBe(2);
  });

  it('pool.release() hands the thread to the next waiter at the same instant, before returning', () => {
    const pool = new Pool(env, { size: 1 });
    pool.acquire(() => {});
    pool.acquire(() => log.push(['waiter granted', env.now, pool.busy]));
    pool.release();
    log.push(['release returned']);
    expect(log).toEqual([['waiter granted', 0, 1], ['release returned']]);
  });

  it('pool.acquire() rejects when queueLimit requests already wait', () => {
    const pool = new Pool(env, { size: 1, queueLimit: 1 });
    expect(pool.acquire(() => {})).toBe(GRANTED);
    expect(pool.acquire(() => log.push(['second']))).toBeGreaterThan(0);
    expect(pool.acquire(() => log.push(['third']))).toBe(REJECTED);
    expect(pool.rejected).toBe(1);
    pool.release();
    pool.release();
    expect(log).toEqual([['second']]);
  });

  it('queueLimit 0 makes a loss system (M/M/c/c)', () => {
    const pool = new Pool(env, { size: 1, queueLimit: 0 });
    pool.acquire(() => {});
    expect(pool.acquire(() => {})).toBe(REJECTED);
  });

  it('a holder of pool A may wait on pool B (nested stages)', () => {
    const http = new Pool(env, { size: 2, name: 'http' });
    const gpu = new Pool(env, { size: 1, name: 'gpu' });
    const request = (name: string, at: number) =>
      env.schedule(at, () =>
        http.acquire(() => {
          log.push([name, 'http', env.now]);
          gpu.acquire(() => {
            log.push([name, 'gpu', env.now]);
            env.schedule(2, () => {
              gpu.release();
              http.release();
              log.push([name, 'done', env.now]);
            });
          });
        }),
      );
    request('r1', 0);
    request('r2', 0);
    request('r3', 0);
    env.run();
    expect(log).toEqual([
      ['r1', 'http', 0],
      ['r1', 'gpu', 0],
      ['r2', 'http', 0],
      // Releases grant synchronously: r3 gets r1's HTTP thread before r1's handler logs 'done'.
      ['r2', 'gpu', 2],
      ['r3', 'http', 2],
      ['r1', 'done', 2],
      ['r3', 'gpu', 4],
      ['r2', 'done', 4],
      ['r3', 'done', 6],
    ]);
    expect(http.busy + gpu.busy).toBe(0);
  });

  it('pool.cancelWait() removes a waiting request, which is counted as abandoned', () => {
    const pool = new Pool(env, { size: 1 });
    pool.acquire(() => {});
    const t1 = pool.acquire(() => log.push(['t1']));
    const t2 = pool.acquire(() => log.push(['t2']));
    const t3 = pool.acquire(() => log.push(['t3']));
    expect(pool.cancelWait(t2)).toBe(true);
    expect(pool.cancelWait(t2)).toBe(false);
    expect(pool.queueLength).toBe(2);
    expect(pool.abandoned).toBe(1);
    pool.release();
    expect(pool.cancelWait(t1)).toBe(false); // already granted
    pool.release();
    expect(log).toEqual([['t1'], ['t3']]);
    expect(pool.cancelWait(t3)).toBe(false);
  });

  it('pool.cancelWait() with patience timers: users give up after 2 s', () => {
    const pool = new Pool(env, { size: 1 });
    job(pool, 'holder', 0, 5);
    for (const [name, at] of [
      ['impatient', 1],
      ['patient', 4],
    ] as const) {
      env.schedule(at, () => {
        let timer = 0;
        const ticket = pool.acquire(() => {
          env.cancel(timer);
          log.push([name, 'served', env.now]);
          pool.release();
        });
        timer = env.schedule(2, () => {
          pool.cancelWait(ticket);
          log.push([name, 'gave up', env.now]);
        });
      });
    }
    env.run();
    expect(log).toEqual([
      ['holder', 'start', 0],
      ['impatient', 'gave up', 3],
      ['holder', 'end', 5],
      ['patient', 'served', 5],
    ]);
  });

  it('pool.utilization() and meanQueueLength() are time-weighted', () => {
    const pool = new Pool(env, { size: 2 });
    job(pool, 'a', 0, 4); // busy 1 on [0,1), 2 on [1,4) with c, queue 1 on [2,3)
    job(pool, 'b', 1, 2);
    job(pool, 'c', 2, 1);
    env.run({ until: 4 });
    // busy: 1·1 + 2·2 (a,b on [1,3)) + 2·1 (a,c on [3,4)) = 7 thread-seconds over 4 s × 2 threads
    expect(pool.utilization()).toBeCloseTo(7 / 8, 12);
    expect(pool.meanBusy()).toBeCloseTo(7 / 4, 12);
    expect(pool.meanQueueLength()).toBeCloseTo(1 / 4, 12);
    expect(pool.maxQueueLength).toBe(1);
  });

  it('pool.resetStats() starts a new window (warm-up)', () => {
    const pool = new Pool(env, { size: 1 });
    job(pool, 'a', 0, 10);
    env.run({ until: 5 });
    pool.resetStats();
    expect(pool.granted).toBe(0);
    env.run({ until: 20 });
    expect(pool.utilization()).toBeCloseTo(5 / 15, 12);
  });

  it('pool.release() with nothing held throws E2C_ERR_RESOURCE_OVER_RELEASE', () => {
    const pool = new Pool(env, { size: 1 });
    expect(() => pool.release()).toThrow(expect.objectContaining({ code: ResourceErrorCode.OVER_RELEASE }));
  });

  it('a long chain of zero-time holds does not deepen the stack', () => {
    const pool = new Pool(env, { size: 1 });
    pool.acquire(() => {});
    let served = 0;
    for (let i = 0; i < 100_000; i++) {
      pool.acquire(() => {
        served++;
        pool.release(); // releases at once: re-entrant hand-over
      });
    }
    pool.release();
    expect(served).toBe(100_000);
    expect(pool.busy).toBe(0);
    expect(pool.queueLength).toBe(0);
  });

  it('pool.request() is an event for generator processes', () => {
    const pool = new Pool(env, { size: 1 });
    for (const name of ['a', 'b']) {
      env.process(function* () {
        yield pool.request();
        log.push([name, 'got', env.now]);
        yield env.timeout(3);
        pool.release();
      });
    }
    env.run();
    expect(log).toEqual([
      ['a', 'got', 0],
      ['b', 'got', 3],
    ]);
  });

  it('pool.request() fails with E2C_ERR_RESOURCE_REJECTED when the queue is full, and cancel() withdraws it', () => {
    const pool = new Pool(env, { size: 1, queueLimit: 1 });
    pool.acquire(() => {});
    const waiting = pool.request();
    env.process(function* () {
      try {
        yield pool.request();
      } catch (err) {
        log.push([(err as { code: string }).code]);
      }
    });
    env.run();
    expect(waiting.cancel()).toBe(true);
    expect(pool.queueLength).toBe(0);
    expect(log).toEqual([[ResourceErrorCode.REJECTED]]);
  });

  it.each([
    [{ size: 0 }, 'size'],
    [{ size: 1.5 }, 'size'],
    [{ size: 2, queueLimit: -1 }, 'queueLimit'],
  ])('new Pool(env, %j) throws E2C_ERR_RESOURCE_BAD_OPTION', (options, option) => {
    expect(() => new Pool(env, options)).toThrow(
      expect.objectContaining({
        code: ResourceErrorCode.BAD_OPTION,
        details: expect.objectContaining({ option }),
      }),
    );
  });
});
