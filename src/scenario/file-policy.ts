import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  promises as fsPromises,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioErrorCode } from './errors.js';

// Every file a scenario names (presets by name or path and their `extends`, `calibration:`, trace CSVs)
// is found and read here, under one policy:
// - it must lie inside an allowed folder (a root) once every symlink is resolved; a path outside the roots
//   is refused before anything touches it, so the answer is the same whether or not it exists;
// - only regular files are opened (a FIFO would block, /dev/zero never ends), and only up to a size limit;
// - refusals are content-free: they never quote the file.

/** Largest YAML file read (scenario, preset, calibration params): 4 MiB; the shipped ones are a few KiB. */
export const MAX_YAML_BYTES = 4 * 1024 * 1024;
/** Largest trace CSV read: 64 MiB (several million arrival times). */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;
/** Symlinks followed while resolving one path (as Linux's ELOOP limit). */
const MAX_SYMLINKS = 40;
// node:fs/promises is reached through fs.promises, which loads it on first use: only the asynchronous
// reads (loadScenarioAsync) need it, and loading it (with the modules behind it) at start-up cost every
// `validate` a few milliseconds.

/** e2ctwin's package root (from src/ or dist/ alike). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The folders shipped with e2ctwin that scenarios may always read from (unless roots are given). */
export const SHIPPED_ROOTS: readonly string[] = ['models', 'scenarios', 'calibration'].map((d) =>
  path.join(PACKAGE_ROOT, d),
);

/** Which folders files named by a scenario may come from. */
export interface FileRoots {
  /** Only these folders (the server passes its configured ones; include SHIPPED_ROOTS for named presets). */
  allowedRoots?: readonly string[];
  /** Folders added to the defaults (the CLI's `--allow-dir`). Ignored when {@link allowedRoots} is given. */
  extraRoots?: readonly string[];
}

/** Why a file was not read. The message names no content of the file, only what was wrong with it. */
export interface FileRefusal {
  code:
    | typeof ScenarioErrorCode.FILE_OUTSIDE_ROOTS
    | typeof ScenarioErrorCode.FILE_SPECIAL
    | typeof ScenarioErrorCode.FILE_TOO_LARGE
    | typeof ScenarioErrorCode.FILE_MISSING
    | typeof ScenarioErrorCode.FILE_UNREADABLE;
  /** Completes "<what the file is> …", e.g. "is outside the allowed folders (…)". */
  message: string;
  hint?: string;
}

export type FileRead = { ok: true; real: string; text: string } | { ok: false; refusal: FileRefusal };
export type FileKind = 'yaml' | 'trace';

/**
 * Reads done ahead of a load (see loadScenarioAsync): a policy given one answers from `done` only, and
 * records in `wanted` what it was asked for and did not have (answered "not read yet" for now).
 */
export interface Prefetch {
  done: Map<string, FileRead>;
  wanted: Map<string, { file: string; kind: FileKind }>;
}
const NOT_READ_YET: FileRead = {
  ok: false,
  refusal: { code: ScenarioErrorCode.FILE_UNREADABLE, message: 'was not read yet' },
};
const LIMITS: Record<FileKind, number> = { yaml: MAX_YAML_BYTES, trace: MAX_TRACE_BYTES };

const within = (p: string, root: string) =>
  p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/** How a path is shown: relative to the working directory when inside it, else absolute. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

/**
 * The allowed folders for one scenario, and the only way files it names are read. Built once per load;
 * cheap (the roots are realpath'd once).
 */
export class FilePolicy {
  /** The roots as given (absolute), for display and for walking down to them. */
  readonly roots: readonly string[];
  /** The roots with their symlinks resolved: a file's real path must be inside one of these. */
  readonly #realRoots: readonly string[];
  /** Whether the roots were imposed (server) rather than defaults the user can extend (CLI). */
  readonly #imposed: boolean;
  readonly #prefetch: Prefetch | undefined;

