import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { setOverridesOnData } from '../../src/scenario/yaml-source.js';
import { repoRoot } from '../support/cli.js';
import { shippedScenarios } from '../support/start-up-path.js';

// Overrides are applied to the document's plain data where that gives what applying them to a copy of the
// document gives (src/scenario/overrides-on-data.ts), which spares a study's worker a copy of the document
// per configuration. Both paths must load every scenario, and report every issue, byte for byte alike.

afterEach(() => setOverridesOnData(true));

const scenarios = shippedScenarios();

/** Overrides of every kind: fields that exist or not, maps replaced, then changed, bad values, bad paths. */
function overrideSets(file: string): string[][] {
  const r = loadScenario(file);
  if (!r.ok) throw new Error(`${file} does not load`);
  const sc = r.scenario;
  const svc = sc.services[0]!;
  const at = `${svc.layer}.${svc.name}`;
  const explore = Object.entries(sc.explore?.params ?? {}).map(
    ([k, v]) => `${k}=${'values' in v ? JSON.stringify(v.values[0]) : v.min}`,
  );
  return [
    explore,
    ['run.duration=500', 'run.replications=2', 'seed=7'],
    ['run.warmup=1', 'run.warmup=2'],
    ['run={duration: 5}', 'run.warmup=1'], // the second goes through a value the first replaced
    ['run.warmup=1', 'run={duration: 9}'],
    ['run.nope=1'],
    ['run.duration=-3'],
    [`${at}.quantity=0`],
    [`${at}.quantity=3`, `${at}.description=changed`],
    [`${at}.live.health.path=/x`], // may create maps on the way
    [`${at}.pools.nope=3`],
    [`${at}.host={cpu: {cores: 2}}`],
    [`${at}.workload.thinkTime={dist: exponential, mean: 3}`],
    ['layers=[]'],
    ['nope.nope.nope=1'],
    ['name=renamed', 'expect={responseTime.mean: 1}'],
  ];
}

const load = (file: string, overrides: string[], text?: string) =>
  JSON.stringify(loadScenario(file, { overrides, ...(text !== undefined ? { text } : {}) }));

describe('overrides applied to the data', () => {
  it.each(scenarios.map((f) => [path.relative(repoRoot, f), f]))(
    '%s: the same result and issues as on a copy of the document',
    (_name, file) => {
      for (const overrides of overrideSets(file)) {
        setOverridesOnData(false);
        const onDoc = load(file, overrides);
        setOverridesOnData(true);
        expect(load(file, overrides), overrides.join(' ')).toBe(onDoc);
      }
    },
    60_000,
  );

  it('issues of a bad scenario outside the overrides are located alike', () => {
    const dir = path.join(repoRoot, 'test/fixtures/bad-scenarios');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
      for (const overrides of [['seed=2'], ['run.duration=500', 'name=x'], ['run.warmup=1']]) {
        setOverridesOnData(false);
        const onDoc = load(path.join(dir, f), overrides);
        setOverridesOnData(true);
        expect(load(path.join(dir, f), overrides), `${f} ${overrides.join(' ')}`).toBe(onDoc);
      }
    }
  }, 60_000);

  it('a document with aliases, and keys that are not strings, take the copy', () => {
    const text = [
      'name: aliased',
      'run: &run { duration: 100 }',
      'x: *run',
      '1: one',
      'layers:',
      '  - name: cloud',
      '    services: [{ name: s, host: cpu-server, app: nginx-static }]',
      '',
    ].join('\n');
    for (const overrides of [['run.duration=5'], ['name=b'], ['run.warmup=2']]) {
      setOverridesOnData(false);
      const onDoc = load('aliased.yaml', overrides, text);
      setOverridesOnData(true);
      expect(load('aliased.yaml', overrides, text)).toBe(onDoc);
    }
  });
});
