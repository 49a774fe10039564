import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageServer } from '../../src/live/app/image-server.js';
import { buildEngine, type EngineSnapshot } from '../../src/live/app/engine.js';
import { LivePool, Rejected } from '../../src/live/app/pool.js';
import { defaultEngineSpec } from '../../src/live/app/spec.js';
import { liveReplicationMetrics } from '../../src/live/measure/metrics.js';
import { distFile } from '../../src/live/paths.js';
import { simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import type { SpanRecord } from '../../src/trace/index.js';
import { repoRoot } from '../support/cli.js';

const scenario = loadScenarioOrThrow(path.join(repoRoot, 'test/live/fixtures/plantnet-small.yaml'));
const req = (
  request: number,
  start: number,
  end: number,
  status: SpanRecord['status'] = 'ok',
): SpanRecord => ({
  request,
  kind: 'request',
  name: 'request',
  service: 'edge.users',
  host: 'edge.users#0',
  start,
  end,
  status,
});
const pools = (busy: number, queue: number, granted: number, waited: number) =>
  Object.fromEntries(
    ['http', 'download', 'extract', 'simsearch'].map((p) => [
      p,
      {
        size: scenario.services[0]!.app!.pools[p]!.size,
        busyIntegral: busy,
        queueIntegral: queue,
        granted,
        waited,
        rejected: 0,
        busy: 0,
        queue: 0,
      },
    ]),
  );
const snap = (t: number, busy: number, cpuS: number): EngineSnapshot => ({
  t,
  pools: pools(busy, busy / 4, busy * 10, busy),
  completed: busy * 10,
  rejected: 0,
  responseTimeSum: 0,
  cpuUserUs: cpuS * 1e6,
  cpuSystemUs: 0,
  rssBytes: 1,
  cores: 2,
});

describe('live metrics (the simulate shape, from spans and counters)', () => {
  it("counts requests ending inside the measured window, with Little's-law requests in system", () => {
    const win = { start: 0, warmupEnd: 10, end: 20 };
    const spans = [
      req(1, 1, 5),
      req(2, 8, 12),
      req(3, 12, 14),
      req(4, 15, 17, 'abandoned'),
      req(5, 16, 18, 'rejected'),
      req(6, 19, 25),
    ];
    const m = liveReplicationMetrics(scenario, win, spans, [
      {
        service: 'cloud.engine',
        instance: 'cloud.engine#0',
        snapshots: [snap(9.5, 0, 0), snap(20.5, 4.4, 3.3)],
      },
    ]);
    expect(m.completed).toBe(2);
    expect(m.responseTime.mean).toBeCloseTo(3);
    expect(m.throughput).toBeCloseTo(0.2);
    expect(m.arrived).toBe(4);
    expect([m.abandoned, m.rejected]).toEqual([1, 1]);
    // In the window: 2 + 2 + 2 + 2 + 1 seconds of requests in flight over 10 s.
    expect(m.inSystem.mean).toBeCloseTo(0.9);
    // Pools from the counter snapshots around the window: 4.4 thread-seconds over 11 s.
    expect(m.pools.extract!.meanBusy).toBeCloseTo(0.4);
    expect(m.pools.extract!.utilization).toBeCloseTo(0.2);
    expect(m.pools.http!.waitProbability).toBeCloseTo(0.1);
    expect(m.services['cloud.engine']!.cpuUtilization).toBeCloseTo(3.3 / 11 / 2);
    expect(Number.isNaN(m.gpuMemoryPeakGiB)).toBe(true);
    expect(m.timeline.start).toHaveLength(120);
  });

  it("puts the timeline on the repetition's clock, as the simulator's replications: a second repetition's windows start at its warm-up end, not the run's time", () => {
    const spans = [req(1, 58, 59), req(2, 62, 63)];
    const first = liveReplicationMetrics(scenario, { start: 0, warmupEnd: 10, end: 20 }, [], []);
    const second = liveReplicationMetrics(scenario, { start: 50, warmupEnd: 60, end: 70 }, spans, []);
    expect(second.timeline.start).toEqual(first.timeline.start);
    expect(second.timeline.start[0]).toBe(10);
    const { windowS, throughput } = second.timeline;
    // The request that ended at 63 s of the run, 13 s into the repetition: in the window that holds 13 s.
    expect(throughput.findIndex((x) => x > 0)).toBe(Math.floor(3 / windowS));
    expect(throughput.reduce((a, x) => a + x * windowS, 0)).toBeCloseTo(1);
  });

  it("counts requests that got no answer (a dead service) as failed, apart from the app's refusals", () => {
    const win = { start: 0, warmupEnd: 1, end: 11 };
    // The first failure arrived before the window (it belongs to the warm-up), the last one inside it.
    const spans = [
      req(1, 2, 3),
      req(2, 0.999, 1.001, 'failed'),
      req(3, 3, 3.01, 'failed'),
      req(4, 4, 4.01, 'failed'),
      req(5, 5, 6, 'rejected'),
      req(6, 10.999, 11.001, 'failed'),
    ];
    const m = liveReplicationMetrics(scenario, win, spans, []);
    expect([m.arrived, m.completed, m.failed, m.rejected]).toEqual([5, 1, 3, 1]);
    expect(m.failureProbability).toBeCloseTo(0.6);
    expect(m.rejectionProbability).toBeCloseTo(0.2);
  });

  it('with a per-attempt timeout, adds the attempts the spans record for the requests sent in the window (no key without one)', () => {
    const win = { start: 0, warmupEnd: 10, end: 20 };
    const spans = [
      { ...req(1, 9, 12), retries: 1, timedOut: 1 },
      { ...req(2, 11, 14), retries: 2, timedOut: 1 },
      { ...req(3, 12, 16, 'abandoned'), retries: 1, timedOut: 2 },
      req(4, 15, 16),
    ];
    expect(liveReplicationMetrics(scenario, win, spans, []).attempts).toBeUndefined();
    const timed = {
      ...scenario,
      services: scenario.services.map((sv) =>
        sv.workload
          ? { ...sv, workload: { ...sv.workload, retry: { attempts: 2, backoffS: 0, timeoutS: 1 } } }
          : sv,
      ),
    } as typeof scenario;
    const m = liveReplicationMetrics(timed, win, spans, []);
    // The request sent before the warm-up end is not counted; the server's wasted answers are not seen.
    expect(m.attempts).toEqual({ retries: 3, timedOut: 3, wasted: Number.NaN });
  });

  it('gives rates over the window as the runner ended it (an interrupted run), not the planned one', () => {
    const spans = Array.from({ length: 16 }, (_, i) => req(i, 2 + i * 0.5, 2.4 + i * 0.5));
    const planned = liveReplicationMetrics(scenario, { start: 0, warmupEnd: 2, end: 30 }, spans, []);
    const ended = liveReplicationMetrics(
      scenario,
      { start: 0, warmupEnd: 2, end: 10, plannedEnd: 30 },
      spans,
      [],
    );
    expect(ended.completed).toBe(16);
    expect(ended.measuredSeconds).toBe(8);
    expect(ended.throughput).toBeCloseTo(2);
    expect(planned.throughput).toBeCloseTo(16 / 28);
  });

  it('has every key of a simulated replication', () => {
    const sim = simulate(scenario, { replications: 1 }).result.perReplication[0]!;
    const live = liveReplicationMetrics(scenario, { start: 0, warmupEnd: 1, end: 2 }, [], []);
    const keys = (o: object): string[] => Object.keys(o).sort();
    expect(keys(live)).toEqual(keys(sim));
    expect(keys(live.services)).toEqual(keys(sim.services));
    expect(keys(live.services['cloud.engine']!)).toEqual(keys(sim.services['cloud.engine']!));
  });
});

describe('reference engine', () => {
  let images: Awaited<ReturnType<typeof imageServer>>;
  let imagePort = 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'e2ctwin-engine-'));
  beforeAll(async () => {
    images = await imageServer(0, '127.0.0.1');
    imagePort = (images.address() as AddressInfo).port;
  });
  afterAll(() => {
    images.close();
    images.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a request through its four pools: real downloads, extraction and search in worker threads, spans per stage', async () => {
    const spec = {
      ...(await defaultEngineSpec('plantnet-engine', 0)),
      spansFile: path.join(dir, 'spans.jsonl'),
      statsFile: path.join(dir, 'stats.jsonl'),
    };
    spec.app = {
      ...spec.app,
      stages: spec.app.stages.map((s) => (s.demand !== undefined ? { ...s, demand: 0.01 } : s)),
    };
    const engine = await buildEngine(spec, {
      workerFile: distFile('live/compute-worker.js'),
      vectors: 5000,
      statsMs: 100,
    });
    try {
      const items = [0, 1].map((i) => ({ url: `http://127.0.0.1:${imagePort}/img/7/${i}?bytes=200000` }));
      const res = await engine.app.inject({
        method: 'POST',
        url: '/identify',
        payload: { request: 7, items },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { request: number; species: { species: string }[]; padding: string };
      expect(body.request).toBe(7);
      expect(body.species).toHaveLength(5);
      expect((await engine.app.inject({ url: '/health' })).json()).toMatchObject({ ok: true });
    } finally {
      await engine.close();
    }
    const spans = readFileSync(spec.spansFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SpanRecord);
    expect(spans.map((s) => `${s.kind}:${s.name}:${s.item ?? '-'}`).sort()).toEqual([
      'network:download:0',
      'network:download:1',
      'stage:extract:0',
      'stage:extract:1',
      'stage:http:-',
      'stage:simsearch:-',
    ]);
    expect(
      spans.every((s) => s.request === 7 && s.service === 'cloud.engine' && s.host === 'cloud.engine#0'),
    ).toBe(true);
    const stats = readFileSync(spec.statsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EngineSnapshot);
    expect(stats.at(-1)!.completed).toBe(1);
    expect(stats.at(-1)!.pools.download!.granted).toBe(2);
  });

  it('a request waiting for a thread of the HTTP pool (held for the whole request) waits; it is withdrawn only when its client hangs up', async () => {
    const spec = {
      ...(await defaultEngineSpec('plantnet-engine', 0)),
      spansFile: path.join(dir, 'spans-wait.jsonl'),
      statsFile: path.join(dir, 'stats-wait.jsonl'),
    };
    spec.app = {
      ...spec.app,
      pools: { ...spec.app.pools, http: { size: 1 } },
      stages: spec.app.stages.map((s) =>
        s.demand !== undefined ? { ...s, demand: s.name === 'simsearch' ? 0.3 : 0.01 } : s,
      ),
    };
    const engine = await buildEngine(spec, {
      workerFile: distFile('live/compute-worker.js'),
      vectors: 5000,
      statsMs: 100,
    });
    try {
      const address = await engine.app.listen({ port: 0, host: '127.0.0.1' });
      const items = [{ url: `http://127.0.0.1:${imagePort}/img/8/0?bytes=1000` }];
      const post = (request: number, signal?: AbortSignal, its = items) =>
        fetch(`${address}/identify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ request, items: its }),
          ...(signal ? { signal } : {}),
        });
      // Three at once on one HTTP thread: the second and third queue, and all are answered.
      const answers = await Promise.all([1, 2, 3].map((r) => post(r)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      // A client giving up while queued frees its place: the engine counts it withdrawn (503 never sent).
      // The client hangs up once the engine shows it queued (polled, not timed: a busy machine may take long to
      // deliver the request), then the engine's count is polled too.
      const stats = async () =>
        (await engine.app.inject({ url: '/stats' })).json() as {
          rejected: number;
          pools: Record<string, { queue: number; busy: number }>;
        };
      const until = async (what: string, ok: (s: Awaited<ReturnType<typeof stats>>) => boolean) => {
        for (const t0 = Date.now(); !ok(await stats()); ) {
          if (Date.now() - t0 > 30_000)
            throw new Error(`engine never showed ${what}: ${JSON.stringify(await stats())}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      // Request 4 keeps the HTTP thread until the test lets its image through (a gate, not a demand long
      // enough: on a busy machine the hang-up of request 5 once reached the engine only after request 4 was
      // done, and request 5 was then served).
      const held: http.ServerResponse[] = [];
      const gate = http.createServer((_req, res) => held.push(res));
      await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
      const gated = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/img`;
      try {
        const first = post(4, undefined, [{ url: gated }]);
        await until(
          'request 4 on the HTTP thread',
          (s) => s.pools.http!.busy === 1 && s.pools.http!.queue === 0,
        );
        const hangUp = new AbortController();
        const fifth = post(5, hangUp.signal);
        await until('request 5 queued', (s) => s.pools.http!.queue === 1);
        hangUp.abort();
        await expect(fifth).rejects.toThrow();
        await until('the withdrawn request counted', (s) => s.rejected === 1);
        for (const res of held.splice(0)) res.writeHead(200).end(Buffer.alloc(1000));
        expect((await first).status).toBe(200);
        expect(await stats()).toMatchObject({ rejected: 1 });
      } finally {
        for (const res of held) res.destroy();
        gate.closeAllConnections();
        await new Promise((r) => gate.close(r));
      }
    } finally {
      await engine.close();
    }
  });

  it('a pool with a queue limit rejects beyond it (HTTP 503 from the engine)', async () => {
    const pool = new LivePool('p', 1, 1);
    const first = await pool.acquire();
    const queued = pool.acquire();
    await expect(pool.acquire()).rejects.toBeInstanceOf(Rejected);
    pool.release(first.lane);
    expect((await queued).waitedSince).toBeDefined();
    expect(pool.snapshot()).toMatchObject({ granted: 2, waited: 1, rejected: 1 });
  });
});
