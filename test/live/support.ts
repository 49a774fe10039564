import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/cli.js';
import { until } from '../support/poll.js';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * Live tests need root and a few Debian packages (scripts/setup.sh installs them). In CI they are
 * required: a missing piece fails the test file with the reason; elsewhere the tests are skipped and
 * say why.
 */
export function liveRequirements(extra: string[] = []): string | undefined {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root');
  for (const cmd of ['ip', 'tc', 'socat', 'ssh-keygen', 'unshare', 'nft', '/usr/sbin/sshd', ...extra]) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' });
    } catch {
      missing.push(cmd);
    }
  }
  if (missing.length === 0) return undefined;
  const reason = `live tests need ${missing.join(', ')} (run as root after scripts/setup.sh)`;
  if (process.env.CI) throw new Error(`${reason}: required in CI`);
  return reason;
}

/** Everything a run with this id could have left on the machine; empty when it cleaned up. */
export function leftovers(runId: string, stateDir: string): string[] {
  const out: string[] = [];
  const ns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of ns.split('\n')) if (line.includes(`e2c-${runId}`)) out.push(`netns ${line.trim()}`);
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  for (const line of links.split('\n'))
    if (line.includes(`e2c${runId}`) || line.includes(`e2cp${runId}`))
      out.push(`link ${line.trim().slice(0, 80)}`);
  const tables = execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
  if (tables.includes(`e2ctwin_${runId}`)) out.push(`nft table e2ctwin_${runId}`);
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(stateDir) || cmd.includes(`e2c-${runId}`) || cmd.includes(`e2c${runId}`))
        out.push(`process ${pid}: ${cmd.slice(0, 100)}`);
    } catch {
      /* gone */
    }
  }
  if (existsSync(stateDir)) out.push(`folder ${stateDir}`);
  if (readFileSync('/proc/self/mountinfo', 'utf8').includes(stateDir)) out.push(`mounts under ${stateDir}`);
  return out;
}

/**
 * Live test files take turns: two testbeds at once on a 2-core machine slow each other's userspace
 * switch and fail the link checks. Holds an exclusive lock (a folder made atomically, with the holder's
 * pid; a dead holder's lock is taken over) until the returned release is called.
 */
export async function liveTestLock(): Promise<() => void> {
  const dir = path.join(tmpdir(), 'e2ctwin-live-tests.lock');
  // Another file's live tests may hold it for minutes: a long bound, only a stuck holder reaches it.
  return until('the live-test lock', () => takeLock(dir), { everyMs: 500, timeoutMs: 60 * 60_000 });
}

/** The lock a live test file holds (see {@link holdLiveTestLock}). */
export interface HeldLiveTestLock {
  /**
   * Runs `fn` without the lock (work that only simulates or calibrates: other files' live tests run
   * meanwhile), then takes it again before returning, even when `fn` throws.
   */
  without<T>(fn: () => T | Promise<T>): Promise<T>;
}

/**
 * Registers the file's hooks around {@link liveTestLock}: taken before the file's tests (unless they
 * are skipped), released after them, then `cleanup` (the file's temporary folders).
 */
export function holdLiveTestLock(skip: string | undefined, cleanup: () => void): HeldLiveTestLock {
  let unlock: (() => void) | undefined;
  // Another file's live tests may hold the lock for minutes.
  beforeAll(async () => {
    if (!skip) unlock = await liveTestLock();
  }, 3_600_000);
  afterAll(() => {
    unlock?.();
    unlock = undefined;
    cleanup();
  });
  return {
    async without<T>(fn: () => T | Promise<T>): Promise<T> {
      const held = unlock !== undefined;
      unlock?.();
      unlock = undefined;
      try {
        return await fn();
      } finally {
        if (held) unlock = await liveTestLock();
      }
    },
  };
}

/** The release function if the lock was free (or its holder dead), else null. */
function takeLock(dir: string): (() => void) | null {
  try {
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'pid'), String(process.pid));
    return () => rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let holder = 0;
  try {
    holder = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
  } catch {
    /* being written or removed */
  }
  let alive = true;
  if (holder > 0) {
    try {
      process.kill(holder, 0);
    } catch {
      alive = false;
    }
  }
  if (!alive) rmSync(dir, { recursive: true, force: true });
  return null;
}

/**
 * Runs the e2ctwin command in the background (a live run takes seconds to minutes); resolves with its
 * status and output once it exits. `onStderr` sees the error output so far after each chunk (a test
 * that signals the run at some point of it).
 */
export function liveCli(
  args: string[],
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * `e2ctwin live <fixture> --testbed <testbed> … --out <dir> --state-dir <stateRoot>` as a live test runs it:
 * its output printed, exit 0 and nothing left behind checked; with its plan.json and run.json.
 */
export async function liveFixtureRun(o: {
  fixture: string;
  dir: string;
  stateRoot: string;
  testbed?: string;
  extra?: string[];
}) {
  const r = await liveCli([
    'live',
    o.fixture,
    '--testbed',
    o.testbed ?? 'testbeds/local.yaml',
    ...(o.extra ?? []),
    '--out',
    o.dir,
    '--state-dir',
    o.stateRoot,
  ]);
  process.stdout.write(`\n--- e2ctwin live (stdout) ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n`);
  expect(r.status, r.stderr).toBe(0);
  const read = (f: string) => JSON.parse(readFileSync(path.join(o.dir, f), 'utf8'));
  const plan = read('plan.json') as { runId: string };
  expect(leftovers(plan.runId, path.join(o.stateRoot, plan.runId))).toEqual([]);
  return { ...r, plan, run: read('run.json') };
}

/** A span of a live run's trace.jsonl, with the fields the live tests read. */
export interface TraceSpan {
  request: number;
  kind: string;
  service: string;
  host: string;
  start: number;
  end: number;
  status: string;
}

/** The spans of the run folder `dir` (trace.jsonl; its first line is the header). */
export function readTraceSpans(dir: string): TraceSpan[] {
  return readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l) as TraceSpan);
}
