import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fitScenario } from '../../src/calibrate/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import { repoRoot, runCliHere } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-calibrate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('e2ctwin calibrate', () => {
  it("recovers the demand laws of CPU stages from a simulated run's trace, and the params file loads back into the scenario", async () => {
    const run = path.join(tmp, 'run');
    // Light load: 40 users instead of 150, so CPU stages run without contention.
    expect(
      (
        await runCliHere([
          'simulate',
          'scenarios/plantnet.yaml',
          '-r',
          '1',
          '--set',
          'edge.users.quantity=40',
          '--set',
          'run.duration=3000',
          '--set',
          'run.spanSample=2500',
          '--out',
          run,
        ])
      ).status,
    ).toBe(0);
    const out = path.join(tmp, 'params.yaml');
    const r = await runCliHere(['calibrate', run, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const params = parse(readFileSync(out, 'utf8'));
    // The app states simsearch ~ lognormal(mean 1.0, cv 0.5) and http ~ lognormal(mean 0.004, cv 0.5).
    const simsearch = params.services['cloud.engine'].stages.simsearch.demand;
    expect(simsearch.dist).toBe('lognormal');
    expect(simsearch.mean).toBeGreaterThan(0.95);
    expect(simsearch.mean).toBeLessThan(1.05);
    expect(simsearch.cv).toBeGreaterThan(0.45);
    expect(simsearch.cv).toBeLessThan(0.55);
    expect(params.services['cloud.engine'].stages.http.demand.dist).toBe('lognormal');
    expect(params.provenance['cloud.engine.simsearch.demand'].samples).toBeGreaterThan(1000);
    // A scenario includes it with `calibration:`; the fitted law replaces the app's.
    const s = loadScenarioOrThrow(path.join(repoRoot, 'scenarios/plantnet.yaml'), {
      overrides: [`calibration=${out}`],
      extraRoots: [path.dirname(out)],
    });
    expect(s.services[0]!.app!.stages.find((st) => st.name === 'simsearch')!.demand).toEqual(simsearch);
  });

  it('a folder without a trace, or a missing folder, is bad input naming it (exit 2)', async () => {
    const r = await runCliHere(['calibrate', tmp, '-o', path.join(tmp, 'x.yaml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `${path.join(tmp, 'trace.jsonl')}: no such file (nor trace.jsonl.gz): is it a run folder?  [E2C_ERR_RUNFOLDER_READ_MISSING]`,
    );
    const missing = await runCliHere([
      'calibrate',
      path.join(tmp, 'no-such-run'),
      '-o',
      path.join(tmp, 'x.yaml'),
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`${path.join(tmp, 'no-such-run')}: no such run folder`);
  });

  it('a corrupt run folder names the file, the line and the field, before any fit (exit 2)', async () => {
    const run = path.join(tmp, 'corrupt');
    cpSync(path.join(repoRoot, 'calibration/local-testbed/runs/held-out/u7'), run, { recursive: true });
    const lines = gunzipSync(readFileSync(path.join(run, 'trace.jsonl.gz')))
      .toString('utf8')
      .split('\n');
    lines[9] = lines[9]!.replace(/"start":[^,]+,/, '"start":"noon",');
    writeFileSync(path.join(run, 'trace.jsonl.gz'), gzipSync(lines.join('\n')));
    const r = await runCliHere(['calibrate', run, '-o', path.join(tmp, 'y.yaml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `error: ${path.join(run, 'trace.jsonl.gz')}:10 start: expected a finite number, got a string  [E2C_ERR_RUNFOLDER_READ_SHAPE]\n`,
    );
    // --fit-factors reads metrics.json too: bad JSON there is located before the laws are fitted.
    writeFileSync(
      path.join(run, 'trace.jsonl.gz'),
      gzipSync(lines.join('\n').replace('"start":"noon",', '"start":1,')),
    );
    writeFileSync(
      path.join(run, 'metrics.json'),
      '{"responseTime": {"mean": 1, "p95": 2},\n "throughput": 3,,}',
    );
    const f = await runCliHere(['calibrate', run, '-o', path.join(tmp, 'y.yaml'), '--fit-factors']);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain(`error: ${path.join(run, 'metrics.json')}:2:18: not valid JSON: `);
    expect(f.stderr).toContain('[E2C_ERR_RUNFOLDER_READ_JSON]');
    expect(f.stdout).toBe('');
  });
});

describe('fitScenario()', () => {
  it('finds the arrival rate for which an M/M/1 queue has the measured mean response time', () => {
    const file = path.join(repoRoot, 'scenarios/validation/mm1.yaml');
    const overrides = [
      'run.requests=20000',
      'run.replications=2',
      'calibrate={params: {outside.source.workload.ratePerS: {min: 0.3, max: 0.9}}, targets: {responseTime.mean: 3.3333}}',
    ];
    const fit = fitScenario(file, loadScenarioOrThrow(file, { overrides }), {
      overrides,
      maxEvaluations: 40,
    });
    // W = 1/(μ − λ) = 3.333 s at λ = 0.7 (μ = 1); sampling noise of 2 × 20k customers allows a few %.
    expect(fit.values['outside.source.workload.ratePerS']).toBeGreaterThan(0.68);
    expect(fit.values['outside.source.workload.ratePerS']).toBeLessThan(0.72);
    expect(Math.abs(fit.targets['responseTime.mean']!.relativeError)).toBeLessThan(0.01);
    expect(fit.evaluations).toBeLessThanOrEqual(40);
  });
});
