import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

// bin/e2ctwin.js hands the presets of models/, parsed when dist/ was built, to the one-verb bundles
// (the shipped-yaml start-up path); E2CTWIN_SHIPPED_YAML=0 parses them on every run. Both must print the
// same bytes and exit alike, also when an issue is located in a shipped preset.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-shipped-yaml-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Its only problem is in models/apps/camera-prefilter.yaml, which forwards to a cloud.detector it lacks.
const nowhere = path.join(tmp, 'nowhere.yaml');
writeFileSync(
  nowhere,
  [
    'name: nowhere',
    'run: { duration: 100 }',
    'layers:',
    '  - name: fog',
    '    services:',
    '      - { name: gw, host: fog-gateway, app: camera-prefilter }',
    '  - name: edge',
    '    services:',
    '      - { name: cams, quantity: 2, workload: { kind: open, target: fog.gw, ratePerS: 1 } }',
    'network:',
    '  - { src: edge, dst: fog, class: lan }',
    '',
  ].join('\n'),
);

function run(args: string[], shipped: boolean) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', E2CTWIN_SHIPPED_YAML: shipped ? '1' : '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

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
