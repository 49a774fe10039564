import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTraceJsonl } from '../../src/trace/index.js';
import { runCli, runCliHere } from '../support/cli.js';

const small = ['--set', 'run.duration=300', '--set', 'run.warmup=60', '-r', '2'];
const out = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-simulate-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('e2ctwin simulate', () => {
  it('--json prints the metrics with their stable keys', async () => {
    const r = await runCliHere(['simulate', 'scenarios/plantnet.yaml', ...small, '--json']);
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout);
    for (const key of [
      'responseTime.mean',
      'responseTime.p95',
      'throughput',
      'completed',
      'abandoned',
      'pools.extract.utilization',
      'gpuMemoryPeakGiB',
      'energyJ',
      'cost',
      'feasible',
    ]) {
      const v = key.split('.').reduce((o, k) => o?.[k], m);
      expect(v, key).toBeDefined();
    }
    expect(m.feasible).toBe(true);
    expect(m.ci95['responseTime.mean'].halfWidth).toBeGreaterThan(0);
  });

  it('the same command twice prints byte-identical JSON', async () => {
    const args = [
      'simulate',
      'scenarios/iot-camera-fog-cloud.yaml',
      '--set',
      'run.duration=40',
      '--set',
      'run.warmup=10',
      '--set',
      'edge.camera.quantity=100',
      '-r',
      '2',
      '--json',
    ];
    expect((await runCliHere(args)).stdout).toBe((await runCliHere(args)).stdout);
  });

  it('prints a summary table with the reference values beside the simulated ones', async () => {
    const r = await runCliHere([
      'simulate',
      'scenarios/validation/mm1.yaml',
      '--set',
      'run.requests=20000',
      '-r',
      '3',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/response time mean\s+\d/);
    expect(r.stdout).toMatch(/pool\s+size\s+utilization/);
    expect(r.stdout).toMatch(/responseTime\.mean\s+3\.3333/);
  });

  it('--out writes a run folder whose trace and Chrome trace hold the same spans', async () => {
    const dir = path.join(out, 'plantnet');
    const r = await runCliHere([
      'simulate',
      'scenarios/plantnet.yaml',
      ...small,
      '--set',
      'run.spanSample=40',
      '--out',
      dir,
    ]);
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      'chrome-trace.json',
      'metrics.json',
      'run.json',
      'scenario.resolved.json',
      'series.json',
      'trace.jsonl',
    ]);
    // Every measured request of both replications, not the 40 traced ones.
    const metrics = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    const series = JSON.parse(readFileSync(path.join(dir, 'series.json'), 'utf8'));
    expect(series).toMatchObject({ format: 'e2ctwin-series', source: 'simulation', replications: 2 });
    expect(series.responseTime.count).toBe(
      metrics.perReplication.reduce((a: number, r: { completed: number }) => a + r.completed, 0),
    );
    const run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({
      kind: 'simulation',
      scenario: 'plantnet',
      seed: 1,
      replications: 2,
      e2ctwinVersion: '0.1.0',
    });
    const { header, spans } = parseTraceJsonl(readFileSync(path.join(dir, 'trace.jsonl'), 'utf8'));
    expect(header).toMatchObject({ format: 'e2ctwin-trace', source: 'simulation', sampledRequests: 40 });
    expect(new Set(spans.map((s) => s.request)).size).toBe(40);
    expect(
      spans.some(
        (s) => s.kind === 'stage' && s.name === 'extract' && s.pool === 'extract' && s.lane !== undefined,
      ),
    ).toBe(true);
    const chrome = JSON.parse(readFileSync(path.join(dir, 'chrome-trace.json'), 'utf8'));
    expect(chrome.traceEvents.filter((e: { ph: string }) => e.ph === 'X').length).toBe(spans.length);
    expect(metrics.perReplication).toHaveLength(2);
  });

  it('--seed changes the numbers; a bad scenario exits 2 without running', async () => {
    const a = await runCliHere([
      'simulate',
      'scenarios/validation/mm1.yaml',
      '--set',
      'run.requests=5000',
      '-r',
      '1',
      '--json',
    ]);
    const b = await runCliHere([
      'simulate',
      'scenarios/validation/mm1.yaml',
      '--set',
      'run.requests=5000',
      '-r',
      '1',
      '--json',
      '--seed',
      '2',
    ]);
    expect(a.stdout).not.toBe(b.stdout);
    const bad = runCli(['simulate', 'test/fixtures/bad-scenarios/dangling-target.yaml']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('no service "cloud.engin"');
  });
});
