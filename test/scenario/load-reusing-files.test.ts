import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FileRead, loadScenario, loadScenarioReusingFiles } from '../../src/scenario/index.js';

// A study's worker loads one scenario per configuration; loadScenarioReusingFiles reads the scenario and
// the files it names once (src/explore/trial.ts keeps them per study digest). It must give what
// loadScenario gives on the same files, whatever the overrides.
const root = path.join(import.meta.dirname, '../..');
const plantnet = path.join(root, 'scenarios/plantnet.yaml');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-reuse-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadScenarioReusingFiles()', () => {
  it('gives what loadScenario gives, override after override, on one memo of the files', () => {
    const files = new Map<string, FileRead>();
    const overrideSets = [
      [],
      ['cloud.engine.pools.extract=3'],
      ['cloud.engine.pools.extract=5', 'cloud.engine.pools.http=20'],
      ['cloud.engine.host=gpu-a100'], // a preset the previous loads did not read
      ['cloud.engine.host=gpu-nope'], // a preset that does not exist: the same issue
      ['cloud.engine.pools.extract=0'], // out of range: the same located issue
      ['cloud.engin.pools.extract=3'], // a path that does not exist
      ['cloud.engine.pools.extract=4'],
    ];
    for (const overrides of overrideSets) {
      const plain = loadScenario(plantnet, { overrides });
      const reused = loadScenarioReusingFiles(plantnet, { overrides }, files);
      expect(reused, overrides.join(' ')).toEqual(plain);
    }
    // The scenario, its presets (both hosts tried, the missing one as a refusal) and the measurements file.
    expect([...files.keys()].some((k) => k.includes('gpu-a100.yaml'))).toBe(true);
    expect([...files.keys()].some((k) => k.includes('measurements.yaml'))).toBe(true);
  });

  it('reads each file once: a file changed after the first load is not read again', () => {
    const dir = path.join(tmp, 'copy');
    cpSync(path.join(root, 'scenarios/validation'), dir, { recursive: true });
    const file = path.join(dir, 'mmc.yaml');
    writeFileSync(
      path.join(dir, 'station.yaml'),
      'pools: { server: 4 }\nstages:\n  - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 1 } }\n',
    );
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /app:\n(\s+pools:[^\n]*\n\s+stages:\n[^\n]*\n)/,
        'app: ./station.yaml\n',
      ),
    );
    const files = new Map<string, FileRead>();
    const first = loadScenarioReusingFiles(file, {}, files);
    expect(first.ok, JSON.stringify(!first.ok && first.issues)).toBe(true);
    writeFileSync(path.join(dir, 'station.yaml'), 'pools: { server: 2 }\nstages: []\n');
    writeFileSync(file, 'not: [a scenario');
    const again = loadScenarioReusingFiles(file, {}, files);
    expect(again).toEqual(first);
    expect(loadScenario(file).ok).toBe(false);
  });
});
