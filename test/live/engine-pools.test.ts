import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageServer } from '../../src/live/app/image-server.js';
import { buildEngine, type EngineSnapshot } from '../../src/live/app/engine.js';
import { LivePool, wallS } from '../../src/live/app/pool.js';
import { defaultEngineSpec } from '../../src/live/app/spec.js';
import { distFile } from '../../src/live/paths.js';

// A pool of the reference engine resized at run time (a scenario's timed `pool` event in live mode), as
// the simulator's Pool.resize does it: growing grants the waiting tasks at once, shrinking lets the
// holders finish and grants nothing until fewer than the new size are held.

describe('LivePool.resize', () => {
  it('growing grants waiting tasks at once, in FIFO order, on new lanes', async () => {
    const pool = new LivePool('p', 1);
    const first = await pool.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((i) =>
      pool.acquire().then((g) => {
        order.push(i);
        return g;
      }),
    );
    expect(pool.snapshot()).toMatchObject({ size: 1, busy: 1, queue: 3 });
    pool.resize(3);
    // Two lanes more: the two oldest waiters hold them now, the third still waits.
    expect(pool.snapshot()).toMatchObject({ size: 3, busy: 3, queue: 1, granted: 3, waited: 2 });
    const [a, b] = await Promise.all([waiting[0]!, waiting[1]!]);
    expect(order).toEqual([1, 2]);
    expect(new Set([first.lane, a.lane, b.lane])).toEqual(new Set([0, 1, 2]));
    pool.release(a.lane);
    expect((await waiting[2]!).lane).toBe(a.lane);
    expect(order).toEqual([1, 2, 3]);
    expect(pool.snapshot()).toMatchObject({ busy: 3, queue: 0, granted: 4, waited: 3 });
  });

  it('shrinking lets the holders finish and grants nothing until fewer than the new size are held', async () => {
    const pool = new LivePool('p', 3);
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    pool.resize(1);
    // The three keep their lanes; a new task waits.
    expect(pool.snapshot()).toMatchObject({ size: 1, busy: 3, queue: 0 });
    let granted: number | undefined;
    void pool.acquire().then((g) => (granted = g.lane));
    expect(pool.snapshot()).toMatchObject({ busy: 3, queue: 1 });
    pool.release(held[2]!.lane);
    pool.release(held[1]!.lane);
    await Promise.resolve();
    // One held still: the pool of 1 is full.
    expect(pool.snapshot()).toMatchObject({ busy: 1, queue: 1 });
    expect(granted).toBeUndefined();
    pool.release(held[0]!.lane);
    await new Promise((r) => setImmediate(r));
    expect(pool.snapshot()).toMatchObject({ busy: 1, queue: 0, granted: 4, waited: 1 });
    // Only lane 0 remains below the size.
    expect(granted).toBe(0);
    // Growing again brings lanes 1 and 2 back, once each.
    pool.resize(3);
    const more = await Promise.all([pool.acquire(), pool.acquire()]);
    expect(more.map((g) => g.lane).sort()).toEqual([1, 2]);
    expect(pool.snapshot()).toMatchObject({ size: 3, busy: 3 });
  });

  it('the busy level is time-weighted across a resize: one held before it, two after', async () => {
    const pool = new LivePool('p', 1);
    // The busy integral over one second from a time ahead of now: the level held from now on.
    const rate = () => {
      const t = wallS() + 10;
      return pool.snapshot(t + 1).busyIntegral - pool.snapshot(t).busyIntegral;
    };
    const first = await pool.acquire();
    const second = pool.acquire();
    expect(rate()).toBeCloseTo(1, 6);
    pool.resize(2);
    await second;
    expect(rate()).toBeCloseTo(2, 6);
    expect(pool.snapshot()).toMatchObject({ size: 2, busy: 2, queue: 0 });
    pool.release(first.lane);
    expect(rate()).toBeCloseTo(1, 6);
  });
});

