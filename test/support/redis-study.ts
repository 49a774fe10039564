// What the Redis backend's end-to-end tests share (test/explore/backend-redis*.test.ts): the studies they run,
// their result files, and the e2ctwin processes they start (stopped by PID when a file's tests end).
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type CliProcess, exited, spawnCli } from './cli.js';
import { until } from './poll.js';

/** 8 configurations × 8 replications = 64 trials of about 0.1–0.3 s each. */
export const study = [
  'sweep',
  'scenarios/plantnet.yaml',
  '-p',
  'cloud.engine.pools.extract=1..8',
  '-r',
  '8',
  '--set',
  'run.duration=400',
  '--set',
  'run.warmup=50',
  '--no-progress',
];
/** 2 configurations × 2 replications: the studies that check a connection rather than the queue's work. */
export const small = [
  study[0]!,
  study[1]!,
  '-p',
  'cloud.engine.pools.extract=1..2',
  '-r',
  '2',
  ...study.slice(6),
];

/** A study folder's result files, as text. */
export const results = (dir: string) => ({
  csv: readFileSync(path.join(dir, 'results.csv'), 'utf8'),
  json: readFileSync(path.join(dir, 'results.json'), 'utf8'),
});

/** The files under `dir` whose bytes hold `secret`. */
export function filesHolding(dir: string, secret: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => {
    const p = path.join(dir, f);
    return statSync(p).isFile() && readFileSync(p).includes(secret);
  });
}

/** The e2ctwin processes a test file started, with a short queue lock (a killed worker's trial is taken again after 2 s). */
export class StudyProcesses {
  readonly #children = new Set<ChildProcess>();

  start(args: string[], env: Record<string, string> = {}): CliProcess {
    const child = spawnCli(args, { E2C_QUEUE_LOCK_MS: '2000', ...env });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Starts `n` workers of one trial each and waits until each says it takes trials. */
  async workers(n: number, url: string, env: Record<string, string> = {}): Promise<CliProcess[]> {
    const ws = Array.from({ length: n }, () =>
      this.start(['worker', '--backend', url, '--concurrency', '1'], env),
    );
    await until('the workers are taking trials', () => ws.every((w) => w.err().includes('taking trials')));
    return ws;
  }

  /** Stops workers (SIGTERM) and waits until they have exited. */
  async stop(ws: ChildProcess[]): Promise<void> {
    for (const w of ws) if (w.exitCode === null) w.kill('SIGTERM');
    await Promise.all(ws.map(exited));
  }

  /** Kills (SIGKILL, by PID) whatever is still running. */
  killAll(): void {
    for (const c of this.#children) c.kill('SIGKILL');
  }
}
