import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './cli.js';

/**
 * `node [nodeFlags] bin/e2ctwin.js args` from the checkout's root with `env` added: how the tests of the
 * start-up paths (bin/start-up-paths.js) run the command with a path on and off.
 */
export function runBin(args: string[], env: Record<string, string>, nodeFlags: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeFlags, path.join(repoRoot, 'bin/e2ctwin.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every shipped scenario file (scenarios/ and scenarios/validation/), absolute. */
export function shippedScenarios(): string[] {
  const dir = path.join(repoRoot, 'scenarios');
  return [
    ...readdirSync(dir).filter((f) => f.endsWith('.yaml')),
    ...readdirSync(path.join(dir, 'validation'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `validation/${f}`),
  ].map((f) => path.join(dir, f));
}

/** A scenario whose only issue lies in a shipped preset (test/fixtures/scenarios/forwards-nowhere.yaml). */
export const FORWARDS_NOWHERE = path.join(repoRoot, 'test/fixtures/scenarios/forwards-nowhere.yaml');

/** Validations a start-up path must not change: a good scenario, --json, a bad scenario, a bad override. */
const VALIDATE_CASES: [string, string[]][] = [
  ['validate', ['validate', 'scenarios/plantnet.yaml']],
  ['validate --json', ['validate', 'scenarios/iot-camera-fog-cloud.yaml', '--json']],
  ['validate, a bad scenario', ['validate', 'test/fixtures/bad-scenarios/unknown-key-service.yaml']],
  ['validate, a bad override', ['validate', 'scenarios/plantnet.yaml', '--set', 'run.duration=abc']],
];

/** One test per {@link VALIDATE_CASES} case: the same output and exit status with the path on and off. */
export function itValidatesAlikeBothWays(run: (args: string[], on: boolean) => unknown): void {
  it.each(VALIDATE_CASES)(
    '%s: the same output and exit status with and without it',
    (_name, args) => {
      expect(run(args, true)).toEqual(run(args, false));
    },
    120_000,
  );
}
