import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { MODELS_DIR } from '../../src/scenario/presets.js';
import { preparse, preparsedEntry, YamlSource } from '../../src/scenario/yaml-source.js';
import { FORWARDS_NOWHERE, shippedScenarios as shippedScenarioFiles } from '../support/start-up-path.js';

// The shipped presets are parsed when dist/ is built and handed to the one-verb bundles (the shipped-yaml
// start-up path, bin/start-up-paths.js): a source whose text was parsed ahead gives the same data, issues,
// positions and overrides as one parsed now. The registry of texts parsed ahead is per module instance, so
// every load below that must parse comes before preparse() is called.

const shippedScenarios = shippedScenarioFiles();
const presetFiles = readdirSync(MODELS_DIR).flatMap((kind) =>
  readdirSync(path.join(MODELS_DIR, kind))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(MODELS_DIR, kind, f)),
);

const forwardsNowhere = readFileSync(FORWARDS_NOWHERE, 'utf8');

const json = (x: unknown) => JSON.stringify(x);

describe('YAML parsed ahead (preparse)', () => {
  it('keeps only texts whose JSON gives back exactly the parsed data, without syntax issues', () => {
    const same = isDeepStrictEqual;
    expect(preparsedEntry('a: &x { b: [1, 2.5, "c"] }\nd: *x\ne: null\n', same)?.[1]).toBe(
      '{"a":{"b":[1,2.5,"c"]},"d":{"b":[1,2.5,"c"]},"e":null}',
    );
    expect(preparsedEntry('a: .inf\n', same)).toBeUndefined(); // JSON has no Infinity
    expect(preparsedEntry('a: .nan\n', same)).toBeUndefined();
    expect(preparsedEntry('a: -0\n', same)).toBeUndefined(); // JSON writes -0 as 0
    expect(preparsedEntry('a: 1\na: 2\n', same)).toBeUndefined(); // duplicate key: a syntax issue
    expect(preparsedEntry('a: [1, 2\n', same)).toBeUndefined();
  });

  it('every shipped preset is kept', () => {
    for (const f of presetFiles)
      expect(preparsedEntry(readFileSync(f, 'utf8'), isDeepStrictEqual), f).toBeDefined();
  });

  it('loads every shipped scenario, and locates an issue in a shipped preset, as before', () => {
    const before = shippedScenarios.map((f) => json(loadScenario(f)));
    const nowhere = loadScenario('nowhere.yaml', { text: forwardsNowhere });
    expect(nowhere.ok).toBe(false);
    expect(json(nowhere)).toMatch(/camera-prefilter\.yaml/);
    preparse(presetFiles.map((f) => preparsedEntry(readFileSync(f, 'utf8'), isDeepStrictEqual)!));
    expect(shippedScenarios.map((f) => json(loadScenario(f)))).toEqual(before);
    expect(json(loadScenario('nowhere.yaml', { text: forwardsNowhere }))).toBe(json(nowhere));
  });
  it('gives the same data, positions, issues and overrides as a text parsed now', () => {
    const text = readFileSync(path.join(MODELS_DIR, 'apps/plantnet-engine.yaml'), 'utf8');
    const parsedNow = YamlSource.foreign(text, 'plantnet-engine.yaml');
    const expected = {
      js: parsedNow.toJS(),
      syntax: parsedNow.syntaxIssues(),
      at: parsedNow.locate(['stages', 2, 'demand']),
      issue: parsedNow.issue('E2C_ERR_SCENARIO_INVALID_VALUE', ['stages', 1, 'pool'], 'x'),
    };
    preparse([preparsedEntry(text, isDeepStrictEqual)!]);
    const ahead = YamlSource.foreign(text, 'plantnet-engine.yaml');
    expect({
      js: ahead.toJS(),
      syntax: ahead.syntaxIssues(),
      at: ahead.locate(['stages', 2, 'demand']),
      issue: ahead.issue('E2C_ERR_SCENARIO_INVALID_VALUE', ['stages', 1, 'pool'], 'x'),
    }).toEqual(expected);
    // Each call gives its own copy, as a parse does.
    expect(ahead.toJS()).not.toBe(ahead.toJS());
    parsedNow.setIn(['pools', 'extract'], 9);
    ahead.setIn(['pools', 'extract'], 9);
    expect(json(ahead.toJS())).toBe(json(parsedNow.toJS()));
    expect(ahead.syntaxIssues()).toEqual(parsedNow.syntaxIssues());
  });
});
