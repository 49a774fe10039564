import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type AppOptions, type JobState } from '../../src/server/index.js';

// A short Pl@ntNet run (finishes in a second or two) and one that would never end.
const SMALL = ['run.duration=300', 'run.warmup=60', 'run.replications=1', 'run.spanSample=40'];
const ENDLESS = ['run.duration=1e12', 'run.replications=1'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-jobs-'));
const apps: FastifyInstance[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  rmSync(tmp, { recursive: true, force: true });
});

async function app(options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  const a = await buildApp({
    runsDir: path.join(tmp, `runs-${apps.length}`),
    maxRunningSimulations: 1,
    ...options,
  });
  apps.push(a);
  return a;
}

async function start(a: FastifyInstance, scenario: string, overrides: string[]): Promise<JobState> {
  const r = await a.inject({ method: 'POST', url: '/api/simulations', payload: { scenario, overrides } });
  expect(r.statusCode, r.body).toBe(202);
  return r.json().simulation;
}

const state = async (a: FastifyInstance, id: string): Promise<JobState> =>
  (await a.inject(`/api/simulations/${id}`)).json();

/** Polls the job until it is no longer running (no fixed waits: the machine may be busy). */
async function ended(a: FastifyInstance, id: string, timeout = 90_000): Promise<JobState> {
  return vi.waitFor(
    async () => {
      const s = await state(a, id);
      if (s.status === 'running') throw new Error(`simulation ${id} still running`);
      return s;
    },
    { timeout, interval: 50 },
  );
}

const eventNames = (body: string) => [...body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);

describe('DELETE /api/simulations/:id', () => {
  it('cancels a 1e12-second simulation: its worker stops, its run folder goes, its slot frees and the next simulation starts', async () => {
    const a = await app();
    const endless = await start(a, 'plantnet.yaml', ENDLESS);
    expect(endless.status).toBe('running');
    const busy = await a.inject({
      method: 'POST',
      url: '/api/simulations',
      payload: { scenario: 'validation/mm1.yaml' },
    });
    expect(busy.json()).toMatchObject({ statusCode: 503, code: 'E2C_ERR_SERVER_BUSY', running: 1 });
    expect((await a.inject('/api/health')).json()).toMatchObject({ running: 1 });

    const del = await a.inject({ method: 'DELETE', url: `/api/simulations/${endless.id}` });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({
      id: endless.id,
      status: 'cancelled',
      error: { code: 'E2C_ERR_SERVER_SIMULATION_CANCELLED' },
    });
    expect(await state(a, endless.id)).toMatchObject({ status: 'cancelled' });
    expect((await a.inject('/api/health')).json()).toMatchObject({ running: 0 });
    const late = await a.inject(`/api/simulations/${endless.id}/events`);
    expect(eventNames(late.body)).toEqual(['state', 'cancelled']);
    await vi.waitFor(() => expect(existsSync(path.join(tmp, 'runs-0', endless.runId))).toBe(false), {
      timeout: 30_000,
      interval: 50,
    });

    const next = await start(a, 'plantnet.yaml', SMALL);
    const done = await ended(a, next.id);
    expect(done).toMatchObject({ status: 'done', fraction: 1 });
    expect((await a.inject(`/api/runs/${next.runId}`)).statusCode).toBe(200);
    // Cancelling a finished job changes nothing; an unknown id is 404.
    expect((await a.inject({ method: 'DELETE', url: `/api/simulations/${next.id}` })).json()).toMatchObject({
      status: 'done',
    });
    expect((await a.inject({ method: 'DELETE', url: '/api/simulations/no-such-job' })).json()).toMatchObject({
      statusCode: 404,
      code: 'E2C_ERR_SERVER_SIMULATION_NOT_FOUND',
    });
  });

  it('ends the event stream of a page following the job with `cancelled`', async () => {
    const a = await app();
    const endless = await start(a, 'plantnet.yaml', ENDLESS);
    // The answer comes with its headers: the page is subscribed from then on.
    const following = await a.inject({ url: `/api/simulations/${endless.id}/events`, payloadAsStream: true });
    expect(following.headers['content-type']).toContain('text/event-stream');
    expect(following.headers['x-content-type-options']).toBe('nosniff'); // set before the route takes the raw answer over
    await a.inject({ method: 'DELETE', url: `/api/simulations/${endless.id}` });
    let body = '';
    for await (const chunk of following.stream()) body += String(chunk);
    const names = eventNames(body);
    expect(names[0]).toBe('state');
    expect(JSON.parse(/^data: (.*)$/m.exec(body)![1]!)).toMatchObject({ status: 'running' });
    expect(names.at(-1)).toBe('cancelled');
  });
});

