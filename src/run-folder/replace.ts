import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

// Siblings are named `.<name>.e2ctwin-new-<pid>-<random>` (being written) and `.<name>.e2ctwin-old-<pid>-<random>`
// (the previous folder, for the instant between the two renames). Hidden, so that listings of run
// folders (the server's, a shell's) do not show them; the pid tells a live writer from a crashed one.
const sibling = (target: string, role: 'new' | 'old') =>
  path.join(
    path.dirname(target),
    `.${path.basename(target)}.e2ctwin-${role}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
const SIBLING = /^\.(.+)\.e2ctwin-(new|old)-(\d+)-[0-9a-f]{8}$/;

/**
 * Writes a folder whole: `fill` writes into a fresh hidden sibling, which is then renamed into place. A
 * failure (or a kill) before the rename leaves the previous folder as it was; after it, the new folder is
 * complete. A previous folder is never mixed with new files. The folder's parent is created if needed.
 */
export function replaceFolder(dir: string, fill: (tmp: string) => void): void {
  const target = path.resolve(dir);
  mkdirSync(path.dirname(target), { recursive: true });
  recoverCrashed(target);
  const tmp = sibling(target, 'new');
  mkdirSync(tmp);
  try {
    fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  swapIn(tmp, target);
}

/** Writes a file whole: into a hidden sibling, then renamed over the old file (atomic on one file system). */
export function replaceFile(file: string, text: string | Uint8Array): void {
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = sibling(target, 'new');
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Renames tmp to target; an existing non-empty target is moved aside first and removed after. */
function swapIn(tmp: string, target: string): void {
  try {
    // Over a missing or empty folder, one rename does it atomically.
    renameSync(tmp, target);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  const old = sibling(target, 'old');
  try {
    renameSync(target, old);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  try {
    renameSync(tmp, target);
  } catch (e) {
    renameSync(old, target);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

/**
 * Tidies what a killed writer of the same folder left: its half-written `new` siblings are removed; an
 * `old` sibling is the complete previous folder, put back if the kill came between the two renames
 * (the folder is missing), else removed. Siblings of a process still running are left to it.
 */
export function recoverCrashed(target: string): void {
  const parent = path.dirname(target);
  const name = path.basename(target);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = SIBLING.exec(entry);
    if (!m || m[1] !== name || alive(Number(m[3]))) continue;
    const p = path.join(parent, entry);
    if (m[2] === 'old' && !existsSync(target)) renameSync(p, target);
    else rmSync(p, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
