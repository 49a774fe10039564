import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, runCliHere } from '../support/cli.js';

// The command line of calibration with uncertainty: measurements read from a file the scenario names,
// results independent of the number of workers, predictions and suggestions from the written set, and
// bad input reported where it is written (exit 2, nothing simulated beyond one sample run).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-calibrate-twin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const nominal = readFileSync(path.join(import.meta.dirname, 'fixtures/uq/nominal.yaml'), 'utf8');

/** The fixture twin with `calibrate:` extras (prior lines, measurements) in a fresh folder; returns the scenario path. */
function scenario(name: string, o: { measurements: string; params?: string }): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  let text = nominal.replace('  targets: {}\n', '  measurements: measurements.yaml\n');
  if (o.params) text = text.replace('calibrate:\n  params:\n', `calibrate:\n  params:\n${o.params}`);
  writeFileSync(path.join(dir, 'twin.yaml'), text);
  writeFileSync(path.join(dir, 'measurements.yaml'), o.measurements);
  return path.join(dir, 'twin.yaml');
}

// Values measured on fixtures/uq/true.yaml (10 replications, seed 1001).
const GOOD = `measurements:
  - name: x1
    set: { edge.users.workload.users: 8, cloud.engine.pools.extract: 1, cloud.engine.pools.simsearch: 2 }
    metrics: { responseTime.mean: { value: 0.6586, ci95: 0.0405 }, throughput: { value: 4.787, ci95: 0.112 } }
  - name: x4
    set: [edge.users.workload.users=12, cloud.engine.pools.extract=4, cloud.engine.pools.simsearch=2]
    metrics: { responseTime.mean: { value: 0.2900, ci95: 0.0087 }, throughput: { value: 9.314, ci95: 0.145 } }
`;

