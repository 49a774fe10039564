import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadScenario } from '../../src/scenario/index.js';
import { plainYamlJson } from '../../src/scenario/plain-yaml.js';
import { setPlainYaml } from '../../src/scenario/yaml-source.js';
import { repoRoot } from '../support/cli.js';
import { shippedScenarios } from '../support/start-up-path.js';

// src/scenario/plain-yaml.ts reads a subset of YAML without the yaml package. For every text it accepts,
// the yaml package must report no error and give exactly the same data (the plain-yaml shortcut's
// invariant); what it refuses is parsed by the yaml package as before.

/** What the yaml package gives, as YamlSource reads it (unique keys, the alias guard): data or 'error'. */
function byYamlPackage(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return 'error';
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch {
    return 'error';
  }
}

/** Accepted texts: the same data as the yaml package's, and JSON that gives them back. */
function expectSameWhereAccepted(text: string, what: string): boolean {
  const json = plainYamlJson(text);
  if (json === undefined) return false;
  const data = byYamlPackage(text);
  expect(data, what).not.toBe('error');
  expect(JSON.stringify(data), what).toBe(json);
  expect(isDeepStrictEqual(JSON.parse(json), data), what).toBe(true);
  return true;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

const shippedDirs = ['scenarios', 'models', 'calibration'].map((d) => path.join(repoRoot, d));
const shipped = shippedDirs.flatMap(yamlFiles);
const everyFile = [...shipped, ...yamlFiles(path.join(repoRoot, 'test/fixtures'))];

describe('plain YAML: the subset read without the yaml package', () => {
  it('gives the yaml package data for every YAML file of the repository it accepts', () => {
    let accepted = 0;
    for (const f of everyFile) if (expectSameWhereAccepted(readFileSync(f, 'utf8'), f)) accepted++;
    expect(accepted).toBeGreaterThan(100);
  });

  it('accepts every shipped scenario and preset (the path validate takes)', () => {
    // calibration/local-testbed/params.yaml has multi-line quoted strings, outside the subset.
    const refused = shipped.filter((f) => plainYamlJson(readFileSync(f, 'utf8')) === undefined);
    expect(refused.map((f) => path.relative(repoRoot, f))).toEqual(['calibration/local-testbed/params.yaml']);
  });

  it('gives the yaml package data, or refuses, on mutations of the shipped files', () => {
    // A fixed generator: the same mutations every run (a failure names the mutation's number).
    let state = 12345;
    const rnd = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const pieces = [' ', '  ', '\n', ':', '- ', '#', '"', "'", '{', '}', '[', ']', ',', '>', '|', '-', 'a'];
    pieces.push('0', '.', '~', '&x ', '*x', '!', '\n  ', '\n- ', 'null', 'true', '1e3', '-0', ' #c', ': ');
    pieces.push('x: 1', '|-', '>-', '\n\n', '   \n', '\\', '\t', '---', '? ', 'True', '0x1F', '.inf');
    pieces.push('\u00a0', '\u3000', '\r\n', ' \n');
    const texts = shipped.map((f) => readFileSync(f, 'utf8'));
    let accepted = 0;
    const n = 6000;
    for (let m = 0; m < n; m++) {
      let t = pick(texts);
      for (let e = 1 + Math.floor(rnd() * 3); e > 0; e--) {
        const at = Math.floor(rnd() * (t.length + 1));
        const op = rnd();
        if (op < 0.1)
          t = t.slice(0, at); // the text ends there
        else if (op < 0.5) t = t.slice(0, at) + pick(pieces) + t.slice(at);
        else if (op < 0.8) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 3));
        else {
          const lines = t.split('\n');
          lines.splice(Math.floor(rnd() * lines.length), 0, pick(lines));
          t = lines.join('\n');
        }
      }
      if (expectSameWhereAccepted(t, `mutation ${m}`)) accepted++;
    }
    // Enough of them accepted for the comparison to mean something, and not all.
    expect(accepted).toBeGreaterThan(n / 5);
    expect(accepted).toBeLessThan(n);
  }, 120_000);

  it.each([
    ['block mappings and sequences', 'a:\n  b: 1\n  c:\n    - x\n    - y: 2\n      z: [1, "q"]\nd: e\n'],
    ['a sequence at its key’s indentation', 'a:\n- 1\n- k: v\n  w: 2\nb: c\n'],
    ['an empty value', 'a:\nb: ~\nc: null\nd:\n  # nothing\ne: 1\n'],
    ['items holding blocks', '-\n  a: 1\n-\n- [3, 4]\n-\n  - 5\n'],
    [
      'folded and literal scalars',
      'a: >\n  one\n  two\nb: |\n  x\n  y\nc: >-\n  z\n  w\n\nd: |-\n  # kept\n',
    ],
    ['a folded scalar at the end without a line break', 'a: >\n  one\n  two'],
    ['a plain scalar over several lines', 'a: one two\n  three\n   four\nb:\n  - five\n    six\n'],
    [
      'scalars of the core schema',
      'a: [1, -2, +3, 1.5, .5, 2., 1e3, -1E-2, 007, true, False, TRUE, ~, x1, 1_0]\n',
    ],
    ['quoted scalars and comments', "a: 'it''s' # c\nb: \"x # y\"   \nc: a#b\nd: { e: 'f, g', h: \"i\" }\n"],
    [
      'plain scalars with indicators inside',
      'a: http://x/y?z=1\nb: -c\nc: e2ctwin drive --target {{ a.b }}\n',
    ],
    ['empty flow collections', 'a: {}\nb: []\nc: { d: [], e: {} }\n'],
  ])('reads %s as the yaml package does', (_what, text) => {
    expect(expectSameWhereAccepted(text, text)).toBe(true);
  });

  it.each([
    ['a tab', 'a:\t1\n'],
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a duplicate key in a flow mapping', 'a: { b: 1, b: 2 }\n'],
    ['keys the core schema resolves', 'true: 1\n'],
    ['-0, which JSON writes as 0', 'a: -0\n'],
    ['infinities and NaN', 'a: .inf\n'],
    ['hexadecimal and octal integers', 'a: 0x1F\n'],
    ['a document marker', '---\na: 1\n'],
    ['a flow collection over several lines', 'a: { b: 1,\n  c: 2 }\n'],
    ['a quoted scalar over several lines', 'a: "b\n  c"\n'],
    ['an escape in double quotes', 'a: "b\\n"\n'],
    ['a blank line in a block scalar', 'a: |\n  x\n\n  y\n'],
    ['a more indented line in a block scalar', 'a: >\n  x\n    y\n'],
    ['a keep-chomping block scalar', 'a: |+\n  x\n'],
    ['a mapping in a compact mapping', 'a: b: c\n'],
    ['a key that is not a plain name', '"a": 1\n'],
    ['an empty document', '# nothing\n'],
    ['an indented root', '  a: 1\n'],
    ['a __proto__ key', '__proto__: 1\n'],
  ])('refuses %s (the yaml package reads it)', (_what, text) => {
    expect(plainYamlJson(text)).toBeUndefined();
  });

  it('loads every shipped scenario to the same result with and without it', () => {
    for (const f of shippedScenarios()) {
      setPlainYaml(false);
      const before = loadScenario(f);
      setPlainYaml(true);
      const after = loadScenario(f);
      expect(JSON.stringify(after), f).toBe(JSON.stringify(before));
    }
  });

  it.each([
    [['run.duration=400', 'cloud.engine.pools.http=12']],
    [['edge.users.workload.thinkTime.mean=9', 'run.newField=1']],
    [['run.duration=abc']],
    [['cloud.engine.app=nope']],
    [['layers=[]']],
  ])('applies the overrides %j alike with and without it', (overrides) => {
    const f = path.join(repoRoot, 'scenarios/plantnet.yaml');
    setPlainYaml(false);
    const before = loadScenario(f, { overrides });
    setPlainYaml(true);
    const after = loadScenario(f, { overrides });
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
  });

  it('locates an issue in a text it read the same as in a text the yaml package parsed', () => {
    const bad = path.join(repoRoot, 'test/fixtures/bad-scenarios');
    let read = 0;
    for (const f of yamlFiles(bad)) {
      if (plainYamlJson(readFileSync(f, 'utf8')) !== undefined) read++;
      setPlainYaml(false);
      const before = loadScenario(f);
      setPlainYaml(true);
      const after = loadScenario(f);
      expect(JSON.stringify(after), f).toBe(JSON.stringify(before));
    }
    expect(read).toBeGreaterThan(10);
  });
});
