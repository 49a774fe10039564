import { accessSync, constants, lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { RunFolderError, RunFolderErrorCode as Code } from './errors.js';
import type { OutKind } from './out-kinds.js';

/** An output path that passed the checks: where to write (symbolic links resolved) and whether it exists. */
export interface CheckedOut {
  /** Absolute path to write to; a symbolic link given by the user is followed (the link itself stays). */
  path: string;
  exists: boolean;
}

export interface OutCheck {
  /** The option that named the path, for messages (`--out`, `-o`). */
  option: string;
  /** What may already be there (and will be replaced or written into). */
  kind: OutKind;
}

// Kernel file systems: writing there does not make files (and `/proc/…` can block), so nothing goes there.
const KERNEL_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * Checks an output folder before any work: it is not a kernel path or special file, it is (or can be
 * created as) a folder, it is writable, and if it exists and is not empty it is of the kind the command
 * writes (a folder of another kind is never clobbered). Throws a {@link RunFolderError} naming the option.
 */
export function checkOutFolder(given: string, o: OutCheck): CheckedOut {
  return check(given, o, 'folder');
}

/** The same checks for an output file: a regular file of the kind (or nothing yet) in a writable folder. */
export function checkOutFile(given: string, o: OutCheck): CheckedOut {
  return check(given, o, 'file');
}

function check(given: string, o: OutCheck, want: 'folder' | 'file'): CheckedOut {
  const fail = (code: Code, problem: string, hint?: string): never => {
    throw new RunFolderError(code, { option: o.option, file: given }, problem, hint);
  };
  if (given.trim() === '') fail(Code.OUT_NOT_WRITABLE, 'an empty path');
  const abs = path.resolve(given);
  let link: Stats | undefined;
  try {
    link = lstatSync(abs);
  } catch (e) {
    if (!isMissing(e)) fail(Code.OUT_NOT_WRITABLE, `cannot be looked at (${errCode(e)})`);
  }
  if (!link) {
    // Not there yet: the nearest folder that exists must take it.
    const { real, rest } = existingAncestor(abs, fail);
    return { path: path.join(real, rest), exists: false };
  }
  let st: Stats;
  try {
    st = statSync(abs);
  } catch (e) {
    return fail(
      want === 'folder' ? Code.OUT_NOT_FOLDER : Code.OUT_NOT_FILE,
      isMissing(e) ? 'a symbolic link to a path that does not exist' : `cannot be looked at (${errCode(e)})`,
    );
  }
  const real = realOr(abs);
  const root = kernelRoot(abs) ?? kernelRoot(real);
  if (root)
    fail(
      Code.OUT_SPECIAL,
      `${kernelRoot(abs) ? 'lies' : `leads to ${real}, which lies`} under ${root}, a kernel file system, not a place for output`,
      'choose a folder on disk',
    );
  const special = specialType(st);
  if (special) fail(Code.OUT_SPECIAL, `is ${special}, not a ${want}`);
  if (want === 'folder' && !st.isDirectory())
    fail(Code.OUT_NOT_FOLDER, 'is a file, not a folder', 'choose the path of a new or empty folder');
  if (want === 'file' && st.isDirectory())
    fail(Code.OUT_NOT_FILE, 'is a folder, not a file', 'give the path of a file, e.g. <folder>/params.yaml');
  const nonEmpty = st.isDirectory() ? readdirSafe(real, fail).length > 0 : true;
  if (nonEmpty) {
    const mine = o.kind.recognize(real);
    if (mine !== true) {
      fail(
        Code.OUT_FOREIGN,
        `exists and is not ${article(o.kind.what)}: ${mine}; e2ctwin ${o.kind.mode === 'replace' ? 'would replace it whole' : 'would write into it'}, so it is left alone`,
        want === 'folder'
          ? 'choose a new or empty folder, or remove this one first'
          : 'choose another file name, or remove this file first',
      );
    }
  }
  if (!writable(real)) fail(Code.OUT_NOT_WRITABLE, 'is not writable');
  // A replaced folder or file is renamed into place from a sibling: its parent must take new entries too.
  if (o.kind.mode === 'replace' && !writable(path.dirname(real)))
    fail(
      Code.OUT_NOT_WRITABLE,
      `its folder ${path.dirname(real)} is not writable (the new ${want} is renamed into place from there)`,
    );
  return { path: real, exists: true };
}

/** The nearest existing ancestor of a missing path, checked as the place the path will be created in. */
function existingAncestor(
  abs: string,
  fail: (code: Code, problem: string, hint?: string) => never,
): { real: string; rest: string } {
  let dir = path.dirname(abs);
  for (;;) {
    let st: Stats | undefined;
    try {
      st = statSync(dir);
    } catch (e) {
      if (!isMissing(e)) fail(Code.OUT_NOT_WRITABLE, `cannot look into ${dir} (${errCode(e)})`);
    }
    if (st) {
      const real = realOr(dir);
      const root = kernelRoot(real) ?? kernelRoot(dir);
      if (root)
        fail(
          Code.OUT_SPECIAL,
          `lies under ${root}, a kernel file system, not a place for output`,
          'choose a folder on disk',
        );
      if (!st.isDirectory())
        fail(
          Code.OUT_NOT_FOLDER,
          `${dir} is ${specialType(st) ?? 'a file'}, not a folder: nothing can be created under it`,
        );
      if (!writable(real))
        fail(Code.OUT_NOT_WRITABLE, `${dir} is not writable: nothing can be created in it`);
      return { real, rest: path.relative(dir, abs) };
    }
    const up = path.dirname(dir);
    if (up === dir) fail(Code.OUT_NOT_WRITABLE, 'no part of the path exists');
    dir = up;
  }
}

/** The real path, or the path itself when it cannot be resolved (`/proc/<pid>/fd/<n>` links to pipes do not). */
function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function kernelRoot(real: string): string | undefined {
  return KERNEL_ROOTS.find((r) => real === r || real.startsWith(`${r}/`));
}

function specialType(st: Stats): string | undefined {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return undefined;
}

function writable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    // A file has no search bit to check: writing it is enough.
    try {
      if (!statSync(p).isDirectory()) {
        accessSync(p, constants.W_OK);
        return true;
      }
    } catch {
      /* not writable */
    }
    return false;
  }
}

function readdirSafe(dir: string, fail: (code: Code, problem: string) => never): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    return fail(Code.OUT_NOT_WRITABLE, `cannot be listed (${errCode(e)})`);
  }
}

const article = (what: string) => (/^[aeiou]/i.test(what) ? `an ${what}` : `a ${what}`);
const errCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);
const isMissing = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');
