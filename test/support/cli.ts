import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pathToFileURL } from 'node:url';

export const repoRoot = path.join(import.meta.dirname, '../..');

/** Runs the e2ctwin command as a user would (from the repo root) and returns its status and output. */
export function runCli(args: string[], options: { cwd?: string; input?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `e2ctwin simulate <args> --no-progress --out <runsDir>/<id>`: a run folder for a test (throws with the
 * command's stderr when it fails). `sets` are `--set` overrides (`path=value`), or flags as given (`--…`).
 */
export function simulateInto(
  runsDir: string,
  id: string,
  args: readonly string[],
  sets: readonly string[] = [],
) {
  const r = runCli([
    'simulate',
    ...args,
    ...sets.flatMap((s) => (s.startsWith('--') ? [s] : ['--set', s])),
    '--no-progress',
    '--out',
    path.join(runsDir, id),
  ]);
  if (r.status !== 0) throw new Error(`simulate ${id} failed: ${r.stderr}`);
}

/** A command started by {@link spawnCli}: the process, and what it printed on stderr so far. */
export type CliProcess = ChildProcess & { err: () => string };

/**
 * Starts the e2ctwin command as a user would (from the repo root), without waiting: for commands a test
 * signals, kills or runs side by side (workers, a coordinator). stdout is ignored, stderr collected.
 * `env` is added to this process's environment.
 */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return Object.assign(child, { err: () => err });
}

/** Resolves with the exit code of a started command once it has exited (null when a signal ended it). */
export const exited = (c: ChildProcess): Promise<number | null> =>
  new Promise((resolve) =>
    c.exitCode !== null || c.signalCode !== null
      ? resolve(c.exitCode)
      : c.once('exit', (code) => resolve(code)),
  );

/** The trials in a study folder's store as another process sees them while the study runs (0 before it exists). */
export function trialsIn(dir: string): number {
  const f = path.join(dir, 'study.sqlite');
  if (!existsSync(f)) return 0;
  try {
    const db = new Database(f, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

type RunCommand = (args: readonly string[]) => Promise<void>;
let runCommand: Promise<RunCommand> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the e2ctwin command line inside this test process — the built dist/cli/run.js, the function
 * bin/e2ctwin.js runs — with what it prints captured and its exit status taken from process.exitCode, as
 * {@link runCli} returns them. No process is started, so a test pays for the command's work, not for a
 * Node.js start-up and the loading of the command's modules each time. Calls run one at a time. For the
 * process itself (bin/e2ctwin.js, signals, stdin, exit codes of a real process) use {@link runCli}.
 */
export function runCliHere(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  const next = queue.then(() => runHere(args, options));
  queue = next.catch(() => undefined);
  return next;
}

async function runHere(args: string[], options: { cwd?: string }): Promise<CliResult> {
  runCommand ??= import(pathToFileURL(path.join(repoRoot, 'dist/cli/run.js')).href).then(
    (m: { runCommand: RunCommand }) => m.runCommand,
  );
  const run = await runCommand;
  const out: string[] = [];
  const err: string[] = [];
  const { stdout, stderr } = process;
  const saved = {
    out: stdout.write,
    err: stderr.write,
    outTty: stdout.isTTY,
    errTty: stderr.isTTY,
    exitCode: process.exitCode,
    noColor: process.env.NO_COLOR,
    cwd: process.cwd(),
  };
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array, encoding?: unknown, done?: unknown): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = typeof encoding === 'function' ? encoding : done;
      if (typeof callback === 'function') callback();
      return true;
    };
  stdout.write = capture(out) as typeof stdout.write;
  stderr.write = capture(err) as typeof stderr.write;
  // As for a spawned command whose output is a pipe: no progress bars, no colours.
  stdout.isTTY = false;
  stderr.isTTY = false;
  process.env.NO_COLOR = '1';
  process.exitCode = undefined;
  try {
    if (options.cwd !== undefined) process.chdir(options.cwd);
    await run(args);
    return { status: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.write = saved.out;
    stderr.write = saved.err;
    stdout.isTTY = saved.outTty;
    stderr.isTTY = saved.errTty;
    process.exitCode = saved.exitCode;
    if (saved.noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved.noColor;
    process.chdir(saved.cwd);
  }
}
