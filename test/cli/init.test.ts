import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shippedScenarios, writeStarter } from '../../src/cli/starter-folder.js';
import { loadScenario } from '../../src/scenario/index.js';
import { repoRoot, runCliHere } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2c-init-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A short run of the same scenario: enough to compare metrics byte for byte.
const SHORT = [
  '--set',
  'run.duration=300',
  '--set',
  'run.warmup=30',
  '--set',
  'run.replications=2',
  '--json',
];

describe('e2ctwin init', () => {
  it('writes a folder whose scenario loads with no file outside it and simulates as the shipped one', async () => {
    const r = await runCliHere(['init', 'demo'], { cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    const dir = path.join(tmp, 'demo');
    for (const f of [
      'plantnet.yaml',
      'scenario.schema.json',
      'README.md',
      'models/hardware/gpu-v100.yaml',
      'models/hardware/smartphone.yaml',
      'models/apps/plantnet-engine.yaml',
      'models/links/wan.yaml',
      'calibration/measurements.yaml',
    ])
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    const text = readFileSync(path.join(dir, 'plantnet.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json');
    expect(JSON.parse(readFileSync(path.join(dir, 'scenario.schema.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(path.join(repoRoot, 'scenarios/scenario.schema.json'), 'utf8')),
    );
    // Only the starter folder is allowed: a reference to the package's models/ would be refused.
    const own = loadScenario(path.join(dir, 'plantnet.yaml'), { allowedRoots: [dir] });
    expect(own.ok, JSON.stringify(!own.ok && own.issues)).toBe(true);
    const mine = await runCliHere(['simulate', 'demo/plantnet.yaml', ...SHORT], { cwd: tmp });
    const shipped = await runCliHere(['simulate', 'scenarios/plantnet.yaml', ...SHORT]);
    expect(mine.status, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(shipped.stdout);
  });

  it('writes a starter that loads on its own for every shipped scenario', () => {
    for (const s of shippedScenarios()) {
      const dir = path.join(tmp, `s-${s.replace('/', '-')}`);
      const { scenarioFile } = writeStarter({ dir, scenario: s });
      const own = loadScenario(scenarioFile, { allowedRoots: [dir] });
      expect(own.ok, `${s}: ${JSON.stringify(!own.ok && own.issues)}`).toBe(true);
    }
  });

  it('refuses a non-empty folder (exit 2, nothing written) unless --force, which keeps other files', async () => {
    const dir = path.join(tmp, 'busy');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const r = await runCliHere(['init', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not empty/);
    expect(r.stderr).toMatch(/--force/);
    expect(existsSync(path.join(dir, 'plantnet.yaml'))).toBe(false);
    const f = await runCliHere(['init', dir, '--force', '--scenario', 'validation/mm1']);
    expect(f.status, f.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'mm1.yaml'))).toBe(true);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('names the shipped scenarios when given an unknown one (exit 2)', async () => {
    const r = await runCliHere(['init', path.join(tmp, 'typo'), '--scenario', 'plantnt']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/did you mean "plantnet"/);
    expect(r.stderr).toMatch(/validation\/mm1/);
    expect(existsSync(path.join(tmp, 'typo'))).toBe(false);
  });
});