describe('the reference engine: POST /pools', () => {
  let images: Awaited<ReturnType<typeof imageServer>>;
  let imagePort = 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'e2ctwin-engine-pools-'));
  beforeAll(async () => {
    images = await imageServer(0, '127.0.0.1');
    imagePort = (images.address() as AddressInfo).port;
  });
  afterAll(() => {
    images.close();
    images.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resizes a compute pool at run time: queued requests start at once on new worker lanes; a shrink admits none until the busy count is below the new size', async () => {
    const spec = {
      ...(await defaultEngineSpec('plantnet-engine', 0)),
      spansFile: path.join(dir, 'spans.jsonl'),
      statsFile: path.join(dir, 'stats.jsonl'),
    };
    // One similarity-search thread; searches long enough to be caught waiting (no bound on them).
    spec.app = {
      ...spec.app,
      pools: { ...spec.app.pools, simsearch: { size: 1 } },
      stages: spec.app.stages.map((s) =>
        s.demand !== undefined ? { ...s, demand: s.name === 'simsearch' ? 0.4 : 0.01 } : s,
      ),
    };
    const engine = await buildEngine(spec, {
      workerFile: distFile('live/compute-worker.js'),
      vectors: 5000,
      statsMs: 100,
    });
    type Stats = { pools: Record<string, { size: number; busy: number; queue: number }> };
    const stats = async () => (await engine.app.inject({ url: '/stats' })).json() as Stats;
    const until = async (what: string, ok: (s: Stats) => boolean) => {
      for (const t0 = Date.now(); !ok(await stats()); ) {
        if (Date.now() - t0 > 60_000)
          throw new Error(`engine never showed ${what}: ${JSON.stringify(await stats())}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const resize = async (pool: string, size: unknown) =>
      engine.app.inject({ method: 'POST', url: '/pools', payload: { pool, size } });
    try {
      const address = await engine.app.listen({ port: 0, host: '127.0.0.1' });
      const items = [{ url: `http://127.0.0.1:${imagePort}/img/9/0?bytes=1000` }];
      const post = (request: number) =>
        fetch(`${address}/identify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ request, items }),
        });
      // Bad requests are refused, nothing changed.
      expect((await resize('nope', 2)).statusCode).toBe(404);
      expect((await resize('simsearch', 0)).statusCode).toBe(400);
      expect((await resize('simsearch', 1.5)).statusCode).toBe(400);
      expect((await stats()).pools.simsearch!.size).toBe(1);

      // Three requests on one search thread: one searches, two wait.
      const first = [1, 2, 3].map(post);
      await until(
        'one search and two waiting',
        (s) => s.pools.simsearch!.busy === 1 && s.pools.simsearch!.queue === 2,
      );
      // Grown to 3: both waiting ones start at once (the answer is the pool right after the resize).
      const grown = await resize('simsearch', 3);
      expect(grown.statusCode).toBe(200);
      expect(grown.json()).toMatchObject({ size: 3, busy: 3, queue: 0 });
      expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200, 200]);

      // Three searching, then shrunk to 1: they finish; a fourth request waits until all three are done.
      const second = [4, 5, 6].map(post);
      await until('three searching', (s) => s.pools.simsearch!.busy === 3);
      expect((await resize('simsearch', 1)).json()).toMatchObject({ size: 1, busy: 3 });
      const fourth = post(7);
      await until('the fourth waiting', (s) => s.pools.simsearch!.queue === 1);
      expect((await Promise.all([...second, fourth])).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    } finally {
      await engine.close();
    }
    // The searches, from the spans: the fourth (request 7) started only after the three before it ended,
    // and requests 2 and 3 searched at the same time as request 1 (on lanes 1 and 2, new threads).
    const spans = readFileSync(spec.spansFile, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            request: number;
            kind: string;
            name: string;
            start: number;
            end: number;
            lane?: number;
          },
      )
      .filter((s) => s.kind === 'stage' && s.name === 'simsearch');
    const of = (r: number) => spans.find((s) => s.request === r)!;
    expect(Math.max(of(4).end, of(5).end, of(6).end)).toBeLessThanOrEqual(of(7).start);
    expect(new Set([1, 2, 3].map((r) => of(r).lane))).toEqual(new Set([0, 1, 2]));
    expect(Math.max(of(2).start, of(3).start)).toBeLessThan(of(1).end);
    // The stats file: the size in force in each snapshot.
    const sizes = readFileSync(spec.statsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as EngineSnapshot).pools.simsearch!.size);
    expect(sizes[0]).toBe(1);
    expect(sizes).toContain(3);
    expect(sizes.at(-1)).toBe(1);
  }, 120_000);
});
