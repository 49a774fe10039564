import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { LiveError, LiveErrorCode } from './errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a local command from an argv array (never through a shell) and collects its output.
 * @throws LiveError `E2C_ERR_LIVE_COMMAND` when `check` and the exit status is not 0
 */
export function run(
  argv: readonly string[],
  options: { input?: string | Buffer; check?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new LiveError(LiveErrorCode.COMMAND, `${argv[0]}: ${e.message}`, { argv }));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const r = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (options.check !== false && r.code !== 0) {
        reject(
          new LiveError(
            LiveErrorCode.COMMAND,
            `\`${argv.join(' ')}\` exited with ${r.code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`,
            { argv, code: r.code, stderr },
          ),
        );
      } else resolve(r);
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/**
 * Starts a long-running local process in its own process group (so a Ctrl-C at the terminal reaches
 * the controller, which then stops it in order), output to files. Returns its PID and start time.
 */
export function spawnDetached(
  argv: readonly string[],
  outFile: string,
  errFile: string,
  env?: NodeJS.ProcessEnv,
): { pid: number; start: number } {
  const out = openSync(outFile, 'a');
  const err = openSync(errFile, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', out, err],
      ...(env ? { env } : {}),
    });
    if (child.pid === undefined)
      throw new LiveError(LiveErrorCode.COMMAND, `could not start ${argv[0]}`, { argv });
    child.unref();
    return { pid: child.pid, start: processStartTime(child.pid) ?? 0 };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/**
 * Whether this process runs under a real-time scheduling policy (SCHED_FIFO or SCHED_RR: /proc/self/stat
 * field 41), as a live run started with `chrt -r` does (the calibration campaigns' LIVE_LOCK, the live
 * tests): what it starts inherits the policy.
 */
export function runsRealtime(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const policy = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3];
    return policy === '1' || policy === '2';
  } catch {
    return false;
  }
}

/** Start time of a process (clock ticks since boot, /proc/PID/stat field 22), or undefined if it is gone. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** The process with this PID is alive and is the one started at `start` (not a reused PID), and not a zombie. */
export function isAlive(pid: number, start?: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return false;
    return start === undefined || start === 0 || Number(fields[19]) === start;
  } catch {
    return false;
  }
}

export function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Live members of the process group `pgid` started at or after `since` (clock ticks since boot, as in
 * /proc/<pid>/stat): the processes a group leader we started has spawned. Zombies are not counted.
 */
export function groupMembers(pgid: number, since: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid && Number(fields[19]) >= since) out.push(Number(e));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * Stops one process we started, by PID, checked against its start time: SIGTERM, then SIGKILL after
 * `graceMs`. `group` signals its whole process group (it was started as a group leader) and waits until
 * the group's members are gone too: a child can outlive its leader by a moment after the same SIGTERM.
 * Members are only processes of that group started after the leader (an unrelated group could only reuse
 * the id once every member is gone and the PID counter has come round).
 */
export async function stopProcess(
  pid: number,
  start: number | undefined,
  options: { graceMs?: number; group?: boolean } = {},
): Promise<void> {
  if (!isAlive(pid, start)) return;
  const since = start ?? processStartTime(pid) ?? 0;
  const members = () => (options.group ? groupMembers(pid, since) : []);
  const gone = () => !isAlive(pid, start) && members().length === 0;
  const signal = (sig: NodeJS.Signals) => {
    if (isAlive(pid, start)) {
      try {
        process.kill(options.group ? -pid : pid, sig);
        return;
      } catch {
        /* fall through */
      }
      // Not a group leader after all (a container's first process): the process itself, as the ssh
      // provider's `kill -SIG -PID || kill -SIG PID` does.
      if (options.group)
        try {
          process.kill(pid, sig);
          return;
        } catch {
          /* fall through */
        }
    }
    for (const p of members()) {
      try {
        process.kill(p, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 3000);
  while (Date.now() < deadline) {
    if (gone()) return;
    await sleep(25);
  }
  signal('SIGKILL');
  for (let i = 0; i < 80 && !gone(); i++) await sleep(25);
}

/** Whether a command is on PATH (or an absolute path that exists). */
export async function haveCommand(name: string): Promise<boolean> {
  const r = await run(['sh', '-c', 'command -v "$1"', 'sh', name], { check: false });
  return r.code === 0;
}
