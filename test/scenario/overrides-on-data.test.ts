import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { settableOnData, settableOnPlainData } from '../../src/scenario/overrides-on-data.js';
import { plainYamlJson } from '../../src/scenario/plain-yaml.js';
import { setOverridesOnData, setPlainYaml } from '../../src/scenario/yaml-source.js';
import { repoRoot } from '../support/cli.js';
import { shippedScenarios } from '../support/start-up-path.js';

// Overrides are applied to the document's plain data where that gives what applying them to a copy of the
// document gives (src/scenario/overrides-on-data.ts), which spares a study's worker a copy of the document
// per configuration. Both paths must load every scenario, and report every issue, byte for byte alike.

afterEach(() => {
  setOverridesOnData(true);
  setPlainYaml(true);
});

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

  it.each(scenarios.map((f) => [path.relative(repoRoot, f), f]))(
    '%s: decided on the plain data (plain-yaml), the same result and issues as decided on the document',
    (_name, file) => {
      for (const overrides of overrideSets(file)) {
        setPlainYaml(false);
        const byDoc = load(file, overrides);
        setPlainYaml(true);
        expect(load(file, overrides), overrides.join(' ')).toBe(byDoc);
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

/** Every path into `data`, and beside each one paths that miss: absent keys, bad indices, keys of the wrong kind. */
function probePaths(data: unknown, at: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  out.push(at, [...at, 'absent'], [...at, 0], [...at, -1], [...at, 1.5], [...at, 'absent', 'deeper']);
  if (Array.isArray(data)) {
    out.push([...at, data.length], [...at, '0']);
    data.forEach((v, i) => probePaths(v, [...at, i], out));
  } else if (typeof data === 'object' && data !== null) {
    out.push([...at, 'constructor'], [...at, 'toString', 'x']);
    for (const [k, v] of Object.entries(data)) probePaths(v, [...at, k], out);
  } else {
    out.push([...at, 'below'], [...at, 0, 'below']);
  }
  return out;
}

describe('settableOnPlainData: the decision on a plain text data', () => {
  const files = ['scenarios', 'models', 'calibration', 'test/fixtures'].flatMap((d) =>
    readdirSync(path.join(repoRoot, d), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => path.join(e.parentPath, e.name)),
  );

  it('answers as settableOnData does on the document, for every path of every plain YAML file', () => {
    let files_ = 0;
    let paths = 0;
    const answers = new Set<boolean>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const json = plainYamlJson(text);
      if (json === undefined) continue;
      files_++;
      const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
      const data: unknown = JSON.parse(json);
      // Large files (traces, long lists) are probed through their first 2,000 paths.
      const probes = probePaths(data).slice(0, 2000);
      for (const [n, p] of probes.entries()) {
        // With no earlier override, one that is a prefix of this path, and one beside it.
        const earliers: PropertyKey[][][] = [
          [],
          [p.slice(0, Math.max(1, p.length - 1))],
          [probes[(n * 7) % probes.length]!],
        ];
        for (const earlier of earliers) {
          paths++;
          const onData = settableOnPlainData(data, p, earlier);
          answers.add(onData);
          expect(onData, `${f} ${JSON.stringify(p)} after ${JSON.stringify(earlier)}`).toBe(
            settableOnData(doc, p, earlier),
          );
        }
      }
    }
    expect(files_).toBeGreaterThan(100);
    expect(paths).toBeGreaterThan(10_000);
    expect([...answers].sort()).toEqual([false, true]);
  }, 120_000);
});
