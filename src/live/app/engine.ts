import { cpus } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import { createStream, integerSampler, sampler, type Rng, type Sampler } from '../../random/index.js';
import type { ResolvedApp } from '../../scenario/index.js';
// The limits alone (no schema): the engine starts without loading the scenario layer (see app/spec.ts).
import { LIMITS } from '../../scenario/limits.js';
import { unhandledKind } from '../../model/index.js';
import { toDistSpec } from '../../model/laws.js';
import type { SpanRecord } from '../../trace/index.js';
import type { EngineSpec } from '../plan/types.js';
import { ComputeLanes } from './compute-lanes.js';
import { calibrate, extractFeatures, nearest, vectorSet, weights, DIM } from './kernels.js';
import { LivePool, Rejected, wallS, Withdrawn, type PoolSnapshot } from './pool.js';
import { SpanWriter } from './span-writer.js';
import { appendFileSync } from 'node:fs';

type Stage = ResolvedApp['stages'][number];
interface Item {
  url?: string;
  bytes?: number;
}
interface Ctx {
  id: number;
  items: Item[];
  features: (Float32Array | undefined)[];
  held: [LivePool, number][];
  signal: AbortSignal;
}

export interface EngineOptions {
  /** The compute worker entry (dist/live/compute-worker.js). */
  workerFile: string;
  /** Vectors in the similarity-search set. Default 50,000. */
  vectors?: number;
  /** Stats snapshot period, ms. Default 1000. */
  statsMs?: number;
}

/** Cumulative engine counters, one JSON line per period in the stats file. */
export interface EngineSnapshot {
  t: number;
  pools: Record<string, PoolSnapshot>;
  completed: number;
  rejected: number;
  responseTimeSum: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  cores: number;
}

/**
 * The reference identification engine: any app model served for real. Each stage takes a thread of
 * its pool (bounded, FIFO, optional queue limit → HTTP 503) and does real work sized by the stage's
 * sampled demand: `network` stages download each item's bytes from the URL the client sent (an image
 * server on the client's host, across the emulated network), `gpu` stages extract features from the
 * bytes in worker threads, `cpu` stages search the nearest neighbours of the features in an in-memory
 * vector set (in worker threads; inline for a stage that holds its thread for the whole request, such
 * as accepting the HTTP request), `delay` waits, `forward` calls another service. Every stage writes
 * spans in the project's trace format; pool counters are snapshotted every second. `POST /pools`
 * {pool, size} resizes a pool at run time (a scenario's timed `pool` event; see LivePool.resize).
 */