  private constructor(roots: readonly string[], imposed: boolean, prefetch?: Prefetch) {
    this.#prefetch = prefetch;
    this.roots = [...new Set(roots.map((r) => path.resolve(r)))];
    this.#realRoots = this.roots.flatMap((r) => {
      try {
        return [realpathSync(r)];
      } catch {
        return []; // a root that does not exist allows nothing
      }
    });
    this.#imposed = imposed;
  }

  /**
   * The policy of a scenario file: `allowedRoots` alone when given; else the scenario's folder, e2ctwin's
   * models/, scenarios/ and calibration/, the presets folder in use, and `extraRoots`.
   */
  static forScenario(
    scenarioFile: string,
    o: FileRoots & { modelsDir?: string; prefetch?: Prefetch } = {},
  ): FilePolicy {
    if (o.allowedRoots) return new FilePolicy(o.allowedRoots, true, o.prefetch);
    return new FilePolicy(
      [
        path.dirname(path.resolve(scenarioFile)),
        ...SHIPPED_ROOTS,
        ...(o.modelsDir ? [o.modelsDir] : []),
        ...(o.extraRoots ?? []),
      ],
      false,
      o.prefetch,
    );
  }

  /** Exactly these roots. */
  static of(roots: readonly string[]): FilePolicy {
    return new FilePolicy(roots, true);
  }

  /** Reads a text file under the policy: inside a root, a regular file, at most the limit of its kind. */
  read(file: string, kind: FileKind): FileRead {
    if (this.#prefetch) {
      const key = `${kind}\0${path.resolve(file)}`;
      const hit = this.#prefetch.done.get(key);
      if (hit) return hit;
      this.#prefetch.wanted.set(key, { file: path.resolve(file), kind });
      return NOT_READ_YET;
    }
    const found = this.#resolve(path.resolve(file));
    if (!found.ok) return found;
    return readRegularFile(found.real, LIMITS[kind], found.stats);
  }

  /**
   * {@link read} with the content read asynchronously (the server's event loop is not held by a large
   * file). Resolving the path stays synchronous: it only looks at directory entries, never opens a file.
   */
  async readAsync(file: string, kind: FileKind): Promise<FileRead> {
    const found = this.#resolve(path.resolve(file));
    if (!found.ok) return found;
    return readRegularFileAsync(found.real, LIMITS[kind], found.stats);
  }

  /** Checks a file as {@link read} would, without reading it. */
  check(file: string, kind: FileKind): { ok: true; real: string } | { ok: false; refusal: FileRefusal } {
    const found = this.#resolve(path.resolve(file));
    if (!found.ok) return found;
    const bad = refuseStats(found.stats, LIMITS[kind]);
    return bad ? { ok: false, refusal: bad } : { ok: true, real: found.real };
  }

  #outside(): { ok: false; refusal: FileRefusal } {
    const list = this.roots.map(displayPath).join(', ');
    return {
      ok: false,
      refusal: {
        code: ScenarioErrorCode.FILE_OUTSIDE_ROOTS,
        message: `is outside the allowed folders (${list})`,
        ...(this.#imposed ? {} : { hint: 'add a folder with --allow-dir <dir>' }),
      },
    };
  }

  /** May this path be looked at: inside a root, or on the way down to one (in either spelling)? */
  #mayTouch(p: string): boolean {
    return [...this.roots, ...this.#realRoots].some((r) => within(p, r) || within(r, p));
  }

  /**
   * Resolves `abs` one component at a time, following symlinks, like realpath(3) — but refuses, before
   * touching it, every component that is neither inside a root nor above one. So a path (or a symlink's
   * target) outside the roots is never stat'ed: whether it exists cannot be learnt from the answer.
   */
  #resolve(abs: string): { ok: true; real: string; stats: Stats } | { ok: false; refusal: FileRefusal } {
    if (abs.includes('\0')) return this.#outside();
    let resolved = path.parse(abs).root;
    const pending = abs
      .slice(resolved.length)
      .split(path.sep)
      .filter((c) => c !== '' && c !== '.');
    let links = 0;
    let stats: Stats | undefined;
    while (pending.length > 0) {
      const c = pending.shift()!;
      if (c === '.') continue;
      if (c === '..') {
        resolved = path.dirname(resolved); // `resolved` holds no symlink, so its parent is the real parent
        stats = undefined;
        continue;
      }
      const next = path.join(resolved, c);
      if (!this.#mayTouch(next)) return this.#outside();
      let st: Stats;
      try {
        st = lstatSync(next);
      } catch (err) {
        return { ok: false, refusal: errnoRefusal(err) };
      }
      if (st.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS)
          return {
            ok: false,
            refusal: {
              code: ScenarioErrorCode.FILE_UNREADABLE,
              message: 'cannot be read (too many symlinks)',
            },
          };
        let target: string;
        try {
          target = readlinkSync(next);
        } catch (err) {
          return { ok: false, refusal: errnoRefusal(err) };
        }
        if (path.isAbsolute(target)) resolved = path.parse(target).root;
        pending.unshift(...target.split(/[\\/]/).filter((t) => t !== '' && t !== '.'));
        continue;
      }
      resolved = next;
      stats = st;
    }
    if (!this.#realRoots.some((r) => within(resolved, r))) return this.#outside();
    if (!stats) {
      try {
        stats = lstatSync(resolved);
      } catch (err) {
        return { ok: false, refusal: errnoRefusal(err) };
      }
    }
    return { ok: true, real: resolved, stats };
  }
}

/**
 * Where /proc shows what a descriptor opened (Linux): a refusal when it is not the path that was checked,
 * i.e. a folder on the way was swapped for a symlink between the check and the open.
 */
