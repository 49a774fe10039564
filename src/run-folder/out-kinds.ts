import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { RunFolderError } from './errors.js';
import { fileHead, readRunJson } from './read-file.js';

/**
 * What an output path holds when it already exists, and how the command writes it: `replace` (a run
 * folder or a file, replaced whole by a rename) or `write-into` (a study or validation folder, which
 * resumes from what it holds).
 */
export interface OutKind {
  /** Named in messages: "simulation run folder". */
  readonly what: string;
  readonly mode: 'replace' | 'write-into';
  /** True when an existing (non-empty) path is of this kind, else why not (a short phrase). */
  recognize(real: string): true | string;
}

/** The first line of a params file that `e2ctwin calibrate` writes. */
export const CALIBRATION_HEADER = '# Written by `e2ctwin calibrate';

/** A run folder whose run.json says `kind: <kind>` (`simulation` for `simulate --out`). */
export function runFolderKind(kind: string): OutKind {
  return {
    what: `${kind} run folder`,
    mode: 'replace',
    recognize(dir) {
      const file = path.join(dir, 'run.json');
      if (!existsSync(file)) return 'it has no run.json';
      let run: unknown;
      try {
        run = readRunJson(file);
      } catch (e) {
        return `its run.json cannot be read (${e instanceof RunFolderError ? e.message : String(e)})`;
      }
      const got = (run as { kind?: unknown } | null)?.kind;
      return got === kind
        ? true
        : `its run.json is of ${typeof got === 'string' ? `a ${got} run` : 'no known run kind'}`;
    },
  };
}

/** A study folder of sweep, sensitivity, optimize or capacity: it holds study.sqlite (and resumes from it). */
export const studyFolder: OutKind = {
  what: 'study folder',
  mode: 'write-into',
  recognize: (dir) => (isFile(path.join(dir, 'study.sqlite')) ? true : 'it has no study.sqlite'),
};

/** The folder of `validate-twin --out`: validation.json, plot.json and runs/ (live runs it resumes from). */
export const validationFolder: OutKind = {
  what: 'validation folder',
  mode: 'write-into',
  recognize: (dir) =>
    isFile(path.join(dir, 'validation.json')) || isDir(path.join(dir, 'runs'))
      ? true
      : 'it has neither validation.json nor runs/',
};

/** A folder of run folders (`serve --runs`): new run folders are added to it, nothing in it is replaced. */
export const runsRoot: OutKind = {
  what: 'folder of run folders',
  mode: 'write-into',
  recognize: () => true,
};

/** A calibration params file: replaced whole, but only if `e2ctwin calibrate` wrote it (its header). */
export const calibrationParams: OutKind = {
  what: 'params file written by e2ctwin calibrate',
  mode: 'replace',
  recognize: (file) =>
    fileHead(file).startsWith(CALIBRATION_HEADER)
      ? true
      : `its first line is not the "${CALIBRATION_HEADER} …" header`,
};

/** A JSON Lines file that request spans are appended to (`drive --spans`). */
export const spansFile: OutKind = {
  what: 'spans file',
  mode: 'write-into',
  recognize: () => true,
};

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};
const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
