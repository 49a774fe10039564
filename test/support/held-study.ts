import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CliProcess, exited, spawnCli } from './cli.js';
import { until } from './poll.js';

// A real study command started during a test and held still (SIGSTOP) at points of its search, so that
// what the API or the page shows of a running study is checked against what its coordinator wrote, however
// fast or loaded this machine is. Shared by the server's so-far tests and the browser's live-study tests.

/**
 * The result document so far in the progress.json of study folder `dir`, as its coordinator last wrote it
 * (undefined before it wrote one, once the study has finished, or while the file is being replaced).
 */
export function soFarIn<T = Record<string, unknown>>(dir: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8')).soFar;
  } catch {
    return undefined;
  }
}

/** How far a document so far says it is (`partial.done`: Morris trajectories, points, loads decided). */
export const partialDone = (dir: string): number =>
  soFarIn<{ partial?: { done?: number } }>(dir)?.partial?.done ?? 0;

const running = new Set<CliProcess>();

/** `e2ctwin <args>` (with `env` added), to hold still and let go; {@link stopHeldStudies} ends what is left. */
export class HeldStudy {
  readonly child: CliProcess;

  constructor(args: readonly string[], env: Record<string, string> = {}) {
    const child = spawnCli(args, env);
    running.add(child);
    child.once('exit', () => running.delete(child));
    this.child = child;
  }

  /**
   * `e2ctwin <args>` on one worker thread of this machine (a trial at a time: the study moves in steps a
   * test can hold between), without its progress bar, into study folder `out`.
   */
  static oneWorker(args: readonly string[], out: string): HeldStudy {
    return new HeldStudy([...args, '--workers', '1', '--no-progress', '--out', out]);
  }

  /**
   * Polls `check` (every 5 ms by default: the study moves on quickly) until it is truthy, then holds the
   * study still; resolves with `check`'s value.
   */
  async holdWhen<T>(
    what: string,
    check: () => T,
    o: { everyMs?: number; timeoutMs?: number } = {},
  ): Promise<NonNullable<T>> {
    const v = await until(what, check, { everyMs: 5, ...o });
    this.hold();
    return v;
  }

  /** Holds it still where it is (the process that runs the trials: SIGSTOP). */
  hold(): void {
    this.child.kill('SIGSTOP');
  }

  /** Lets it go on. */
  resume(): void {
    this.child.kill('SIGCONT');
  }

  /** Lets it run to its end; resolves with its exit code. */
  finish(): Promise<number | null> {
    this.resume();
    return exited(this.child);
  }

  /** What it printed on stderr so far. */
  err(): string {
    return this.child.err();
  }

  /** Ends it whatever state it is in (a test's `finally`): let go, SIGTERM, waited for. */
  async stop(): Promise<void> {
    this.resume();
    this.child.kill('SIGTERM');
    await exited(this.child);
  }
}

/** Kills the held studies still running (a file's afterAll: a failed test may leave one stopped). */
export function stopHeldStudies(): void {
  for (const c of running) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
}
