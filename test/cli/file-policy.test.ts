import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCliHere } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-cli-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Every non-trivial line of /etc/passwd: none may appear in anything e2ctwin prints.
const passwdLines = readFileSync('/etc/passwd', 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l.length > 3);
const leaked = (out: string) => passwdLines.filter((l) => out.includes(l));

describe('files named by a scenario, on the command line', () => {
  it('validate --set calibration=/etc/passwd exits 2 with a located refusal and prints nothing of the file', async () => {
    expect(passwdLines.length).toBeGreaterThan(0);
    const r = await runCliHere(['validate', 'scenarios/plantnet.yaml', '--set', 'calibration=/etc/passwd']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS');
    expect(r.stderr).toContain('--allow-dir');
    expect(leaked(r.stdout + r.stderr)).toEqual([]);
  });

  it("even inside an allowed folder (--allow-dir /etc), a file that is not a scenario's is located but never quoted", async () => {
    for (const set of [
      'calibration=/etc/passwd',
      'cloud.engine.host=/etc/passwd',
      'cloud.engine.app=/etc/passwd',
    ]) {
      for (const json of [[], ['--json']]) {
        const r = await runCliHere([
          'validate',
          'scenarios/plantnet.yaml',
          '--allow-dir',
          '/etc',
          '--set',
          set,
          ...json,
        ]);
        expect(r.status, set).toBe(2);
        expect(r.stdout + r.stderr, set).toContain('/etc/passwd');
        expect(leaked(r.stdout + r.stderr), set).toEqual([]);
      }
    }
  });

  it('simulate stops at a bad trace row with exit 2, naming the CSV and its line', async () => {
    const r = await runCliHere(['simulate', 'test/fixtures/bad-scenarios/bad-trace-row.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('test/fixtures/bad-scenarios/traces/bad-row.csv:4:1');
    expect(r.stderr).toContain('E2C_ERR_SCENARIO_TRACE');
  });

  it('--allow-dir lets a study read a trace from another folder, in its worker threads too', async () => {
    const scenarioDir = path.join(tmp, 'scenario');
    const traceDir = path.join(tmp, 'traces');
    mkdirSync(scenarioDir);
    mkdirSync(traceDir);
    copyFileSync(path.join(repoRoot, 'test/fixtures/traces/three.csv'), path.join(traceDir, 'three.csv'));
    const file = path.join(scenarioDir, 'trace.yaml');
    writeFileSync(
      file,
      `name: trace
run: { duration: 20, replications: 1 }
layers:
  - name: s
    services:
      - name: app
        app: { pools: { w: 1 }, stages: [ { name: cpu, resource: cpu, pool: w, demand: { dist: exponential, mean: 0.5 } } ] }
  - name: c
    services:
      - name: load
        workload: { kind: trace, target: s.app, file: ../traces/three.csv }
`,
    );
    const sweep = [
      'sweep',
      file,
      '-p',
      's.app.pools.w=1..2',
      '--workers',
      '1',
      '--json',
      '--no-progress',
      '--out',
      path.join(tmp, 'study'),
    ];
    const refused = await runCliHere(sweep);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS');
    const allowed = await runCliHere([...sweep, '--allow-dir', traceDir]);
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain('2 trials simulated');
    expect(JSON.parse(allowed.stdout)).toBeTruthy();
  });

  it('every command that loads a scenario documents --allow-dir', async () => {
    for (const cmd of [
      'validate',
      'simulate',
      'sweep',
      'sensitivity',
      'optimize',
      'capacity',
      'fit',
      'live',
      'validate-twin',
    ]) {
      expect((await runCliHere([cmd, '--help'])).stdout, cmd).toContain('--allow-dir <dir>');
    }
  });
});
