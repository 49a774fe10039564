import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCliHere } from '../support/cli.js';

// Model switches of the twin only (--twin-set): fitted under by calibrate --fit-factors, scored with by
// validate-twin against run folders measured without them (a live run never sees them).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-twin-set-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const campaign = 'calibration/local-testbed';
const training = ['u2', 'u5', 'u9-x3'].map((n) => `${campaign}/runs/training/${n}`);
const scoreArgs = (params: string, ...more: string[]) => [
  'validate-twin',
  'scenarios/local-testbed.yaml',
  '--calibration',
  params,
  '--configs',
  `${campaign}/held-out.yaml`,
  '--live-runs',
  `${campaign}/runs/held-out`,
  '-r',
  '2',
  '--json',
  ...more,
];

describe('--twin-set: model switches of the twin only', () => {
  it('calibrate fits the factors under the switch and records it; validate-twin scores with it, and warns without it', async () => {
    const plain = path.join(tmp, 'plain.yaml');
    const slow = path.join(tmp, 'slow-start.yaml');
    const a = await runCliHere(['calibrate', ...training, '-o', plain, '--fit-factors', '-r', '2']);
    expect(a.status, a.stderr).toBe(0);
    const b = await runCliHere([
      'calibrate',
      ...training,
      '-o',
      slow,
      '--fit-factors',
      '-r',
      '2',
      '--twin-set',
      'run.tcpSlowStart=true',
    ]);
    expect(b.status, b.stderr).toBe(0);
    const factors = (f: string) => parse(readFileSync(f, 'utf8')).provenance.factors;
    expect(factors(slow).twinSet).toEqual(['run.tcpSlowStart=true']);
    expect(factors(plain).twinSet).toBeUndefined();
    // Slow start now carries part of what the network factor stood for.
    expect(factors(slow).network).toBeLessThan(factors(plain).network);

    const withSwitch = await runCliHere(scoreArgs(slow, '--twin-set', 'run.tcpSlowStart=true'));
    expect(withSwitch.status, withSwitch.stderr).toBe(0);
    expect(withSwitch.stderr).not.toContain('was fitted with');
    const report = JSON.parse(withSwitch.stdout);
    expect(report.missing).toEqual([]);
    expect(report.setup.twinSet.overrides).toEqual(['run.tcpSlowStart=true']);
    const without = await runCliHere(scoreArgs(slow));
    expect(without.status, without.stderr).toBe(0);
    expect(without.stderr).toContain('was fitted with run.tcpSlowStart=true, which this twin does not have');
    const mean = (r: { stdout: string }) =>
      JSON.parse(r.stdout).configs.map(
        (c: { predicted: { mean: { value: number } } }) => c.predicted.mean.value,
      );
    expect(mean(withSwitch)).not.toEqual(mean(without));
  }, 300_000);

  it('refuses fields that are not model switches, values the schema refuses, and switches without --fit-factors (exit 2)', async () => {
    const out = path.join(tmp, 'x.yaml');
    const calibrate = (...more: string[]) => runCliHere(['calibrate', ...training, '-o', out, ...more]);
    const field = await calibrate('--fit-factors', '--twin-set', 'layers.0.name=x');
    expect(field.status).toBe(2);
    expect(field.stderr).toContain('give run.<field>=<value> with one of run.shortcuts, run.tcpFraming');
    const value = await calibrate('--fit-factors', '--twin-set', 'run.tcpEfficiency=2');
    expect(value.status).toBe(2);
    expect(value.stderr).toContain('--twin-set run.tcpEfficiency=2:');
    const alone = await calibrate('--twin-set', 'run.tcpFraming=true');
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('--twin-set applies to --fit-factors');
    const unknown = await runCliHere(scoreArgs(`${campaign}/params.yaml`, '--twin-set', 'run.nope=1'));
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown key "nope"');
  });
});
