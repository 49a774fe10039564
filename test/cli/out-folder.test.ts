import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, runCliHere } from '../support/cli.js';

// Output options are checked before any work: a bad --out costs nothing and exits 2 naming the option;
// an existing run folder is replaced whole, never mixed with a previous run's files.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-out-folder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quick = ['--set', 'run.duration=200', '--set', 'run.warmup=20', '-r', '1'];
// Hours of simulated time at full load: if --out were checked after the run, these would not return soon.
const long = ['--set', 'run.duration=10000000', '--set', 'run.warmup=0', '-r', '1'];
const RUN_FILES = [
  'chrome-trace.json',
  'metrics.json',
  'run.json',
  'scenario.resolved.json',
  'series.json',
  'trace.jsonl',
];
const files = (dir: string) => readdirSync(dir).sort();

describe('simulate --out: refused before the simulation (exit 2, the option named, nothing written)', () => {
  it('/proc/x: at once, no simulation ran', async () => {
    const r = await runCliHere(['simulate', 'scenarios/plantnet.yaml', ...long, '--out', '/proc/x']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      'error: --out /proc/x: lies under /proc, a kernel file system, not a place for output (choose a folder on disk)  [E2C_ERR_RUNFOLDER_OUT_SPECIAL]\n',
    );
    expect(r.stdout).toBe(''); // no summary table: the simulation never ran
  });

  it('a regular file: refused, left as it was', async () => {
    const file = path.join(tmp, 'notes.txt');
    writeFileSync(file, 'my notes\n');
    const r = await runCliHere(['simulate', 'scenarios/plantnet.yaml', ...long, '--out', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--out ${file}: is a file, not a folder`);
    expect(r.stderr).toContain('[E2C_ERR_RUNFOLDER_OUT_NOT_FOLDER]');
    expect(readFileSync(file, 'utf8')).toBe('my notes\n');
    expect(r.stdout).toBe('');
  });

  it('an existing folder that is not a run folder: refused, its files untouched', async () => {
    const dir = path.join(tmp, 'documents');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'thesis.tex'), 'chapter 1');
    const r = await runCliHere(['simulate', 'scenarios/plantnet.yaml', ...long, '--out', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--out ${dir}: exists and is not a simulation run folder: it has no run.json`);
    expect(r.stderr).toContain('[E2C_ERR_RUNFOLDER_OUT_FOREIGN]');
    expect(files(dir)).toEqual(['thesis.tex']);
    expect(readFileSync(path.join(dir, 'thesis.tex'), 'utf8')).toBe('chapter 1');
  });

  it('a FIFO: refused without opening it (no hang)', () => {
    const fifo = path.join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = runCli(['simulate', 'scenarios/plantnet.yaml', ...long, '--out', fifo], { timeoutMs: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--out ${fifo}: is a FIFO, not a folder`);
  });
});

describe('simulate --out: an existing run folder is replaced whole', () => {
  it("a stale file of the previous run is gone; metrics.json is the new run's", async () => {
    const dir = path.join(tmp, 'run');
    expect(
      (await runCliHere(['simulate', 'scenarios/validation/mm1.yaml', ...quick, '--seed', '1', '--out', dir]))
        .status,
    ).toBe(0);
    expect(files(dir)).toEqual(RUN_FILES);
    const before = readFileSync(path.join(dir, 'metrics.json'), 'utf8');
    writeFileSync(path.join(dir, 'stale-from-old-run.txt'), 'old');
    const r = await runCliHere([
      'simulate',
      'scenarios/validation/mm1.yaml',
      ...quick,
      '--seed',
      '2',
      '--out',
      dir,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(files(dir)).toEqual(RUN_FILES);
    const after = readFileSync(path.join(dir, 'metrics.json'), 'utf8');
    expect(after).not.toBe(before);
    expect(JSON.parse(after).seed).toBe(2);
    expect(JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')).seed).toBe(2);
    expect(readdirSync(tmp).filter((e) => e.startsWith('.run.'))).toEqual([]); // no temporary sibling left
  });

  it('killed while it writes (SIGKILL as the new folder appears): the folder is the old run or the new one, never a mix; the next run tidies up', async () => {
    const parent = path.join(tmp, 'killed');
    mkdirSync(parent);
    const dir = path.join(parent, 'run');
    expect(runCli(['simulate', 'scenarios/plantnet.yaml', ...quick, '--out', dir]).status).toBe(0);
    writeFileSync(path.join(dir, 'stale.txt'), 'old');
    const oldMetrics = readFileSync(path.join(dir, 'metrics.json'), 'utf8');
    // A large span sample makes the write long enough for the kill to land during it, most of the time.
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, 'bin/e2ctwin.js'),
        'simulate',
        'scenarios/plantnet.yaml',
        ...quick,
        '--seed',
        '7',
        '--set',
        'run.spanSample=20000',
        '--out',
        dir,
      ],
      { cwd: repoRoot, stdio: 'ignore' },
    );
    const watcher = watch(parent, (_event, name) => {
      if (name?.startsWith('.run.e2ctwin-new-')) child.kill('SIGKILL');
    });
    await new Promise((resolve) => child.on('exit', resolve));
    watcher.close();
    const now = files(dir);
    if (now.includes('stale.txt')) {
      expect(now).toEqual([...RUN_FILES, 'stale.txt'].sort());
      expect(readFileSync(path.join(dir, 'metrics.json'), 'utf8')).toBe(oldMetrics);
    } else {
      expect(now).toEqual(RUN_FILES);
      expect(JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')).seed).toBe(7);
    }
    expect(runCli(['simulate', 'scenarios/validation/mm1.yaml', ...quick, '--out', dir]).status).toBe(0);
    expect(readdirSync(parent)).toEqual(['run']);
    expect(files(dir)).toEqual(RUN_FILES);
  });
});

describe('other output options are checked before work', () => {
  it('sweep --out: a folder that is not a study folder is refused before any trial', async () => {
    const dir = path.join(tmp, 'not-a-study');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'data.csv'), '1,2\n');
    const r = await runCliHere([
      'sweep',
      'scenarios/validation/mm1.yaml',
      '-p',
      'outside.source.workload.ratePerS=0.1..0.9:0.1',
      '--set',
      'run.requests=100000',
      '-w',
      '0',
      '--out',
      dir,
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--out ${dir}: exists and is not a study folder: it has no study.sqlite`);
    expect(files(dir)).toEqual(['data.csv']);
    const p = await runCliHere([
      'sweep',
      'scenarios/validation/mm1.yaml',
      '-p',
      'outside.source.workload.ratePerS=0.1..0.9:0.1',
      '--out',
      '/proc/study',
    ]);
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('[E2C_ERR_RUNFOLDER_OUT_SPECIAL]');
  });

  it('calibrate -o: a folder, a file calibrate did not write, or a kernel path are refused before fitting', async () => {
    const run = path.join(tmp, 'cal-run');
    expect(
      (
        await runCliHere([
          'simulate',
          'scenarios/validation/mm1.yaml',
          ...quick,
          '--set',
          'run.spanSample=200',
          '--out',
          run,
        ])
      ).status,
    ).toBe(0);
    const scenario = path.join(tmp, 'my-scenario.yaml');
    writeFileSync(scenario, 'name: mine\n');
    const foreign = await runCliHere(['calibrate', run, '-o', scenario]);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toContain(
      `--out ${scenario}: exists and is not a params file written by e2ctwin calibrate`,
    );
    expect(readFileSync(scenario, 'utf8')).toBe('name: mine\n');
    expect((await runCliHere(['calibrate', run, '-o', tmp])).stderr).toContain(
      '[E2C_ERR_RUNFOLDER_OUT_NOT_FILE]',
    );
    expect((await runCliHere(['calibrate', run, '-o', '/dev/full'])).stderr).toContain(
      '[E2C_ERR_RUNFOLDER_OUT_SPECIAL]',
    );
    // A params file calibrate wrote is replaced.
    const params = path.join(tmp, 'params.yaml');
    expect((await runCliHere(['calibrate', run, '-o', params, '--min-samples', '5'])).status).toBe(0);
    const again = await runCliHere(['calibrate', run, '-o', params, '--min-samples', '5']);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(params, 'utf8')).toMatch(/^# Written by `e2ctwin calibrate /);
  });

  it('validate-twin --out: a non-empty folder it did not write is refused before anything runs', async () => {
    const dir = path.join(tmp, 'photos');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.jpg'), 'x');
    const campaign = 'calibration/local-testbed';
    const r = await runCliHere([
      'validate-twin',
      'scenarios/local-testbed.yaml',
      '--calibration',
      `${campaign}/params.yaml`,
      '--configs',
      `${campaign}/held-out.yaml`,
      '--live-runs',
      `${campaign}/runs/held-out`,
      '--out',
      dir,
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `--out ${dir}: exists and is not a validation folder: it has neither validation.json nor runs/`,
    );
    expect(files(dir)).toEqual(['a.jpg']);
  });

  it('serve --runs under /proc: refused before listening', () => {
    const r = runCli(['serve', '--port', '0', '--runs', '/proc/runs'], { timeoutMs: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--runs /proc/runs: lies under /proc');
  });
});
