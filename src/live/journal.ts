import {
  appendFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  rmdirSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cwdOf, isAlive, processStartTime, run, stopProcess } from './proc.js';

/** One resource a live run created, recorded before (or as) it is created, so that it can always be removed. */
export type JournalEntry =
  | { kind: 'dir'; path: string }
  | { kind: 'netns'; name: string }
  | { kind: 'process'; pid: number; start: number; what: string; group?: boolean }
  | { kind: 'mounts'; under: string }
  | { kind: 'empty-dirs'; paths: string[] }
  | { kind: 'container'; host: string; id: string; socket?: string }
  | { kind: 'remote-commands'; host: string; commands: string[][]; what: string; netns?: string }
  | { kind: 'remote-process'; host: string; pid: number; what: string }
  | { kind: 'remote-dir'; host: string; path: string }
  /** The temporary sibling a run folder (`--out`) is written into before it replaces the folder whole. */
  | { kind: 'out-temp'; path: string };

export interface Owner {
  kind: 'owner';
  runId: string;
  pid: number;
  start: number;
  createdAt: string;
  testbed?: string;
}

/** Removes what entries on remote hosts (and containers) describe; given by the run (or rebuilt after a crash). */
export interface RemoteUndo {
  undo(entry: Extract<JournalEntry, { host: string }>): Promise<void>;
  close?(): Promise<void>;
}

/** The default folder of live runs' local state (journals, keys, sockets, the local hosts' files). */
export const DEFAULT_STATE_ROOT = process.env.E2CTWIN_STATE_DIR ?? path.join(os.tmpdir(), 'e2ctwin-live');

/**
 * The cleanup journal of one run: an append-only JSON Lines file (fsynced at each entry) listing every
 * resource the run created. `cleanup()` removes them in reverse order and keeps going on errors; a later
 * run calls {@link recoverLeftovers} to remove what a crashed run (whose controller is gone) left.
 */
export class Journal {
  readonly #entries: JournalEntry[] = [];
  #closed = false;

  private constructor(
    readonly file: string,
    readonly stateRoot: string,
    readonly runId: string,
  ) {}

  static open(stateRoot: string, runId: string, testbed?: string): Journal {
    const dir = path.join(stateRoot, 'journals');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const j = new Journal(path.join(dir, `${runId}.jsonl`), stateRoot, runId);
    if (existsSync(j.file))
      throw new Error(`a journal for run ${runId} already exists (${j.file}): recover it first`);
    const owner: Owner = {
      kind: 'owner',
      runId,
      pid: process.pid,
      start: processStartTime(process.pid) ?? 0,
      createdAt: new Date().toISOString(),
      ...(testbed ? { testbed } : {}),
    };
    j.#append(owner);
    return j;
  }

  get entries(): readonly JournalEntry[] {
    return this.#entries;
  }

  record(entry: JournalEntry): void {
    if (this.#closed) throw new Error('journal already cleaned up');
    this.#entries.push(entry);
    this.#append(entry);
  }

  #append(obj: unknown): void {
    appendFileSync(this.file, `${JSON.stringify(obj)}\n`, { mode: 0o600 });
    const fd = openSync(this.file, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Removes every recorded resource, newest first; returns the problems met (never throws). */
  async cleanup(remote?: RemoteUndo, log?: (line: string) => void): Promise<string[]> {
    this.#closed = true;
    const problems = await undoEntries([...this.#entries].reverse(), this.stateRoot, remote, log);
    if (problems.length === 0) rmSync(this.file, { force: true });
    return problems;
  }
}

/** Reads a journal file: its owner and entries. */
export function readJournal(file: string): { owner: Owner | undefined; entries: JournalEntry[] } {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const parsed = lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Owner | JournalEntry];
    } catch {
      return []; // a line cut by a crash
    }
  });
  const owner = parsed.find((e): e is Owner => e.kind === 'owner');
  return { owner, entries: parsed.filter((e): e is JournalEntry => e.kind !== 'owner') };
}

/** The journal of one run found in a state folder. */
export interface JournalFile {
  runId: string;
  file: string;
  owner: Owner | undefined;
  entries: JournalEntry[];
}

/**
 * The journals in `stateRoot`: `crashed` ones, whose owner process no longer runs (checked by PID and
 * start time, so a reused PID does not count), and those of runs still `running`.
 */
export function scanJournals(stateRoot: string): { crashed: JournalFile[]; running: JournalFile[] } {
  const dir = path.join(stateRoot, 'journals');
  const out = { crashed: [] as JournalFile[], running: [] as JournalFile[] };
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    const file = path.join(dir, name);
    const { owner, entries } = readJournal(file);
    const j = { runId: owner?.runId ?? name.replace(/\.jsonl$/, ''), file, owner, entries };
    (owner && isAlive(owner.pid, owner.start) ? out.running : out.crashed).push(j);
  }
  return out;
}

/**
 * Whether the resource an entry describes is still there, checked on this machine (a process by PID
 * and start time); `undefined` when only its host can tell (containers, remote hosts).
 */
export function present(e: JournalEntry): boolean | undefined {
  switch (e.kind) {
    case 'dir':
    case 'out-temp':
      return existsSync(e.path);
    case 'netns':
      return existsSync(path.join('/run/netns', e.name));
    case 'process':
      return isAlive(e.pid, e.start);
    case 'mounts':
      return mountPointsUnder(e.under).length > 0;
    case 'empty-dirs':
      return e.paths.some((p) => existsSync(p));
    case 'remote-commands':
      return e.netns ? existsSync(path.join('/run/netns', e.netns)) : undefined;
    default:
      return undefined;
  }
}

