import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_HISTOGRAM_RELATIVE_ERROR, LogHistogram } from '../../src/metrics/index.js';
import { buildApp } from '../../src/server/index.js';
import type { RunSeries } from '../../src/run-folder/index.js';
import { parseTraceJsonl } from '../../src/trace/index.js';
import { repoRoot, runCli } from '../support/cli.js';

// A short Pl@ntNet run: 2 replications of 300 s, 40 traced requests.
const SMALL = ['run.duration=300', 'run.warmup=60', 'run.replications=2', 'run.spanSample=40'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-server-'));
const runsDir = path.join(tmp, 'runs');
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({ runsDir, maxRunningSimulations: 1 });
});
afterAll(async () => {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function simulateFromPage(body: Record<string, unknown>): Promise<{ runId: string; events: string }> {
  const start = await app.inject({ method: 'POST', url: '/api/simulations', payload: body });
  expect(start.statusCode, start.body).toBe(202);
  const { simulation, events } = start.json();
  const sse = await app.inject({ method: 'GET', url: events });
  expect(sse.headers['content-type']).toContain('text/event-stream');
  return { runId: simulation.runId, events: sse.body };
}

describe('buildApp()', () => {
  it('serves the page, its modules and d3 from node_modules as an ES module', async () => {
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<script type="module" src="/main.js">');
    const main = await app.inject('/main.js');
    expect(main.headers['content-type']).toContain('text/javascript');
    const d3 = await app.inject('/vendor/d3.js');
    expect(d3.statusCode).toBe(200);
    expect(d3.body).toMatch(/^\/\/ https:\/\/d3js\.org v7/);
    expect(d3.body.trimEnd().endsWith('export default globalThis.d3;')).toBe(true);
  });

  it('never answers a path outside the web folder or the runs folder', async () => {
    writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
    for (const url of [
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/../package.json',
      '/charts/..%2f..%2fpackage.json',
      '/vendor/..%2f..%2fpackage.json',
    ]) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().code, url).toBe('E2C_ERR_SERVER_NOT_FOUND');
    }
    for (const id of [
      '..%2f..%2fetc%2fpasswd',
      '%2Fetc%2Fpasswd',
      '..%2fsecret.txt',
      '.hidden',
      'a%5C..%5C..%5Cetc',
    ]) {
      for (const suffix of ['', '/trace', '/chrome-trace', '/files/run.json']) {
        const r = await app.inject(`/api/runs/${id}${suffix}`);
        expect(r.statusCode, `${id}${suffix}`).toBe(400);
        expect(r.json(), `${id}${suffix}`).toMatchObject({
          statusCode: 400,
          code: 'E2C_ERR_SERVER_BAD_RUN_ID',
          error: 'Bad Request',
        });
      }
    }
    // Dot segments typed as such are resolved by the URL parser first: they reach no run at all.
    for (const url of [
      '/api/runs/../../etc/passwd',
      '/api/runs/./trace',
      '/api/runs/..',
      '/api/runs/%2e%2e',
      '/api/runs/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(r.body, url).not.toContain('root:');
    }
    // A run file name must be one of the run files, even inside a real run folder.
    mkdirSync(path.join(runsDir, 'fake-run'), { recursive: true });
    writeFileSync(path.join(runsDir, 'fake-run', 'run.json'), '{"kind":"simulation","scenario":"x"}');
    for (const file of ['..%2f..%2fsecret.txt', '%2Fetc%2Fpasswd', 'notes.txt']) {
      const r = await app.inject(`/api/runs/fake-run/files/${file}`);
      expect(r.statusCode, file).toBe(404);
      expect(r.json().code).toBe('E2C_ERR_SERVER_RUN_FILE_MISSING');
    }
    // A symbolic link in the runs folder that points outside it is refused too.
    mkdirSync(path.join(tmp, 'outside'), { recursive: true });
    writeFileSync(path.join(tmp, 'outside', 'run.json'), '{}');
    symlinkSync(path.join(tmp, 'outside'), path.join(runsDir, 'escape'));
    const link = await app.inject('/api/runs/escape/files/run.json');
    expect(link.json().code).toBe('E2C_ERR_SERVER_BAD_RUN_ID');
    rmSync(path.join(runsDir, 'fake-run'), { recursive: true });
    rmSync(path.join(runsDir, 'escape'));
    // Scenarios are named from the list only.
    for (const name of ['../package.json', '/etc/passwd', 'plantnet']) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/scenarios/check',
        payload: { scenario: name },
      });
      expect(r.statusCode, name).toBe(404);
      expect(r.json().code).toBe('E2C_ERR_SERVER_SCENARIO_NOT_FOUND');
    }
  });

  it('lists the shipped scenarios with plantnet.yaml as the default and checks one', async () => {
    const list = (await app.inject('/api/scenarios')).json();
    expect(list.default).toBe('plantnet.yaml');
    expect(list.scenarios.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining(['plantnet.yaml', 'iot-camera-fog-cloud.yaml', 'validation/mm1.yaml']),
    );
    const r = await app.inject({
      method: 'POST',
      url: '/api/scenarios/check',
      payload: { scenario: 'plantnet.yaml', overrides: ['cloud.engine.pools.extract=8'] },
    });
    expect(r.statusCode).toBe(200);
    const { scenario, summary } = r.json();
    expect(scenario.layers.map((l: { name: string }) => l.name)).toEqual(['cloud', 'edge']);
    expect(scenario.services[0].app.pools.extract.size).toBe(8);
    expect(summary).toContain('extract=8');
  });

  it('answers a bad scenario posted from the page with every located issue, and keeps serving', async () => {
    const text = readFileSync(path.join(repoRoot, 'scenarios/plantnet.yaml'), 'utf8').replace(
      'quantity: 150',
      'qty: 150',
    );
    const lineOfQty = text.split('\n').findIndex((l) => l.includes('qty: 150')) + 1;
    for (const url of ['/api/scenarios/check', '/api/simulations']) {
      const r = await app.inject({
        method: 'POST',
        url,
        payload: { scenario: 'plantnet.yaml', text, overrides: ['cloud.engine.pools.extract=zero'] },
      });
      expect(r.statusCode, url).toBe(422);
      const body = r.json();
      expect(body).toMatchObject({ statusCode: 422, code: 'E2C_ERR_SERVER_SCENARIO_INVALID' });
      expect(body.issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            code: 'E2C_ERR_SCENARIO_UNKNOWN_KEY',
            file: 'plantnet.yaml',
            line: lineOfQty,
            column: 9,
            path: 'layers[1].services[0].qty',
          }),
          expect.objectContaining({ file: '--set', path: expect.stringContaining('extract') }),
        ]),
      );
    }
    expect(readdirSync(runsDir)).toEqual([]); // nothing ran
    const health = await app.inject('/api/health');
    expect(health.json()).toMatchObject({ ok: true, running: 0 });
    const syntax = await app.inject({
      method: 'POST',
      url: '/api/scenarios/check',
      payload: { scenario: 'plantnet.yaml', text: 'name: [unclosed' },
    });
    expect(syntax.json().issues[0]).toMatchObject({
      code: 'E2C_ERR_SCENARIO_SYNTAX',
      file: 'plantnet.yaml',
      line: 1,
    });
  });

  it("refuses malformed requests with the error table's codes", async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/simulations',
      payload: { scenario: 'plantnet.yaml', replications: 0 },
    });
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'E2C_ERR_SERVER_BAD_REQUEST' });
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/scenarios/check',
      headers: { 'content-type': 'application/json' },
      payload: '{nope',
    });
    expect(notJson.json()).toMatchObject({ statusCode: 400, code: 'E2C_ERR_SERVER_BAD_REQUEST' });
    expect((await app.inject('/api/simulations/nope')).json()).toMatchObject({
      statusCode: 404,
      code: 'E2C_ERR_SERVER_SIMULATION_NOT_FOUND',
    });
    expect((await app.inject('/api/runs/no-such-run')).json()).toMatchObject({
      statusCode: 404,
      code: 'E2C_ERR_SERVER_RUN_NOT_FOUND',
    });
    expect((await app.inject('/api/nothing')).json()).toMatchObject({
      statusCode: 404,
      code: 'E2C_ERR_SERVER_NOT_FOUND',
    });
    // On a loopback address, a request naming another host (DNS rebinding) is refused.
    const rebound = await app.inject({ url: '/api/runs', headers: { host: 'attacker.example:8080' } });
    expect(rebound.json()).toMatchObject({
      statusCode: 403,
      code: 'E2C_ERR_SERVER_FORBIDDEN_HOST',
      header: 'host',
    });
  });

  it('runs a simulation in a worker, streams its progress, and writes the same run folder as `e2ctwin simulate --out`', async () => {
    const { runId, events } = await simulateFromPage({ scenario: 'plantnet.yaml', overrides: SMALL });
    const names = [...events.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names[0]).toBe('state');
    expect(names.filter((n) => n === 'progress').length).toBeGreaterThan(2);
    expect(names.at(-1)).toBe('done');
    const fractions = [...events.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!).fraction as number);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);

    const dir = path.join(runsDir, runId);
    expect(readdirSync(dir).sort()).toEqual([
      'chrome-trace.json',
      'metrics.json',
      'run.json',
      'scenario.resolved.json',
      'series.json',
      'trace.jsonl',
    ]);
    const cliDir = path.join(tmp, 'cli-run');
    const cli = runCli([
      'simulate',
      'scenarios/plantnet.yaml',
      ...SMALL.flatMap((s) => ['--set', s]),
      '--out',
      cliDir,
    ]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(readdirSync(cliDir)).toContain('series.json');
    for (const f of [
      'metrics.json',
      'series.json',
      'trace.jsonl',
      'chrome-trace.json',
      'scenario.resolved.json',
    ]) {
      expect(readFileSync(path.join(dir, f), 'utf8'), f).toBe(readFileSync(path.join(cliDir, f), 'utf8'));
    }
    const run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({
      kind: 'simulation',
      scenario: 'plantnet',
      overrides: SMALL,
      seed: 1,
      replications: 2,
    });

    const list = (await app.inject('/api/runs')).json();
    expect(list.runs.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect(list.runs[0]).toMatchObject({ scenario: 'plantnet', hasTrace: true, hasSeries: true });
    const one = (await app.inject(`/api/runs/${runId}`)).json();
    expect(one.metrics.responseTime.p95).toBe(
      JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')).responseTime.p95,
    );
    const trace = (await app.inject(`/api/runs/${runId}/trace`)).json();
    expect(trace).toEqual(parseTraceJsonl(readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')));
    const chrome = await app.inject(`/api/runs/${runId}/chrome-trace`);
    expect(chrome.headers['content-disposition']).toBe(`attachment; filename="${runId}.chrome-trace.json"`);
    expect(chrome.body).toBe(readFileSync(path.join(dir, 'chrome-trace.json'), 'utf8'));
  });

  it('series.json agrees with the metrics: window means integrate to the pool means; the histogram holds every measured request', async () => {
    const runId = (await app.inject('/api/runs')).json().runs[0].id as string;
    const { metrics, series } = (await app.inject(`/api/runs/${runId}`)).json() as {
      metrics: any;
      series: RunSeries;
    };
    expect(series.replications).toBe(2);
    expect(series.t0[0]).toBe(60);
    expect(series.t1.at(-1)).toBeCloseTo(300, 9);
    const T = series.t1.at(-1)! - series.t0[0]!;
    const integrate = (v: number[]) => v.reduce((a, x, i) => a + x * (series.t1[i]! - series.t0[i]!), 0) / T;
    for (const [key, p] of Object.entries(series.pools)) {
      expect(integrate(p.busy), key).toBeCloseTo(metrics.pools[key].meanBusy, 9);
      expect(integrate(p.queue), key).toBeCloseTo(metrics.pools[key].meanQueue, 9);
    }
    expect(integrate(series.cpu['cloud.engine']!)).toBeCloseTo(
      metrics.services['cloud.engine'].cpuUtilization,
      9,
    );
    expect(integrate(series.gpu['cloud.engine']!)).toBeCloseTo(
      metrics.services['cloud.engine'].gpuUtilization,
      9,
    );
    expect(integrate(series.inSystem)).toBeCloseTo(metrics.inSystem.mean, 9);
    expect(series.responseTime.count).toBe(metrics.completed * 2);
    expect(series).toMatchObject({ format: 'e2ctwin-series', version: 1, source: 'simulation' });
    // The pooled histogram is the union of the replications' own: its count and mean are theirs, and
    // its p95 lies between the smallest and largest replication's p95 (metrics.json's is their mean).
    const pooled = LogHistogram.fromJSON(series.responseTime);
    const reps = metrics.perReplication as {
      completed: number;
      responseTime: { mean: number; p95: number };
    }[];
    expect(pooled.count).toBe(reps.reduce((a, r) => a + r.completed, 0));
    expect(pooled.sum).toBeCloseTo(
      reps.reduce((a, r) => a + r.responseTime.mean * r.completed, 0),
      6,
    );
    const p95s = reps.map((r) => r.responseTime.p95);
    expect(pooled.quantile(0.95)).toBeGreaterThanOrEqual(
      Math.min(...p95s) * (1 - LOG_HISTOGRAM_RELATIVE_ERROR),
    );
    expect(pooled.quantile(0.95)).toBeLessThanOrEqual(Math.max(...p95s) * (1 + LOG_HISTOGRAM_RELATIVE_ERROR));
  });

  it('refuses a simulation beyond maxRunningSimulations with BUSY; a page that subscribes late still gets the outcome', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/api/simulations',
      payload: { scenario: 'plantnet.yaml', overrides: [...SMALL, 'run.spanSample=10'] },
    });
    expect(first.statusCode).toBe(202);
    const second = await app.inject({
      method: 'POST',
      url: '/api/simulations',
      payload: { scenario: 'validation/mm1.yaml' },
    });
    expect(second.json()).toMatchObject({
      statusCode: 503,
      code: 'E2C_ERR_SERVER_BUSY',
      running: 1,
      maxRunning: 1,
    });
    const { simulation, events } = first.json();
    await app.inject(events);
    const late = await app.inject(events);
    expect([...late.body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])).toEqual(['state', 'done']);
    expect((await app.inject(`/api/simulations/${simulation.id}`)).json()).toMatchObject({
      status: 'done',
      fraction: 1,
      runId: simulation.runId,
    });
  });

  it('lists the exploration studies of the runs folder (not as runs) and answers their result documents', async () => {
    const fixtures = path.join(import.meta.dirname, 'fixtures/studies');
    cpSync(fixtures, runsDir, { recursive: true });
    const { studies } = (await app.inject('/api/studies')).json();
    expect(studies.map((s: { id: string }) => s.id).sort()).toEqual([
      'morris',
      'optimize-tpe',
      'sweep-extract-simsearch',
    ]);
    expect(studies.find((s: { id: string }) => s.id === 'sweep-extract-simsearch')).toMatchObject({
      kind: 'sweep',
      scenario: 'plantnet',
      method: 'grid',
      params: ['extract', 'simsearch'],
      points: 35,
    });
    expect(studies.find((s: { id: string }) => s.id === 'optimize-tpe')).toMatchObject({
      kind: 'optimize',
      method: 'tpe',
      points: 16,
    });
    const one = (await app.inject('/api/studies/sweep-extract-simsearch')).json();
    expect(one).toMatchObject({ id: 'sweep-extract-simsearch', file: 'results.json' });
    expect(one.study).toEqual(
      JSON.parse(readFileSync(path.join(fixtures, 'sweep-extract-simsearch/results.json'), 'utf8')),
    );
    const runs = (await app.inject('/api/runs')).json().runs.map((r: { id: string }) => r.id);
    expect(
      runs.some((id: string) => ['morris', 'optimize-tpe', 'sweep-extract-simsearch'].includes(id)),
    ).toBe(false);
    expect((await app.inject(`/api/studies/${runs[0]}`)).json()).toMatchObject({
      statusCode: 404,
      code: 'E2C_ERR_SERVER_STUDY_NOT_FOUND',
    });
    for (const id of ['..%2f..%2fetc', '%2Fetc', 'a%5C..%5Cb']) {
      expect((await app.inject(`/api/studies/${id}`)).json(), id).toMatchObject({
        statusCode: 400,
        code: 'E2C_ERR_SERVER_BAD_RUN_ID',
      });
    }
  });

  it('lists a validate-twin report (plot.json) as a study of kind "validation"', async () => {
    const plot = path.join(repoRoot, 'calibration/local-testbed/plot.json');
    mkdirSync(path.join(runsDir, 'local-testbed-validation'), { recursive: true });
    cpSync(plot, path.join(runsDir, 'local-testbed-validation/plot.json'));
    const { studies } = (await app.inject('/api/studies')).json();
    expect(studies.find((s: { id: string }) => s.id === 'local-testbed-validation')).toMatchObject({
      kind: 'validation',
      scenario: 'local-testbed',
      method: 'twin vs testbed',
      points: 6,
    });
    const one = (await app.inject('/api/studies/local-testbed-validation')).json();
    expect(one).toMatchObject({
      file: 'plot.json',
      study: { kind: 'validation', format: 'e2ctwin-validation-plot' },
    });
    expect(one.study.points.map((p: { name: string }) => p.name)).toEqual(
      JSON.parse(readFileSync(plot, 'utf8')).points.map((p: { name: string }) => p.name),
    );
  });

  it("answers a validate-twin study with its report's scores and prediction intervals (validation.json beside plot.json)", async () => {
    const dir = path.join(runsDir, 'nginx-validation');
    mkdirSync(dir, { recursive: true });
    for (const f of ['plot.json', 'validation.json'])
      cpSync(path.join(repoRoot, 'calibration/nginx', f), path.join(dir, f));
    const report = JSON.parse(readFileSync(path.join(dir, 'validation.json'), 'utf8'));
    const one = (await app.inject('/api/studies/nginx-validation')).json();
    expect(one.study.kind).toBe('validation');
    expect(one.study.report).toEqual({
      overall: report.overall,
      targets: report.targets,
      setup: report.setup,
      missing: report.missing,
      predictionIntervals: report.predictionIntervals,
    });
    // A report that does not parse leaves the plot alone, still a study.
    writeFileSync(path.join(dir, 'validation.json'), '{ not json');
    const alone = (await app.inject('/api/studies/nginx-validation')).json();
    expect(alone.study.format).toBe('e2ctwin-validation-plot');
    expect(alone.study.report).toBeUndefined();
  });
});