export async function buildEngine(
  spec: EngineSpec,
  options: EngineOptions,
): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const app = spec.app;
  const pools = new Map(
    Object.entries(app.pools).map(([name, p]) => [
      name,
      new LivePool(name, p.size, p.queueLimit ?? Infinity),
    ]),
  );
  const spans = new SpanWriter(spec.spansFile, spec.spanLimit);
  const w = weights();
  const set = vectorSet(options.vectors ?? 50_000);
  const rates = calibrate(set, w);
  const stream = (name: string): Rng => createStream(spec.seed, `live:${spec.service}:${name}`, 0);
  const demand = new Map<string, Sampler>(
    app.stages
      .filter((s) => s.demand !== undefined)
      .map((s) => [s.name, sampler(toDistSpec(s.demand!), stream(`demand:${s.name}`))]),
  );
  const respBytes = integerSampler(toDistSpec(app.responseBytes), stream('responseBytes'));
  const routing = stream('routes');
  // Worker threads for pools whose threads do compute for one stage at a time.
  const computePools = new Set(
    app.stages
      .filter((s) => (s.resource === 'cpu' || s.resource === 'gpu') && s.pool && s.hold === 'stage')
      .map((s) => s.pool!),
  );
  const lanes = new Map(
    [...computePools].map((p) => [
      p,
      new ComputeLanes(app.pools[p]!.size, options.workerFile, set.buffer as SharedArrayBuffer),
    ]),
  );
  let noPoolLane = 0;
  const unpooled = () => (noPoolLane = (noPoolLane + 1) % Math.max(1, cpus().length));
  const lazyLanes = new Map<string, ComputeLanes>();
  const lanesFor = (pool: string | undefined) => {
    if (pool && lanes.has(pool)) return lanes.get(pool)!;
    const key = pool ?? '';
    if (!lazyLanes.has(key))
      lazyLanes.set(
        key,
        new ComputeLanes(Math.max(1, cpus().length), options.workerFile, set.buffer as SharedArrayBuffer),
      );
    return lazyLanes.get(key)!;
  };

  let completed = 0;
  let rejected = 0;
  let responseTimeSum = 0;
  let nextId = 1;
  const statsLine = (): EngineSnapshot => {
    const now = wallS();
    const cpu = process.cpuUsage();
    return {
      t: now,
      pools: Object.fromEntries([...pools].map(([n, p]) => [n, p.snapshot(now)])),
      completed,
      rejected,
      responseTimeSum,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rssBytes: process.memoryUsage().rss,
      cores: cpus().length,
    };
  };
  const writeStats = () => appendFileSync(spec.statsFile, `${JSON.stringify(statsLine())}\n`);
  writeStats();
  const statsTimer = setInterval(writeStats, options.statsMs ?? 1000);
  statsTimer.unref();

  /** A span of a request: the fields it was given, minus the lanes, pools and items it did not use. */
  const span = (
    ctx: Ctx,
    at: {
      kind: SpanRecord['kind'];
      name: string;
      start: number;
      end: number;
      pool?: string | undefined;
      lane?: number | undefined;
      item?: number | undefined;
    },
  ) => {
    const { kind, name, start, end, pool, lane, item } = at;
    const s: SpanRecord = {
      request: ctx.id,
      kind,
      name,
      service: spec.service,
      host: spec.instance,
      start,
      end,
    };
    if (pool !== undefined) s.pool = pool;
    if (lane !== undefined) s.lane = lane;
    if (item !== undefined && item >= 0) s.item = item;
    spans.write(s);
  };

  const nextIndex = (i: number): number => {
    const st = app.stages[i]!;
    if (!st.next) return i + 1 < app.stages.length ? i + 1 : -1;
    let u = routing();
    for (const r of st.next) {
      if (u < r.probability) return r.to === 'exit' ? -1 : app.stages.findIndex((s) => s.name === r.to);
      u -= r.probability;
    }
    return -1;
  };

  async function work(ctx: Ctx, st: Stage, item: number, lane: number): Promise<void> {
    const seconds = demand.get(st.name)?.() ?? 0;
    switch (st.resource) {
      case 'network': {
        const it = ctx.items[Math.max(item, 0)];
        if (!it?.url) return;
        const res = await fetch(it.url, { signal: AbortSignal.timeout(120_000) });
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (!res.ok) throw new Error(`download of item ${item}: HTTP ${res.status}`);
        // Keep the image for the next per-item stage (extraction works on its bytes).
        (ctx as Ctx & { bytes?: Uint8Array[] }).bytes ??= [];
        (ctx as Ctx & { bytes?: Uint8Array[] }).bytes![Math.max(0, item)] = bytes;
        return;
      }
      case 'gpu': {
        const bytes =
          (ctx as Ctx & { bytes?: Uint8Array[] }).bytes?.[Math.max(0, item)] ?? new Uint8Array(64);
        const rounds = Math.max(1, Math.round(seconds * rates.extractRoundsPerS));
        const r = await lanesFor(st.pool).run(st.pool ? lane : unpooled(), {
          kind: 'extract',
          bytes,
          rounds,
        });
        ctx.features[Math.max(0, item)] = r.features;
        return;
      }
      case 'cpu': {
        const query = meanFeature(ctx.features);
        const scan = Math.max(1, Math.round(seconds * rates.searchVectorsPerS));
        if (st.pool && !computePools.has(st.pool)) {
          // A thread held for the whole request (accept and parse): its short work runs inline.
          nearest(set, query, scan, ctx.id * 7919);
          return;
        }
        await lanesFor(st.pool).run(st.pool ? lane : unpooled(), {
          kind: 'search',
          query,
          scan,
          start: (ctx.id * 7919) % 50_000,
        });
        return;
      }
      case 'delay':
        await new Promise((r) => setTimeout(r, seconds * 1000));
        return;
      case 'forward': {
        const urls = st.target ? (spec.targets[st.target] ?? []) : [];
        const url = urls[ctx.id % Math.max(1, urls.length)];
        if (!url) throw new Error(`forward stage ${st.name}: no URL for ${st.target}`);
        const res = await fetch(`${url}/identify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ request: ctx.id, items: ctx.items }),
        });
        await res.arrayBuffer();
        if (res.status === 503) throw new Rejected(st.target ?? 'forward');
        return;
      }
      default:
        unhandledKind(st.resource);
    }
  }

  async function task(ctx: Ctx, index: number, item: number): Promise<void> {
    const st = app.stages[index]!;
    const pool = st.pool ? pools.get(st.pool) : undefined;
    let lane = -1;
    if (pool) {
      const got = await pool.acquire(st.hold === 'request' ? ctx.signal : undefined);
      lane = got.lane;
      if (got.waitedSince !== undefined)
        span(ctx, { kind: 'wait', name: st.name, start: got.waitedSince, end: wallS(), pool: st.pool, item });
      if (st.hold === 'request') ctx.held.push([pool, lane]);
    }
    const t0 = wallS();
    try {
      await work(ctx, st, item, lane);
    } finally {
      span(ctx, {
        kind: st.resource === 'network' ? 'network' : 'stage',
        name: st.name,
        start: t0,
        end: wallS(),
        pool: st.pool,
        lane: pool ? lane : undefined,
        item,
      });
      if (pool && st.hold !== 'request') pool.release(lane);
    }
  }

  async function handle(ctx: Ctx): Promise<void> {
    let i = 0;
    while (i >= 0 && i < app.stages.length) {
      const st = app.stages[i]!;
      if (!st.perItem) {
        await task(ctx, i, -1);
        i = nextIndex(i);
        continue;
      }
      // Items in parallel, each through the consecutive per-item stages (pipelined), joined at the next stage.
      const after: number[] = [];
      await Promise.all(
        ctx.items.map(async (_, item) => {
          let j = i;
          while (j >= 0 && app.stages[j]!.perItem) {
            await task(ctx, j, item);
            j = nextIndex(j);
          }
          after.push(j);
        }),
      );
      i = after[0] ?? -1;
    }
  }

  const server = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024, keepAliveTimeout: 60_000 });
  // Once closing, every answer closes its connection: `server.close()` closes the idle keep-alive
  // connections but waits for those busy then, which would stay open (idle) for keepAliveTimeout after
  // their answer — a drained instance (a scale-in) would take a minute to exit instead of its last answer.
  let closing = false;
  server.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  server.get('/health', async () => ({ ok: true, service: spec.service, instance: spec.instance }));
  server.get('/stats', async () => statsLine());
  // A timed `pool` event of the scenario, sent by the live controller: the pool's new number of threads.
  server.post('/pools', async (request, reply) => {
    const body = (request.body ?? {}) as { pool?: unknown; size?: unknown };
    const pool = typeof body.pool === 'string' ? pools.get(body.pool) : undefined;
    if (!pool)
      return reply
        .code(404)
        .send({ error: `no pool ${JSON.stringify(body.pool)} (${[...pools.keys()].join(', ')})` });
    const size = body.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > LIMITS.poolSize)
      return reply.code(400).send({ error: `size must be an integer in [1, ${LIMITS.poolSize}]` });
    // Workers for the new lanes first: a task granted one of them posts to its worker at once.
    lanes.get(pool.name)?.grow(size);
    // A snapshot on each side of the resize: a window that ends just before it reads the size it had.
    writeStats();
    pool.resize(size);
    writeStats();
    return pool.snapshot();
  });
  server.post('/identify', async (request, reply) => {
    const t0 = wallS();
    const body = (request.body ?? {}) as { request?: number; items?: Item[]; images?: Item[] };
    const items = body.items ?? body.images ?? [{}];
    const abort = new AbortController();
    // A client that hangs up before its answer withdraws its request. The response's 'close' says so
    // (unfinished); the request's own 'close' does not: since Node 16 it fires as soon as the body is
    // read, which withdrew every request that had to wait for a thread of a hold-request pool (503).
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const ctx: Ctx = {
      id: typeof body.request === 'number' ? body.request : nextId++,
      items: items.length > 0 ? items : [{}],
      features: [],
      held: [],
      signal: abort.signal,
    };
    try {
      await handle(ctx);
    } catch (e) {
      for (const [p, lane] of ctx.held.reverse()) p.release(lane);
      if (e instanceof Rejected || e instanceof Withdrawn) {
        rejected++;
        return reply
          .code(503)
          .send({ request: ctx.id, status: 'rejected', pool: e instanceof Rejected ? e.pool : undefined });
      }
      throw e;
    }
    const n = respBytes();
    const q = meanFeature(ctx.features);
    const species = nearest(set, q, Math.min(2000, set.length / DIM), 0, 5).map((b) => ({
      species: `species-${b.index % 3000}`,
      score: Number(b.score.toFixed(4)),
    }));
    const head = JSON.stringify({ request: ctx.id, species });
    const payload = JSON.stringify({
      request: ctx.id,
      species,
      padding: 'x'.repeat(Math.max(0, n - head.length - 14)),
    });
    // The HTTP thread is held until the answer is handed to the network.
    await reply.header('content-type', 'application/json').send(payload);
    for (const [p, lane] of ctx.held.reverse()) p.release(lane);
    completed++;
    responseTimeSum += wallS() - t0;
    return reply;
  });

  return {
    app: server,
    // The server first: it stops accepting and waits for the requests in progress (a scaled-in instance
    // drains on SIGTERM), whose spans and counters are then written before the files close. What is
    // buffered is written before the wait too, in case a SIGKILL ends it.
    close: async () => {
      clearInterval(statsTimer);
      closing = true;
      spans.flush();
      writeStats();
      await server.close();
      writeStats();
      spans.close();
      await Promise.all([...lanes.values(), ...lazyLanes.values()].map((l) => l.close()));
    },
  };
}

function meanFeature(fs: (Float32Array | undefined)[]): Float32Array {
  const q = new Float32Array(DIM);
  let n = 0;
  for (const f of fs) {
    if (!f) continue;
    n++;
    for (let i = 0; i < DIM; i++) q[i]! += f[i]!;
  }
  if (n === 0) return extractFeatures(new Uint8Array([1, 2, 3]), 1, weights());
  return q;
}
