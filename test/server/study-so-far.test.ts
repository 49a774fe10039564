// A running optimizer's results so far as the browser's API serves them: its coordinator keeps the result
// document so far (history, Pareto front; best still to be confirmed) in progress.json, and names its
// objectives with their directions, whatever runs its trials (worker threads or `e2ctwin worker`s on a
// Redis queue). A real `e2ctwin optimize`, held still (SIGSTOP) while it is read.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeldStudy, soFarIn, stopHeldStudies } from '../support/held-study.js';
import { until } from '../support/poll.js';
import { writeProgressFile } from '../support/progress-file.js';
import { redisMissing, TestRedis } from '../support/redis.js';
import { expectSoFarIsFinal, studyApp } from '../support/study-app.js';
import { OPTIMIZE_BUDGET, optimizeSearch } from '../support/study-commands.js';

const server = studyApp('e2ctwin-study-so-far-');
const { runsDir } = server;

interface Row {
  evaluation: number;
  config: Record<string, number>;
  values: number[];
  violation: number;
  best: { config: Record<string, number>; value: number; violation: number } | null;
}
interface Doc {
  kind: string;
  objectives: string[];
  history: Row[];
  pareto: { config: Record<string, number> }[];
  best: unknown;
}

const SEARCH = [...optimizeSearch({ confirm: 1, confirmReplications: 2 }), '--no-progress'];

const start = (args: string[]) => new HeldStudy(args);

/**
 * Follows the search of study `id` run by `search` through the API: held still (`hold`: SIGSTOP the
 * process that runs its trials) part-way, its results so far are checked against progress.json and
 * their own best and front, then against its final history once it has ended; returns that history.
 */
async function watch(id: string, search: HeldStudy, hold: HeldStudy = search): Promise<Row[]> {
  const soFarOnDisk = () => soFarIn<Doc>(path.join(runsDir, id));
  await hold.holdWhen('some evaluations so far', () => (soFarOnDisk()?.history.length ?? 0) >= 4, {
    everyMs: 20,
  });
  try {
    const progress = (await server.app.inject(`/api/studies/${id}/progress`)).json().progress;
    expect(progress.objectives).toEqual([
      { key: 'responseTime.mean', direction: 'minimize' },
      { key: 'throughput', direction: 'maximize' },
    ]);
    expect(progress).not.toHaveProperty('soFar');
    // The list polled every second carries a count of the results so far, not the document.
    const listed = (await server.app.inject('/api/studies'))
      .json()
      .studies.find((s: { id: string }) => s.id === id);
    expect(listed).toMatchObject({ kind: 'optimize', results: false });
    expect(listed.progress.resultsSoFar).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(listed)).not.toContain('"history"');

    const res = await server.app.inject(`/api/studies/${id}/so-far`);
    expect(res.statusCode).toBe(200);
    const { file, study } = res.json() as { file: string; study: Doc };
    expect(file).toBe('progress.json');
    const n = study.history.length;
    expect(n).toBeGreaterThanOrEqual(4);
    expect(n).toBeLessThan(OPTIMIZE_BUDGET);
    expect(study).toMatchObject({
      kind: 'optimize',
      objectives: ['minimize responseTime.mean', 'maximize throughput'],
      best: null,
    });
    // The best so far is the best feasible value of the first objective among the evaluations so far.
    const feasible = study.history.filter((h) => h.violation === 0).map((h) => h.values[0]!);
    expect(feasible.length).toBeGreaterThan(0);
    expect(study.history.at(-1)!.best!.value).toBe(Math.min(...feasible));
    // Its Pareto front so far: feasible evaluations none of the others beats on both objectives.
    expect(study.pareto.length).toBeGreaterThan(0);
    for (const p of study.pareto) {
      const h = study.history.find((x) => JSON.stringify(x.config) === JSON.stringify(p.config))!;
      expect(h.violation).toBe(0);
      const beaten = study.history.some(
        (x) =>
          x.violation === 0 &&
          x.values[0]! <= h.values[0]! &&
          x.values[1]! >= h.values[1]! &&
          (x.values[0]! < h.values[0]! || x.values[1]! > h.values[1]!),
      );
      expect(beaten).toBe(false);
    }
    hold.resume();
    expect(await search.finish(), search.err()).toBe(0);
    // The search is deterministic: what was served so far is how its history began.
    const result = JSON.parse(readFileSync(path.join(runsDir, id, 'result.json'), 'utf8')) as Doc;
    expect(result.history).toHaveLength(OPTIMIZE_BUDGET);
    expect(result.history.slice(0, n)).toEqual(study.history);
    // Ended: its result file holds the document, and so-far serves it.
    await expectSoFarIsFinal(server.app, id);
    const ended = (await server.app.inject(`/api/studies/${id}/progress`)).json().progress;
    expect(ended).toMatchObject({ state: 'finished', resultsSoFar: null });
    expect(ended.objectives).toEqual(progress.objectives);
    return result.history;
  } finally {
    hold.resume();
  }
}

describe('GET /api/studies/:id/so-far', () => {
  it("serves a running optimizer's history so far (a prefix of its final one), its objectives with their directions, and its result document once it has ended", async () => {
    const search = start([...SEARCH, '--workers', '1', '--out', path.join(runsDir, 'opt')]);
    await watch('opt', search);
  }, 120_000);

  it('answers 404 for an older progress.json (no document so far), which lists as before', async () => {
    const old = path.join(runsDir, 'older');
    mkdirSync(old);
    writeProgressFile(path.join(old, 'progress.json'), { done: 5 });
    expect((await server.app.inject('/api/studies/older/so-far')).statusCode).toBe(404);
    expect((await server.app.inject('/api/studies/nothing/so-far')).statusCode).toBe(404);
    const p = (await server.app.inject('/api/studies/older/progress')).json().progress;
    expect(p).toMatchObject({ kind: 'optimize', state: 'running', done: 5, resultsSoFar: null });
    expect(p).not.toHaveProperty('objectives');
  });
});

describe.skipIf(redisMissing !== undefined)(
  'GET /api/studies/:id/so-far of a search on the Redis queue',
  () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await TestRedis.start();
    }, 60_000);
    afterAll(async () => {
      stopHeldStudies();
      await redis?.stop();
    });

    it('serves its results so far as a local search does, and they end as the local ones do', async () => {
      const url = `${redis.url}/4`;
      const worker = start(['worker', '--backend', url, '--concurrency', '1']);
      await until('the worker takes trials', () => worker.err().includes('taking trials'));
      const search = start([...SEARCH, '--backend', url, '--out', path.join(runsDir, 'opt-redis')]);
      // Held by pausing its only worker: the coordinator goes on writing progress.json.
      const history = await watch('opt-redis', search, worker);
      const local = start([...SEARCH, '--workers', '1', '--out', path.join(runsDir, 'opt-local')]);
      expect(await local.finish(), local.err()).toBe(0);
      const localHistory = JSON.parse(readFileSync(path.join(runsDir, 'opt-local', 'result.json'), 'utf8'))
        .history as Row[];
      expect(history).toEqual(localHistory);
      await worker.stop();
    }, 120_000);
  },
);
