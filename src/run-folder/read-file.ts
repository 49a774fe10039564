import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { RunFolderError, RunFolderErrorCode as Code } from './errors.js';
import { jsonErrorOffset } from './json-error-offset.js';

// Larger than any run folder file e2ctwin writes (a trace of the default span sample is a few MB; a
// live campaign's is tens of MB), small enough that a stray huge file fails clearly instead of
// exhausting memory. A decompressed `.gz` is held to the same limit (no gzip bomb).
export const MAX_RUN_FILE_BYTES = 512 * 1024 * 1024;

/** The bytes of a regular file of a run folder; a missing, special or oversized file is a located error. */
export function readRunFile(file: string): Buffer {
  checkRunFile(file);
  return readFileSync(file);
}

/** Checks that `file` is a regular file of at most MAX_RUN_FILE_BYTES (else a located error). */
function checkRunFile(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    // A FIFO or a device would block or never end; a folder is not a file.
    if (!st.isFile())
      throw new RunFolderError(
        Code.READ_NOT_FILE,
        { file },
        st.isDirectory() ? 'is a folder, not a file' : 'is not a regular file',
      );
    size = st.size;
  } catch (e) {
    if (e instanceof RunFolderError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunFolderError(
      Code.READ_MISSING,
      { file },
      code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : `cannot be read (${code})`,
    );
  }
  if (size > MAX_RUN_FILE_BYTES)
    throw new RunFolderError(
      Code.READ_NOT_FILE,
      { file },
      `is ${size} bytes, over the ${MAX_RUN_FILE_BYTES}-byte limit of a run folder file`,
    );
}

/** The text of a run folder file, decompressed when its name ends in `.gz`. */
export function readRunText(file: string): string {
  return readRunContent(file).toString('utf8');
}

/** The bytes of a run folder file, decompressed when its name ends in `.gz` (what readRunText decodes). */
export function readRunContent(file: string): Buffer {
  const bytes = readRunFile(file);
  if (!file.endsWith('.gz')) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_RUN_FILE_BYTES });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunFolderError(
      Code.READ_GZIP,
      { file },
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `decompresses to more than ${MAX_RUN_FILE_BYTES} bytes`
        : `does not decompress (${(e as Error).message})`,
    );
  }
}

/**
 * {@link readRunText} without blocking while a plain file is read (a server reading a large trace keeps
 * answering); a `.gz` file is decompressed as readRunText does.
 */
export async function readRunTextAsync(file: string): Promise<string> {
  if (file.endsWith('.gz')) return readRunText(file);
  checkRunFile(file);
  return (await readFile(file)).toString('utf8');
}

/** A JSON file of a run folder, parsed; bad JSON is reported with its line and column. */
export function readRunJson(file: string): unknown {
  return parseJsonAt(readRunText(file), { file });
}

/** Parses JSON text; a syntax error names the file, the line and the column (of the line in the file, for JSON Lines). */
export function parseJsonAt(text: string, at: { file: string; line?: number }): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const { line, column } = positionOf((e as Error).message, text);
    throw new RunFolderError(
      Code.READ_JSON,
      { file: at.file, line: (at.line ?? 1) + line - 1, column },
      `not valid JSON: ${jsonProblem((e as Error).message)}`,
    );
  }
}

/** The first bytes of a regular file (for recognizing what wrote it), empty when it cannot be read. */
export function fileHead(file: string, bytes = 256): string {
  let fd: number | undefined;
  try {
    if (!statSync(file).isFile()) return '';
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** V8's complaint without its position or its quote of the text (the line and column say where). */
function jsonProblem(message: string): string {
  const m = message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, (?:\.\.\.)?".*$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the text ends early');
  return m.charAt(0).toLowerCase() + m.slice(1);
}

/** 1-based line and column of a JSON.parse error: V8's position when it gives one, else found by a scan. */
function positionOf(message: string, text: string): { line: number; column: number } {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const m = /at position (\d+)/.exec(message);
  const pos = m ? Number(m[1]) : jsonErrorOffset(text);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, column: pos - before.lastIndexOf('\n') };
}
