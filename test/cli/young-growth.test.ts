import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

// bin/e2ctwin.js lets V8's young generation grow eightfold per step during `validate` (fewer scavenges);
// E2CTWIN_YOUNG_GROWTH=0 leaves V8's default. Both must print the same bytes and exit alike, and the
// switch must actually change how often the young generation is collected.

function run(args: string[], growth: boolean, traceGc = false) {
  const r = spawnSync(
    process.execPath,
    [...(traceGc ? ['--trace-gc'] : []), path.join(repoRoot, 'bin/e2ctwin.js'), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1', E2CTWIN_YOUNG_GROWTH: growth ? '1' : '0' },
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scavenges = (out: string) => out.split('\n').filter((l) => / Scavenge /.test(l)).length;

describe('young-generation growth during validate', () => {
  it.each([
    ['validate', ['validate', 'scenarios/plantnet.yaml']],
    ['validate --json', ['validate', 'scenarios/plantnet.yaml', '--json']],
    ['validate, a bad scenario', ['validate', 'test/fixtures/bad-scenarios/unknown-key-service.yaml']],
    ['validate, a bad override', ['validate', 'scenarios/plantnet.yaml', '--set', 'run.duration=abc']],
  ])(
    '%s: the same output and exit status with and without it',
    (_name, args) => {
      expect(run(args, true)).toEqual(run(args, false));
    },
    120_000,
  );

  it('collects the young generation fewer times', () => {
    const args = ['validate', 'scenarios/plantnet.yaml'];
    const off = scavenges(run(args, false, true).stdout);
    const on = scavenges(run(args, true, true).stdout);
    expect(off).toBeGreaterThan(0);
    expect(on).toBeLessThan(off);
  }, 120_000);
});