describe('e2ctwin calibrate-twin', () => {
  it('writes the same calibration set whatever the number of workers, and simulate and suggest-measurement use it', async () => {
    const file = scenario('ok', { measurements: GOOD });
    const args = (w: string, out: string) => [
      'calibrate-twin',
      file,
      '--budget',
      '100',
      '--samples',
      '8',
      '--waves',
      '2',
      '-w',
      w,
      '-o',
      out,
    ];
    const a = await runCliHere(args('0', path.join(tmp, 'ok', 'set-w0.yaml')));
    expect(a.status, a.stderr).toBe(0);
    // 8 vectors are too few to judge identification from: no verdict, and a warning.
    expect(a.stdout).toMatch(
      /cloud\.engine\.stages\.extract\.demand\.mean .*undetermined: too few plausible vectors/,
    );
    expect(a.stdout).toContain('Fit at the measured configurations');
    const b = await runCliHere(args('2', path.join(tmp, 'ok', 'set-w2.yaml')));
    expect(b.status, b.stderr).toBe(0);
    const w0 = readFileSync(path.join(tmp, 'ok', 'set-w0.yaml'), 'utf8');
    expect(readFileSync(path.join(tmp, 'ok', 'set-w2.yaml'), 'utf8')).toBe(w0);
    const set = parse(w0);
    expect(set.kind).toBe('calibration-set');
    expect(set.samples.length).toBeGreaterThan(0);
    expect(Object.keys(set.samples[0]).sort()).toEqual(Object.keys(set.priors).sort());

    const sim = await runCliHere([
      'simulate',
      file,
      '--calibration-set',
      path.join(tmp, 'ok', 'set-w0.yaml'),
      '-r',
      '2',
      '--json',
    ]);
    expect(sim.status, sim.stderr).toBe(0);
    const calibrated = JSON.parse(sim.stdout).calibrated['responseTime.mean'];
    expect(calibrated.lo90).toBeLessThanOrEqual(calibrated.point);
    expect(calibrated.hi90).toBeGreaterThanOrEqual(calibrated.point);
    // What a measurement will read: the twin's interval widened by the measurement noise and discrepancy.
    expect(calibrated.measuredLo90).toBeLessThan(calibrated.lo90);
    expect(calibrated.measuredHi90).toBeGreaterThan(calibrated.hi90);

    writeFileSync(
      path.join(tmp, 'ok', 'candidates.yaml'),
      'configs:\n  - { name: x1-again, set: [cloud.engine.pools.extract=1] }\n  - { name: x3, set: [cloud.engine.pools.extract=3] }\n',
    );
    const sug = await runCliHere([
      'suggest-measurement',
      file,
      '--calibration-set',
      path.join(tmp, 'ok', 'set-w0.yaml'),
      '--candidates',
      path.join(tmp, 'ok', 'candidates.yaml'),
      '--question',
      'responseTime.mean at cloud.engine.pools.extract=6',
      '--json',
    ]);
    expect(sug.status, sug.stderr).toBe(0);
    const ranked = JSON.parse(sug.stdout).ranked as { name: string; reduction: number }[];
    expect(ranked.map((r) => r.name).sort()).toEqual(['x1-again', 'x3']);
  }, 240_000);

  it('a measurement whose overrides do not validate: located at the override, exit 2', async () => {
    const file = scenario('bad-override', {
      measurements: GOOD.replace('cloud.engine.pools.simsearch: 2 }', 'cloud.engin.pools.simsearch: 2 }'),
    });
    const r = await runCliHere(['calibrate-twin', file, '--budget', '50']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /measurements\.yaml:3:\d+ measurements\[0\]\.set\.cloud\.engin\.pools\.simsearch: measurement "x1": .*engin/,
    );
    expect(r.stderr).toContain('E2C_ERR_CALIBRATE_MEASUREMENT_CONFIG');
  });

  it('an unknown metric key: located at the key with a suggestion, exit 2', async () => {
    const file = scenario('bad-metric', {
      measurements: GOOD.replace('throughput: { value: 9.314', 'throughputt: { value: 9.314'),
    });
    const r = await runCliHere(['calibrate-twin', file, '--budget', '50']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /measurements\.yaml:7:\d+ measurements\[1\]\.metrics\.throughputt: measurement "x4": unknown metric "throughputt" \(did you mean "throughput"\?\)/,
    );
  });

  it('a prior range with min ≥ max: located in the scenario, exit 2', async () => {
    const file = scenario('bad-prior', {
      measurements: GOOD,
      params: '    edge.users.workload.thinkTime.mean: { min: 2, max: 2 }\n',
    });
    const r = await runCliHere(['calibrate-twin', file, '--budget', '50']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /twin\.yaml:\d+:\d+ calibrate\.params\.edge\.users\.workload\.thinkTime\.mean\.max: max must be > min/,
    );
  });

  it('a run folder without a trace: located at the run, exit 2', async () => {
    const file = scenario('no-trace', { measurements: `${GOOD}  - { name: live, runs: [runs/live-1] }\n` });
    const run = path.join(tmp, 'no-trace', 'runs', 'live-1');
    mkdirSync(run, { recursive: true });
    // A whole live run folder (a shipped one) but for its trace.
    const shipped = path.join(repoRoot, 'calibration/local-testbed/runs/training/u2');
    for (const f of ['run.json', 'metrics.json']) copyFileSync(path.join(shipped, f), path.join(run, f));
    const r = await runCliHere(['calibrate-twin', file, '--budget', '50']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /measurements\.yaml:8:\d+ measurements\[2\]\.runs\[0\]: measurement "live": .*trace\.jsonl: no such file/,
    );
  });
});

describe('e2ctwin validate-twin --calibration-set', () => {
  it('reports how many measured held-out values fall inside the 90 % prediction intervals of the shipped local-testbed set', async () => {
    const r = await runCliHere([
      'validate-twin',
      'scenarios/local-testbed.yaml',
      '--calibration',
      'calibration/local-testbed/params.yaml',
      '--configs',
      'calibration/local-testbed/held-out.yaml',
      '--live-runs',
      'calibration/local-testbed/runs/held-out',
      '--calibration-set',
      'calibration/local-testbed/calibration-set.yaml',
      '--pi-replications',
      '1',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const pi = JSON.parse(r.stdout).predictionIntervals;
    expect(pi.level).toBe(0.9);
    expect(pi.covered.all.of).toBe(12); // 6 held-out configurations × (mean response time, throughput)
    for (const row of pi.configs) {
      expect(row.inside).toBe(row.measured >= row.lo && row.measured <= row.hi);
      const m = row.measuredInterval;
      expect(m.lo).toBeLessThan(row.lo);
      expect(m.hi).toBeGreaterThan(row.hi);
      expect(m.inside).toBe(row.measured >= m.lo && row.measured <= m.hi);
    }
    expect(pi.coveredMeasured.all.of).toBe(12);
    expect(pi.coveredMeasured.all.inside).toBeGreaterThanOrEqual(pi.covered.all.inside);
    // Honest intervals cover most of what was measured (90 % nominal).
    expect(pi.covered.all.inside / pi.covered.all.of).toBeGreaterThanOrEqual(0.75);
  }, 240_000);
});
