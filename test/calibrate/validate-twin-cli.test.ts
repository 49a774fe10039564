import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCliHere } from '../support/cli.js';

// validate-twin without root: bad input is refused before anything runs, and the shipped campaign is
// re-scored from its measured run folders.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-validate-twin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const campaign = 'calibration/local-testbed';
const base = ['validate-twin', 'scenarios/local-testbed.yaml', '--calibration', `${campaign}/params.yaml`];
const write = (name: string, text: string) => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('e2ctwin validate-twin: bad input (exit 2, nothing runs)', () => {
  it('a missing calibration file', async () => {
    const r = await runCliHere([
      'validate-twin',
      'scenarios/local-testbed.yaml',
      '--calibration',
      'no/such/params.yaml',
      '--configs',
      `${campaign}/held-out.yaml`,
      '--live-runs',
      `${campaign}/runs/held-out`,
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      '--calibration no/such/params.yaml: file not found [E2C_ERR_CALIBRATE_FILE_MISSING]',
    );
  });

  it('a held-out file with an unknown key, or with configurations that are not valid scenarios: every problem, located', async () => {
    const shape = write('shape.yaml', 'configs:\n  - name: a\n    sets: [edge.users.workload.users=1]\n');
    const r = await runCliHere([...base, '--configs', shape, '--live-runs', `${campaign}/runs/held-out`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /error: 1 problem in the held-out configurations:\n.*shape\.yaml:3:5 configs\[0\]\.sets: unknown key "sets" \(did you mean "set"\?\)/,
    );
    const bad = write(
      'bad.yaml',
      'configs:\n  - name: a\n    set: [edge.users.workload.users=0.5]\n  - name: b\n    set: [cloud.engine.pools.extract=2, cloud.engin.pools.http=3]\n',
    );
    const r2 = await runCliHere([...base, '--configs', bad, '--live-runs', `${campaign}/runs/held-out`]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/error: 2 problems in the held-out configurations:/);
    expect(r2.stderr).toMatch(
      /bad\.yaml:3:11 configs\[0\]\.set\[0\]: configuration "a": .*\[E2C_ERR_CALIBRATE_HELD_OUT_CONFIG\]/,
    );
    expect(r2.stderr).toMatch(
      /bad\.yaml:5:41 configs\[1\]\.set\[1\]: configuration "b": .*did you mean "engine".*\[E2C_ERR_CALIBRATE_HELD_OUT_CONFIG\]/,
    );
    expect(r2.stderr).not.toContain('    at '); // no stack trace
  });

  it('a bad option value says which', async () => {
    const r = await runCliHere([
      ...base,
      '--configs',
      `${campaign}/held-out.yaml`,
      '--testbed',
      'testbeds/local.yaml',
      '--out',
      path.join(tmp, 'x'),
      '--duration',
      '-1',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--duration must be a number > 0 (got "-1")');
  });

  it('no measurements asked for, or a run folder measured under other overrides', async () => {
    const none = await runCliHere([...base, '--configs', `${campaign}/held-out.yaml`]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('give --testbed');
    const runs = path.join(tmp, 'swapped');
    mkdirSync(runs);
    cpSync(path.join(repoRoot, campaign, 'runs/held-out/u7'), path.join(runs, 'u1'), { recursive: true });
    const r = await runCliHere([...base, '--configs', `${campaign}/held-out.yaml`, '--live-runs', runs]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /measured --set edge\.users\.workload\.users=7, but configuration "u1" is --set edge\.users\.workload\.users=1: a run folder of another configuration \[E2C_ERR_CALIBRATE_RUN_MISMATCH\]/,
    );
  });
});

describe('e2ctwin validate-twin: the shipped campaign, re-scored from its run folders without root', () => {
  it('reproduces the shipped validation.json (predictions within 1e-6, measurements exactly)', async () => {
    const out = path.join(tmp, 'rescore');
    const r = await runCliHere([
      ...base,
      '--configs',
      `${campaign}/held-out.yaml`,
      '--live-runs',
      `${campaign}/runs/held-out`,
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const shipped = JSON.parse(readFileSync(path.join(repoRoot, campaign, 'validation.json'), 'utf8'));
    const now = JSON.parse(readFileSync(path.join(out, 'validation.json'), 'utf8'));
    // A change of the model that moves the predictions makes the shipped report stale: re-run the
    // command of calibration/local-testbed/README.md (no root needed) and commit its output.
    expect(close(now, shipped, ''), 'validation.json differs from the shipped one').toEqual([]);
    expect(now.configs.length).toBeGreaterThanOrEqual(5);
    expect(r.stdout).toContain('MAPE');
    expect(r.stdout).toMatch(/Spearman ρ\s+mean/);
    const plot = JSON.parse(readFileSync(path.join(out, 'plot.json'), 'utf8'));
    expect(plot.cdfs.map((c: { name: string }) => c.name)).toEqual(
      now.configs.map((c: { name: string }) => c.name),
    );
    expect(plot.cdfs[0].measured.x.length).toBeGreaterThan(10);
  });

  it('a failed live run leaves its configuration missing; the others are scored and the report names it', async () => {
    const runs = path.join(tmp, 'partial');
    cpSync(path.join(repoRoot, campaign, 'runs/held-out'), runs, { recursive: true });
    const runJson = path.join(runs, 'u11', 'run.json');
    writeFileSync(
      runJson,
      JSON.stringify({
        ...JSON.parse(readFileSync(runJson, 'utf8')),
        status: 'failed',
        failure: 'cloud.engine@cloud-1 died during the run',
      }),
    );
    rmSync(path.join(runs, 'u18'), { recursive: true });
    const r = await runCliHere([
      ...base,
      '--configs',
      `${campaign}/held-out.yaml`,
      '--live-runs',
      runs,
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.missing).toEqual([
      { name: 'u11', reason: expect.stringContaining('failed: cloud.engine@cloud-1 died during the run') },
      { name: 'u18', reason: expect.stringContaining('no run folder') },
    ]);
    expect(report.configs.map((c: { name: string }) => c.name)).not.toContain('u11');
    expect(report.overall.configurations).toBe(report.configs.length);
  });

  it('a corrupt run folder is named and skipped, not fatal: the others are scored and the report counts it', async () => {
    const runs = path.join(tmp, 'corrupt');
    cpSync(path.join(repoRoot, campaign, 'runs/held-out'), runs, { recursive: true });
    const metrics = path.join(runs, 'u4-d4', 'metrics.json');
    writeFileSync(metrics, readFileSync(metrics, 'utf8').replace(/"throughput": [^,]+,/, '"throughput": ,'));
    const r = await runCliHere([
      ...base,
      '--configs',
      `${campaign}/held-out.yaml`,
      '--live-runs',
      runs,
      '--out',
      path.join(tmp, 'corrupt-out'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const where = new RegExp(
      `${escapeRegExp(metrics)}:12:17: not valid JSON: .*\\[E2C_ERR_RUNFOLDER_READ_JSON\\]`,
    );
    expect(r.stderr).toMatch(new RegExp(`u4-d4: skipped: ${where.source}`));
    expect(r.stderr).toContain('warning: 1 corrupt run folder skipped');
    expect(r.stdout).toMatch(
      /missing \(not scored\): 1, of which 1 corrupt run folder skipped\n {2}u4-d4: corrupt run folder, skipped: /,
    );
    const report = JSON.parse(readFileSync(path.join(tmp, 'corrupt-out', 'validation.json'), 'utf8'));
    expect(report.missing).toEqual([{ name: 'u4-d4', reason: expect.stringMatching(where), corrupt: true }]);
    expect(report.configs.map((c: { name: string }) => c.name)).toEqual(['u1', 'u7', 'u11', 'u14-x1', 'u18']);
  });
});

/** A literal string inside a RegExp. */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Paths where two JSON values differ (numbers: relative 1e-6). */
function close(a: unknown, b: unknown, at: string): string[] {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) ? [] : [`${at}: ${a} vs ${b}`];
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
    return a === b ? [] : [`${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) =>
    close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`),
  );
}
