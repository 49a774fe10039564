import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { FORWARDS_NOWHERE, runBin } from '../support/start-up-path.js';

// bin/e2ctwin.js hands the presets of models/, parsed when dist/ was built, to the one-verb bundles
// (the shipped-yaml start-up path); E2CTWIN_SHIPPED_YAML=0 parses them on every run. Both must print the
// same bytes and exit alike, also when an issue is located in a shipped preset.

const nowhere = FORWARDS_NOWHERE;
const run = (args: string[], shipped: boolean) => runBin(args, { E2CTWIN_SHIPPED_YAML: shipped ? '1' : '0' });

describe('presets parsed at build time', () => {
  it('the build parsed every shipped preset', () => {
    const entries = JSON.parse(readFileSync(path.join(repoRoot, 'dist/verbs/shipped-yaml.json'), 'utf8')) as [
      string,
      string,
    ][];
    const texts = new Set(entries.map(([text]) => text));
    const models = path.join(repoRoot, 'models');
    for (const kind of readdirSync(models))
      for (const f of readdirSync(path.join(models, kind)))
        expect(texts.has(readFileSync(path.join(models, kind, f), 'utf8')), `${kind}/${f}`).toBe(true);
  });

  it.each([
    ['validate', ['validate', 'scenarios/plantnet.yaml']],
    ['validate --json', ['validate', 'scenarios/iot-camera-fog-cloud.yaml', '--json']],
    ['validate, an issue in a shipped preset', ['validate', nowhere]],
    ['validate --json, an issue in a shipped preset', ['validate', nowhere, '--json']],
    ['validate, a bad override', ['validate', 'scenarios/plantnet.yaml', '--set', 'cloud.engine.app=nope']],
    [
      'simulate --json',
      ['simulate', 'scenarios/plantnet.yaml', '-r', '1', '--json', '--set', 'run.duration=400'],
    ],
  ])(
    '%s: the same output and exit status with and without it',
    (_name, args) => {
      const plain = run(args, false);
      expect(run(args, true)).toEqual(plain);
    },
    120_000,
  );

  it('an issue in a shipped preset is located in it', () => {
    const r = run(['validate', nowhere], true);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/models\/apps\/camera-prefilter\.yaml:\d+:\d+/);
  }, 120_000);
});
