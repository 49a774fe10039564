import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { LiveError, LiveErrorCode } from '../errors.js';

/**
 * A live run's folder (`--out`) is written whole: every file goes to a temporary sibling
 * (`.<name>.e2ctwin-tmp-<runId>`, journaled so that a crash leaves nothing behind), which then replaces
 * the folder. A reused `--out` thus never mixes the previous run's files (its metrics.json) with a
 * failed run's. Only an empty folder or a run folder (one with a run.json) is ever replaced.
 */

/** Refuses an `--out` that is not a folder, or a folder with files that is not a run folder. */
export function checkRunFolder(dir: string): void {
  const abs = path.resolve(dir);
  if (!existsSync(abs)) return;
  const st = statSync(abs);
  if (!st.isDirectory())
    throw new LiveError(LiveErrorCode.OUT, `--out ${dir} exists and is not a folder`, { out: dir });
  const names = readdirSync(abs);
  if (names.length > 0 && !names.includes('run.json')) {
    throw new LiveError(
      LiveErrorCode.OUT,
      `--out ${dir} holds files and is not a run folder (no run.json): it would be replaced whole; choose a new or empty folder`,
      { out: dir },
    );
  }
}

/** The temporary sibling of `dir` a run writes into. */
export function tempSibling(dir: string, runId: string): string {
  const abs = path.resolve(dir);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.e2ctwin-tmp-${runId}`);
}

/** Creates the temporary folder afresh (a second attempt starts from nothing). */
export function freshTemp(tmp: string): void {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
}

/**
 * Puts the finished temporary folder in place of `dir`: the previous folder is moved aside, the new
 * one renamed in, the old one removed (both renames stay inside one parent folder).
 */
export function replaceRunFolder(tmp: string, dir: string): string {
  const abs = path.resolve(dir);
  checkRunFolder(abs); // unchanged since the run started, unless someone wrote into it meanwhile
  const old = `${tmp}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(abs)) renameSync(abs, old);
  renameSync(tmp, abs);
  rmSync(old, { recursive: true, force: true });
  return abs;
}
