import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Whether a process of that id runs (false for 0 or a negative id). */
export function pidAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * An exclusive lock between processes: the folder `dir`, made atomically, with the holder's pid in it; a
 * dead holder's lock is taken over. Returns the release function if the lock was free (or its holder
 * dead), else null.
 */
export function takeFolderLock(dir: string): (() => void) | null {
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
    /* being written or removed: taken */
    return null;
  }
  if (holder > 0 && !pidAlive(holder)) rmSync(dir, { recursive: true, force: true });
  return null;
}