describe('simulation budgets', () => {
  it('stops a simulation past its wall-time budget and reports it failed with the reason', async () => {
    const a = await app({ budget: { wallSeconds: 1 } });
    const endless = await start(a, 'plantnet.yaml', ENDLESS);
    const s = await ended(a, endless.id);
    expect(s).toMatchObject({ status: 'failed', error: { code: 'E2C_ERR_SERVER_SIMULATION_TIMEOUT' } });
    expect(s.error!.message).toContain('1 s of wall time');
    await vi.waitFor(
      () => expect(existsSync(path.join(tmp, `runs-${apps.indexOf(a)}`, endless.runId))).toBe(false),
      { timeout: 30_000, interval: 50 },
    );
    expect((await a.inject('/api/health')).json()).toMatchObject({ running: 0 });
  });

  it('stops a simulation past its memory budget and reports it failed with the reason; a normal one fits', async () => {
    const a = await app({ budget: { memoryMiB: 64 } });
    const small = await ended(a, (await start(a, 'plantnet.yaml', SMALL)).id);
    expect(small).toMatchObject({ status: 'done' });
    // Spans of every request kept for the timeline: memory grows with the requests until the budget.
    const hog = await start(a, 'plantnet.yaml', [
      'run.duration=1e9',
      'run.replications=1',
      'run.spanSample=100000',
    ]);
    const s = await ended(a, hog.id);
    expect(s).toMatchObject({ status: 'failed', error: { code: 'E2C_ERR_SERVER_SIMULATION_MEMORY' } });
    expect(s.error!.message).toContain('64 MiB');
    const events = await a.inject(`/api/simulations/${hog.id}/events`);
    expect(eventNames(events.body)).toEqual(['state', 'failed']);
    expect(events.body).toContain('E2C_ERR_SERVER_SIMULATION_MEMORY');
  });

  it('refuses budgets that are not budgets', async () => {
    await expect(
      buildApp({ runsDir: path.join(tmp, 'x'), budget: { wallSeconds: 0 } }),
    ).rejects.toMatchObject({ code: 'E2C_ERR_SERVER_BAD_REQUEST', fields: { option: 'budget.wallSeconds' } });
    await expect(
      buildApp({ runsDir: path.join(tmp, 'x'), budget: { memoryMiB: 1.5 } }),
    ).rejects.toMatchObject({ code: 'E2C_ERR_SERVER_BAD_REQUEST', fields: { option: 'budget.memoryMiB' } });
  });
});

describe('/api/health while a simulation runs', () => {
  it('answers within 100 ms (median of several tries)', async () => {
    const a = await app();
    // Requests-bounded runs report progress as they go: a fraction above 0 means the worker is simulating.
    const long = await start(a, 'validation/mm1.yaml', ['run.requests=1000000000', 'run.replications=1']);
    await vi.waitFor(
      async () => {
        const s = await state(a, long.id);
        expect(s.status).toBe('running');
        expect(s.fraction).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 50 },
    );
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      const r = await a.inject('/api/health');
      times.push(performance.now() - t0);
      expect(r.json()).toMatchObject({ ok: true, running: 1 });
    }
    times.sort((x, y) => x - y);
    expect(times[4], `round trips (ms): ${times.map((t) => t.toFixed(1)).join(', ')}`).toBeLessThan(100);
    expect((await state(a, long.id)).status).toBe('running');
    expect((await a.inject({ method: 'DELETE', url: `/api/simulations/${long.id}` })).json()).toMatchObject({
      status: 'cancelled',
    });
  });
});