function movedAway(fd: number, checked: string): FileRefusal | undefined {
  let opened: string;
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined; // no /proc: the check before the open stands alone
  }
  return opened === checked
    ? undefined
    : { code: ScenarioErrorCode.FILE_UNREADABLE, message: 'changed while it was being read' };
}

function errnoRefusal(err: unknown): FileRefusal {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return { code: ScenarioErrorCode.FILE_MISSING, message: 'not found' };
  return { code: ScenarioErrorCode.FILE_UNREADABLE, message: `cannot be read (${code ?? 'error'})` };
}

/** A refusal for anything but a regular file within the limit, judged on its stats (before opening it). */
function refuseStats(st: Stats, limit: number): FileRefusal | undefined {
  if (!st.isFile()) {
    const what = st.isDirectory()
      ? 'a folder'
      : st.isFIFO()
        ? 'a FIFO'
        : st.isSocket()
          ? 'a socket'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : 'not a regular file';
    return { code: ScenarioErrorCode.FILE_SPECIAL, message: `is ${what}, not a regular file` };
  }
  if (st.size > limit)
    return { code: ScenarioErrorCode.FILE_TOO_LARGE, message: `is larger than the ${mib(limit)} limit` };
  return undefined;
}

/**
 * Reads a file that the caller names directly (the scenario itself, a CLI argument): no roots, but only
 * a regular file within the limit, checked before opening.
 */
export function readNamedFile(file: string, kind: FileKind): FileRead {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    return { ok: false, refusal: errnoRefusal(err) };
  }
  return readRegularFile(path.resolve(file), LIMITS[kind], st, false);
}

/** {@link readNamedFile}, asynchronously. */
export async function readNamedFileAsync(file: string, kind: FileKind): Promise<FileRead> {
  let st: Stats;
  try {
    st = await fsPromises.stat(file);
  } catch (err) {
    return { ok: false, refusal: errnoRefusal(err) };
  }
  return readRegularFileAsync(path.resolve(file), LIMITS[kind], st, false);
}

/** {@link readRegularFile}, asynchronously. */
async function readRegularFileAsync(
  file: string,
  limit: number,
  st: Stats,
  noFollow = true,
): Promise<FileRead> {
  const bad = refuseStats(st, limit);
  if (bad) return { ok: false, refusal: bad };
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await fsPromises.open(
      file,
      constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0),
    );
  } catch (err) {
    return { ok: false, refusal: errnoRefusal(err) };
  }
  try {
    const again =
      refuseStats(await handle.stat(), limit) ?? (noFollow ? movedAway(handle.fd, file) : undefined);
    if (again) return { ok: false, refusal: again };
    let out = Buffer.allocUnsafe(Math.min(limit, st.size) + 1);
    let n = 0;
    for (;;) {
      if (n === out.length) {
        if (n > limit)
          return {
            ok: false,
            refusal: {
              code: ScenarioErrorCode.FILE_TOO_LARGE,
              message: `is larger than the ${mib(limit)} limit`,
            },
          };
        const bigger = Buffer.allocUnsafe(Math.min(limit + 1, out.length * 2));
        out.copy(bigger, 0, 0, n);
        out = bigger;
      }
      const { bytesRead } = await handle.read(out, n, out.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return { ok: true, real: file, text: out.subarray(0, n).toString('utf8') };
  } catch (err) {
    return { ok: false, refusal: errnoRefusal(err) };
  } finally {
    await handle.close();
  }
}

/**
 * Opens a file whose stats were checked and reads at most `limit` bytes. Opened non-blocking and (for a
 * resolved path) without following a symlink, then checked again on the descriptor: a file swapped for a
 * FIFO or a larger file between the check and the open is still refused, never read.
 */
function readRegularFile(file: string, limit: number, st: Stats, noFollow = true): FileRead {
  const bad = refuseStats(st, limit);
  if (bad) return { ok: false, refusal: bad };
  let fd: number;
  try {
    fd = openSync(
      file,
      constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0),
    );
  } catch (err) {
    return { ok: false, refusal: errnoRefusal(err) };
  }
  try {
    const again = refuseStats(fstatSync(fd), limit) ?? (noFollow ? movedAway(fd, file) : undefined);
    if (again) return { ok: false, refusal: again };
    let buf = Buffer.allocUnsafe(Math.min(limit, fstatSync(fd).size) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        // The file grew past what its size said: keep reading, but never past the limit.
        if (n > limit)
          return {
            ok: false,
            refusal: {
              code: ScenarioErrorCode.FILE_TOO_LARGE,
              message: `is larger than the ${mib(limit)} limit`,
            },
          };
        const bigger = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return { ok: true, real: file, text: buf.subarray(0, n).toString('utf8') };
  } catch (err) {
    return { ok: false, refusal: errnoRefusal(err) };
  } finally {
    closeSync(fd);
  }
}
