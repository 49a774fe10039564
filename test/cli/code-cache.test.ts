import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheRuns } from '../../scripts/code-cache-runs.mjs';
import { repoRoot } from '../support/cli.js';

// bin/e2ctwin.js runs `validate`, `simulate` and the study verbs from their one-verb bundles with V8's code cache
// (dist/verbs/), and a study's worker threads from bin/study-worker.js with theirs; E2CTWIN_CODE_CACHE=0
// runs the verbs from dist/cli/main.js like every other verb and the workers from dist/explore/worker.js.
// Both paths must print the same bytes and exit alike.

/** A copy of bin/ and dist/ (the rest linked), so that its caches can be removed or spoiled. */
const copy = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-code-cache-'));
cpSync(path.join(repoRoot, 'bin'), path.join(copy, 'bin'), { recursive: true });
cpSync(path.join(repoRoot, 'dist'), path.join(copy, 'dist'), { recursive: true });
for (const f of ['models', 'scenarios', 'calibration', 'package.json', 'node_modules'])
  symlinkSync(path.join(repoRoot, f), path.join(copy, f));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function run(args: string[], cache: boolean) {
  const r = spawnSync(process.execPath, [path.join(copy, 'bin/e2ctwin.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', E2CTWIN_CODE_CACHE: cache ? '1' : '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const verbsDir = path.join(copy, 'dist/verbs');
const cacheOf = (verb: string) => {
  const name = readdirSync(verbsDir).find((n) => n.startsWith(`${verb}-`) && n.endsWith('.cache'));
  return name && path.join(verbsDir, name);
};

describe('one-verb bundles with the code cache', () => {
  it.each([
    ['validate --json', ['validate', 'scenarios/plantnet.yaml', '--json']],
    ['validate, a bad scenario', ['validate', 'test/fixtures/bad-scenarios/unknown-key-service.yaml']],
    [
      'validate, a bad override',
      ['validate', 'scenarios/plantnet.yaml', '--set', 'cloud.engine.pools.nope=3'],
    ],
    [
      'simulate --json',
      ['simulate', 'scenarios/validation/mmc.yaml', '-r', '2', '--json', '--set', 'run.requests=3000'],
    ],
    [
      'simulate, the summary table',
      ['simulate', 'scenarios/plantnet.yaml', '-r', '1', '--set', 'run.duration=400'],
    ],
    ['simulate, a usage error', ['simulate']],
    ['simulate --help', ['simulate', '--help']],
    ['sweep --help', ['sweep', '--help']],
    ['sensitivity --help', ['sensitivity', '--help']],
    ['optimize --help', ['optimize', '--help']],
    ['capacity --help', ['capacity', '--help']],
    [
      'sweep, a bad parameter',
      ['sweep', 'scenarios/validation/mmc.yaml', '-p', 'system.station.pools.nope=1..2'],
    ],
  ])(
    '%s: the same output and exit status as dist/cli/main.js',
    (_name, args) => {
      const plain = run(args, false);
      const cached = run(args, true);
      expect(cached).toEqual(plain);
    },
    120_000,
  );

  it('a missing cache is written after the run; a spoiled one is refused by V8 and replaced', () => {
    const args = ['validate', 'scenarios/validation/mmc.yaml', '--json'];
    const expected = run(args, false);
    const cache = cacheOf('validate');
    expect(cache).toBeDefined();
    rmSync(cache!);
    expect(run(args, true)).toEqual(expected);
    const written = readFileSync(cache!);
    expect(written.length).toBeGreaterThan(10_000);
    writeFileSync(cache!, Buffer.alloc(written.length, 7));
    expect(run(args, true)).toEqual(expected);
    expect(readFileSync(cache!).equals(Buffer.alloc(written.length, 7))).toBe(false);
  }, 120_000);

  it('a command that fails (exit 2) writes no cache: it compiled only part of the code, and an accepted cache is never written again', () => {
    const cache = cacheOf('validate')!;
    rmSync(cache);
    const bad = run(['validate', 'test/fixtures/bad-scenarios/unknown-key-service.yaml'], true);
    expect(bad.status).toBe(2);
    expect(cacheOf('validate')).toBeUndefined();
    expect(run(['validate', 'scenarios/plantnet.yaml'], true).status).toBe(0);
    expect(cacheOf('validate')).toBe(cache);
  }, 120_000);

  it('a sweep on 1 and on 2 worker threads: the same tables either way; the study worker writes its cache after a trial, and only on this path', () => {
    const sweep = (workers: string, cache: boolean) => {
      const out = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-code-cache-sweep-'));
      const r = run(
        [
          'sweep',
          'scenarios/validation/mmc.yaml',
          '-p',
          'system.station.pools.server=4..6',
          '-r',
          '2',
        ].concat(['--set', 'run.requests=3000', '--workers', workers, '--no-progress', '--out', out]),
        cache,
      );
      rmSync(out, { recursive: true, force: true });
      return { ...r, stderr: r.stderr.replaceAll(out, '<out>') };
    };
    const workerCache = () => cacheOf('study-worker');
    const built = workerCache();
    expect(built).toBeDefined(); // the build's own sweep wrote it
    for (const workers of ['1', '2']) {
      rmSync(built!);
      const plain = sweep(workers, false);
      expect(workerCache()).toBeUndefined();
      const cached = sweep(workers, true);
      expect(workerCache()).toBe(built);
      expect(plain.status).toBe(0);
      expect(plain.stdout).toContain('3 configurations × 2 replications');
      expect(cached).toEqual(plain);
    }
  }, 120_000);

  // The small studies the build runs to write their bundles' caches (scripts/code-cache-runs.mjs).
  const studies = (dir: string) =>
    codeCacheRuns(dir).filter((args) => ['sensitivity', 'optimize', 'capacity'].includes(args[0]!));
  it.each(studies('<out>').map((args) => args[0]!))(
    '%s, the small study the build runs: the same output either way',
    (verb) => {
      const study = (cache: boolean) => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-code-cache-study-'));
        const r = run(studies(dir).find((a) => a[0] === verb)!, cache);
        rmSync(dir, { recursive: true, force: true });
        return { ...r, stderr: r.stderr.replaceAll(dir, '<out>') };
      };
      const plain = study(false);
      expect(plain.status).toBe(0);
      expect(plain.stdout.length).toBeGreaterThan(100);
      expect(study(true)).toEqual(plain);
    },
    120_000,
  );
});
