import { closeSync, lstatSync, openSync, readSync, rmSync } from 'node:fs';
import { ExploreError, ExploreErrorCode } from './errors.js';

/** How to get out of a damaged store, in every STORE_CORRUPT error. */
export const CORRUPT_HINT =
  'run the same command with --fresh to delete it and start the study over, or use another --out folder';

/** A STORE_CORRUPT error naming the file (and the trial, when one is at fault). */
export function corrupt(file: string, what: string, details: Record<string, unknown> = {}): ExploreError {
  return new ExploreError(
    ExploreErrorCode.STORE_CORRUPT,
    `${file} ${what}; its stored trials cannot be trusted`,
    { file, ...details },
    CORRUPT_HINT,
  );
}

const MAGIC = 'SQLite format 3\0';

/**
 * Checks what SQLite would otherwise half-open or misread: `file` must be a regular file that is empty (a new
 * store) or starts with the SQLite header, has a valid page size, a whole number of pages and at least the
 * pages its header counts (a truncated copy fails here, before any query). A missing file is fine.
 * @throws ExploreError STORE_CORRUPT naming the file and what is wrong
 */
export function checkStoreFile(file: string): void {
  let st: import('node:fs').Stats;
  try {
    st = lstatSync(file);
  } catch {
    return;
  }
  if (!st.isFile()) throw corrupt(file, 'is not a regular file');
  if (st.size === 0) return;
  const head = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 16 || head.toString('latin1', 0, 16) !== MAGIC)
    throw corrupt(file, 'is not a SQLite database (no SQLite header)');
  if (n < 100) throw corrupt(file, `is truncated (${st.size} bytes, shorter than a SQLite header)`);
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0)
    throw corrupt(file, `has a damaged header (page size ${raw})`);
  // File format versions: 1 (rollback journal) or 2 (write-ahead log); SQLite opens others read-only or not at all.
  if (![1, 2].includes(head[18]!) || ![1, 2].includes(head[19]!))
    throw corrupt(file, `has a damaged header (file format ${head[18]}/${head[19]})`);
  if (st.size % pageSize !== 0)
    throw corrupt(
      file,
      `is truncated or damaged (${st.size} bytes is not a whole number of ${pageSize}-byte pages)`,
    );
  // The page count of the header is valid only when its "version-valid-for" matches the change counter.
  const pages = head.readUInt32BE(28);
  if (pages > 0 && head.readUInt32BE(92) === head.readUInt32BE(24) && pages * pageSize > st.size) {
    throw corrupt(
      file,
      `is truncated (${st.size} bytes, its header counts ${pages} pages of ${pageSize} bytes)`,
    );
  }
}

/**
 * Deletes a store and its SQLite side files (write-ahead log, shared memory, rollback journal) without opening
 * it, so `--fresh` works on a damaged or foreign file. A folder in its place is refused, not removed.
 */
export function deleteStore(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    let st: import('node:fs').Stats;
    try {
      st = lstatSync(f);
    } catch {
      continue;
    }
    if (st.isDirectory()) throw corrupt(f, 'is a folder, not a study store', { fix: 'remove it yourself' });
    rmSync(f, { force: true });
  }
}