/**
 * Removes the leftovers of runs whose controller is gone (crashed, killed): every journal in
 * `stateRoot` whose owner process no longer runs. Journals of runs still in progress are left alone.
 * `log` hears each resource removed (or found gone already).
 */
export async function recoverLeftovers(
  stateRoot: string,
  remoteFor?: (owner: Owner | undefined, entries: JournalEntry[]) => RemoteUndo | undefined,
  log?: (line: string) => void,
): Promise<{ runId: string; removed: number; problems: string[] }[]> {
  const out: { runId: string; removed: number; problems: string[] }[] = [];
  for (const { runId, file, owner, entries } of scanJournals(stateRoot).crashed) {
    log?.(`removing leftovers of run ${runId} (${entries.length} resources)`);
    const remote = remoteFor?.(owner, entries);
    const problems = await undoEntries([...entries].reverse(), stateRoot, remote, log, true);
    await remote?.close?.();
    if (problems.length === 0) rmSync(file, { force: true });
    out.push({ runId, removed: entries.length, problems });
  }
  return out;
}

async function undoEntries(
  entries: JournalEntry[],
  stateRoot: string,
  remote: RemoteUndo | undefined,
  log?: (line: string) => void,
  verbose = false,
): Promise<string[]> {
  const problems: string[] = [];
  for (const e of entries) {
    try {
      const t0 = Date.now();
      const was = verbose ? present(e) : undefined;
      await undo(e, stateRoot, remote);
      if (verbose) log?.(was === false ? `  already gone: ${describe(e)}` : `  removed ${describe(e)}`);
      if (process.env.E2CTWIN_DEBUG_CLEANUP) log?.(`cleanup: ${describe(e)} ${Date.now() - t0} ms`);
    } catch (err) {
      const msg = `${describe(e)}: ${(err as Error).message}`;
      problems.push(msg);
      log?.(`cleanup: ${msg}`);
    }
  }
  return problems;
}

export function describe(e: JournalEntry): string {
  switch (e.kind) {
    case 'dir':
      return `folder ${e.path}`;
    case 'netns':
      return `network namespace ${e.name}`;
    case 'process':
      return `process ${e.pid} (${e.what})`;
    case 'mounts':
      return `mounts under ${e.under}`;
    case 'empty-dirs':
      return `empty folders ${e.paths.join(', ')}`;
    case 'container':
      return `container ${e.id.slice(0, 12)} on ${e.host}`;
    case 'remote-commands':
      return `${e.what} on ${e.host}`;
    case 'remote-process':
      return `process ${e.pid} (${e.what}) on ${e.host}`;
    case 'remote-dir':
      return `folder ${e.path} on ${e.host}`;
    case 'out-temp':
      return `temporary run folder ${e.path}`;
  }
}

async function undo(e: JournalEntry, stateRoot: string, remote: RemoteUndo | undefined): Promise<void> {
  switch (e.kind) {
    case 'process':
      await stopProcess(e.pid, e.start, { group: e.group ?? false, graceMs: 3000 });
      return;
    case 'netns': {
      if (!existsSync(path.join('/run/netns', e.name))) return;
      // Everything still running inside a namespace of ours is ours (services, sshd, bridges).
      const r = await run(['ip', 'netns', 'pids', e.name], { check: false });
      const pids = r.stdout.split(/\s+/).filter(Boolean).map(Number);
      await Promise.all(pids.map((pid) => stopProcess(pid, processStartTime(pid), { graceMs: 2000 })));
      await run(['ip', 'netns', 'del', e.name]);
      return;
    }
    case 'mounts':
      await unmountUnder(e.under);
      return;
    case 'dir': {
      const resolved = path.resolve(e.path);
      if (!resolved.startsWith(path.resolve(stateRoot) + path.sep))
        throw new Error(`refusing to remove ${resolved}: outside ${stateRoot}`);
      if (!existsSync(resolved)) return;
      await stopProcessesUnder(resolved);
      await unmountUnder(resolved);
      rmSync(resolved, { recursive: true, force: true });
      return;
    }
    case 'out-temp':
      // Only a folder named as the runner names its temporary run folders (never the user's --out).
      if (!/^\..+\.e2ctwin-tmp-[a-z0-9]+$/.test(path.basename(e.path)))
        throw new Error(`refusing to remove ${e.path}: not a temporary run folder`);
      rmSync(e.path, { recursive: true, force: true });
      rmSync(`${e.path}.old`, { recursive: true, force: true });
      return;
    case 'empty-dirs':
      for (const p of [...e.paths].reverse()) {
        try {
          if (existsSync(p)) rmdirSync(p);
        } catch {
          /* busy or not empty: not ours to force */
        }
      }
      return;
    case 'container':
    case 'remote-commands':
    case 'remote-process':
    case 'remote-dir':
      if (!remote) throw new Error(`no connection to ${e.host} to remove it`);
      await remote.undo(e);
      return;
  }
}

/** Stops processes whose working directory is inside `dir` (a run's folder): ours, whatever started them. */
async function stopProcessesUnder(dir: string): Promise<void> {
  const pids = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid);
  const ours = pids.filter((pid) => {
    const cwd = cwdOf(pid);
    return cwd !== undefined && (cwd === dir || cwd.startsWith(dir + path.sep));
  });
  await Promise.all(ours.map((pid) => stopProcess(pid, processStartTime(pid), { graceMs: 2000 })));
}

/** Mount points under `dir`, deepest first. */
function mountPointsUnder(dir: string): string[] {
  const prefix = path.resolve(dir) + path.sep;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((p): p is string => typeof p === 'string' && p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts (lazily, deepest first) everything mounted under `dir`. */
async function unmountUnder(dir: string): Promise<void> {
  for (const p of mountPointsUnder(dir)) await run(['umount', '-l', p], { check: false });
}
