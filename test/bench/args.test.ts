import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { benchArgs, SECTIONS } from '../../bench/args.js';

describe('the benchmark arguments', () => {
  it('--help prints the usage with every section and runs nothing', () => {
    const r = benchArgs(['--help']);
    expect(r).toMatchObject({ exit: 0 });
    for (const s of SECTIONS) expect((r as { text: string }).text).toContain(s);
  });

  it('an unknown flag or section is an error (exit 2), not a full run', () => {
    expect(benchArgs(['--quik'])).toMatchObject({ exit: 2, text: expect.stringContaining('"--quik"') });
    expect(benchArgs(['--only=kernal'])).toMatchObject({
      exit: 2,
      text: expect.stringContaining('--only=kernal'),
    });
    expect(benchArgs(['--explore=all'])).toMatchObject({ exit: 2 });
  });

  it('parses the sections and sizes it knows', () => {
    expect(benchArgs([])).toEqual({ quick: false });
    expect(benchArgs(['--only=startup', '--quick'])).toEqual({ quick: true, only: 'startup' });
    expect(benchArgs(['--only=models', '--against=HEAD~1'])).toEqual({ quick: false, only: 'models' });
  });

  it('bench/run.ts --help exits 0 at once, before any section prints', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--help'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--only=<section>');
    expect(r.stdout).not.toContain('## ');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only=nope'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown section');
  }, 60_000);
});
