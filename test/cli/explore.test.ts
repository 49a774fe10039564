import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, runCliHere, spawnCli, trialsIn } from '../support/cli.js';

const out = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-explore-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const short = ['--set', 'run.duration=200', '--set', 'run.warmup=50'];
const pools = (s: string) => `cloud.engine.pools.${s}`;

/** Starts the command, sends `signal` once the store holds at least `after` trials, resolves with its status and stderr. */
async function interrupt(
  args: string[],
  dir: string,
  after: number,
  signal: NodeJS.Signals,
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawnCli(args);
  const timer = setInterval(() => {
    if (trialsIn(dir) >= after) {
      clearInterval(timer);
      child.kill(signal);
    }
  }, 20);
  const status = await exited(child);
  clearInterval(timer);
  return { status, signal: child.signalCode, stderr: child.err() };
}

describe('e2ctwin sweep / sensitivity / optimize / capacity', () => {
  it('each verb documents its options and examples in --help', async () => {
    const expectations: Record<string, string[]> = {
      sweep: [
        '--design',
        '--points',
        '--param',
        '--workers',
        '--replications',
        '--seeds',
        '--out',
        '--fresh',
        'Examples:',
      ],
      sensitivity: ['--method', 'morris', 'sobol', '--trajectories', '--samples', '--at', 'Examples:'],
      optimize: [
        '--algorithm',
        'tpe',
        'gp',
        'asha',
        'nsga2',
        '--budget',
        '--constraint',
        '--objective',
        '--fidelity',
        '--batch',
        'Examples:',
      ],
      capacity: ['--slo', '--load', '--range', '--config', '--max-replications', 'Examples:'],
    };
    for (const [verb, words] of Object.entries(expectations)) {
      const h = await runCliHere([verb, '--help']);
      expect(h.status, verb).toBe(0);
      for (const w of words) expect(h.stdout, `${verb} ${w}`).toContain(w);
      // The queue backend and where its secrets come from (never the command line).
      for (const w of ['--backend', 'rediss://', 'E2C_REDIS_PASSWORD', 'E2C_REDIS_CA'])
        expect(h.stdout, `${verb} ${w}`).toContain(w);
    }
    const w = await runCliHere(['worker', '--help']);
    for (const word of ['rediss://', 'E2C_REDIS_PASSWORD', 'E2C_REDIS_CA'])
      expect(w.stdout, word).toContain(word);
  });

  it('sweep prints a table with CIs and writes results.csv and results.json', async () => {
    const dir = path.join(out, 'sweep');
    const r = await runCliHere([
      'sweep',
      'scenarios/plantnet.yaml',
      ...short,
      '-p',
      `${pools('extract')}=3..5`,
      '-r',
      '2',
      '-w',
      '0',
      '--out',
      dir,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/grid sweep of 3 configurations × 2 replications/);
    expect(r.stdout).toMatch(
      /extract\s+responseTime\.mean\s+responseTime\.p95\s+throughput\s+gpuMemoryPeakGiB/,
    );
    expect(r.stdout).toMatch(/\n5\s+\d+\.\d+ ± \d/);
    expect(r.stderr).toMatch(/6 trials simulated, 0 resumed from the store/);
    const json = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
    expect(json.results.map((x: { config: { extract: number } }) => x.config.extract)).toEqual([3, 4, 5]);
    expect(json.results[2].mean.gpuMemoryPeakGiB).toBe(19.5);
    expect(json.results[0].mean['responseTime.mean']).toBeGreaterThan(
      json.results[2].mean['responseTime.mean'],
    );
    const csv = readFileSync(path.join(dir, 'results.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/^extract,seed,replications,responseTime\.mean,/);
    expect(csv).toHaveLength(5);
  });

  it('an interrupted sweep (Ctrl-C, then a crash) resumes without redoing finished trials and ends byte-identical to an uninterrupted one', async () => {
    const args = (dir: string, workers: string) => [
      'sweep',
      'scenarios/plantnet.yaml',
      '--set',
      'run.duration=300',
      '--set',
      'run.warmup=50',
      '-p',
      `${pools('extract')}=2..5`,
      '-p',
      `${pools('http')}=20,40`,
      '-r',
      '2',
      '-w',
      workers,
      '--out',
      dir,
    ];
    const dir = path.join(out, 'interrupted');
    const first = await interrupt(args(dir, '2'), dir, 5, 'SIGINT');
    expect(first.status).toBe(130);
    expect(first.stderr).toMatch(
      /interrupted: \d+ finished trials saved in .*study\.sqlite; run the same command again to resume/,
    );
    const saved = trialsIn(dir);
    expect(saved).toBeGreaterThanOrEqual(5);
    const second = await interrupt(args(dir, '2'), dir, saved + 3, 'SIGKILL');
    expect(second.signal).toBe('SIGKILL');
    const kept = trialsIn(dir);
    expect(kept).toBeGreaterThanOrEqual(saved + 3);
    expect(kept).toBeLessThan(16);
    const last = await runCliHere(args(dir, '2'));
    expect(last.status, last.stderr).toBe(0);
    expect(last.stderr).toContain(`resuming: ${kept} finished trials`);
    expect(last.stderr).toContain(`${16 - kept} trials simulated, ${kept} resumed from the store`);
    const ref = path.join(out, 'uninterrupted');
    expect((await runCliHere(args(ref, '0'))).status).toBe(0);
    expect(readFileSync(path.join(dir, 'results.json'), 'utf8')).toBe(
      readFileSync(path.join(ref, 'results.json'), 'utf8'),
    );
    expect(readFileSync(path.join(dir, 'results.csv'), 'utf8')).toBe(
      readFileSync(path.join(ref, 'results.csv'), 'utf8'),
    );
  });

  it('bad input exits 2 with one clear line: a bad --param, an unknown metric, a bad constraint, a bad scenario, a bad option', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['sweep', 'scenarios/plantnet.yaml', '-p', 'extract'],
        /not of the form path=lo\.\.hi.*E2C_ERR_EXPLORE_BAD_PARAM/,
      ],
      [['sweep', 'scenarios/plantnet.yaml', '-p', 'cloud.engine.pools.extrct=1..3'], /extrct/],
      [
        [
          'sweep',
          'scenarios/plantnet.yaml',
          ...short,
          '-p',
          `${pools('extract')}=3`,
          '-m',
          'responseTime.meen',
          '-w',
          '0',
          '--out',
          path.join(out, 'bad-metric'),
        ],
        /unknown metric "responseTime\.meen" \(did you mean "responseTime\.mean"\?\)/,
      ],
      [
        [
          'optimize',
          'scenarios/plantnet.yaml',
          '-c',
          'gpuMemoryPeakGiB about 32',
          '--out',
          path.join(out, 'bad-constraint'),
        ],
        /E2C_ERR_EXPLORE_BAD_CONSTRAINT/,
      ],
      [['sweep', 'test/fixtures/bad-scenarios/dangling-target.yaml', '-p', 'x=1..2'], /problem/],
      [['optimize', 'scenarios/plantnet.yaml', '--algorithm', 'bayes'], /Allowed choices are/],
      [
        [
          'sensitivity',
          'scenarios/plantnet.yaml',
          '--method',
          'sobol',
          '-n',
          '100',
          '--out',
          path.join(out, 'bad-n'),
        ],
        /power of 2/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCliHere(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('optimize is reproducible by seed and reports the best configuration with a CI, the Pareto front and the convergence', async () => {
    const args = (dir: string) => [
      'optimize',
      'scenarios/plantnet.yaml',
      ...short,
      '-p',
      `${pools('extract')}=2..9`,
      '-p',
      `${pools('http')}=10..40:10`,
      '-a',
      'nsga2',
      '-b',
      '16',
      '--objective',
      'responseTime.mean',
      '--objective',
      'gpuMemoryPeakGiB',
      '-r',
      '1',
      '--confirm',
      '2',
      '--confirm-replications',
      '3',
      '--out',
      dir,
    ];
    const a = await runCliHere(args(path.join(out, 'opt-a')));
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/best configuration — confirmed with 3 replications/);
    expect(a.stdout).toMatch(/responseTime\.mean\s+\d+\.\d+ ± \d/);
    expect(a.stdout).toMatch(/Pareto front \(\d+ points/);
    expect(a.stdout).toMatch(/convergence/);
    const b = await runCliHere([...args(path.join(out, 'opt-b')), '-w', '0']);
    const ra = readFileSync(path.join(out, 'opt-a', 'result.json'), 'utf8');
    expect(readFileSync(path.join(out, 'opt-b', 'result.json'), 'utf8')).toBe(ra);
    // Everything but the runner's name in the header line is the same.
    expect(b.stdout.split('\n').slice(1).join('\n')).toBe(a.stdout.split('\n').slice(1).join('\n'));
    const result = JSON.parse(ra);
    expect(result.best.config.extract).toBeLessThanOrEqual(8);
    expect(result.pareto.length).toBeGreaterThan(1);
    expect(result.history).toHaveLength(16);
    expect(readFileSync(path.join(out, 'opt-a', 'history.csv'), 'utf8').split('\n')[0]).toMatch(
      /^evaluation,extract,http,fidelity,responseTime\.mean,gpuMemoryPeakGiB,violation/,
    );
  });

  it('sensitivity prints Sobol first-order and total indices with CIs', async () => {
    const r = await runCliHere([
      'sensitivity',
      'scenarios/plantnet.yaml',
      ...short,
      '--method',
      'sobol',
      '-n',
      '8',
      '-p',
      `${pools('extract')}=2..8`,
      '-p',
      `${pools('simsearch')}=10..60:10`,
      '-w',
      '0',
      '--out',
      path.join(out, 'sobol'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Sobol indices of responseTime\.mean/);
    expect(r.stdout).toMatch(/cloud\.engine\.pools\.extract\s+-?\d\.\d+\s+± [\d.]+\s+-?\d\.\d+\s+± [\d.]+/);
    expect(r.stdout).toMatch(/32 points \(N = 8 × \(k \+ 2\) = 4\)(, \d+ distinct configurations)?;/);
  });

  it('capacity answers how many users a configuration serves under a p95 threshold, and how many more another serves', async () => {
    const r = await runCliHere([
      'capacity',
      'scenarios/plantnet.yaml',
      ...short,
      '--slo',
      'responseTime.p95 <= 6',
      '--range',
      '50..200',
      '-r',
      '2',
      '--max-replications',
      '4',
      '--config',
      'extract4:cloud.engine.pools.extract=4',
      '--config',
      'extract6:cloud.engine.pools.extract=6',
      '-w',
      '0',
      '--out',
      path.join(out, 'capacity'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/capacity under responseTime\.p95 <= 6, varying edge\.users\.quantity/);
    const row = (label: string) => new RegExp(`^${label}\\s+(\\d+)\\s+(\\d+)`, 'm').exec(r.stdout);
    const four = row('extract4'),
      six = row('extract6');
    expect(four && six).toBeTruthy();
    expect(Number(six![1])).toBeGreaterThan(Number(four![1]));
    expect(Number(four![2])).toBeGreaterThan(Number(four![1]));
    expect(r.stdout).toMatch(/extract6 .*\+\d+ \(\d/);
  });
});
