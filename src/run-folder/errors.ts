/**
 * The run-folder layer's error table: output paths refused before any work starts (`OUT_*`), run
 * folders that cannot be read (`READ_*`), and run.json files a writer got wrong (`WRITE_*`). Each error names the option or the file, and for a file the
 * line and column when the problem has one.
 */
export const RunFolderErrorCode = {
  /** The output path is, or lies under, a kernel path (/proc, /sys, /dev), or is a FIFO, device or socket. */
  OUT_SPECIAL: 'E2C_ERR_RUNFOLDER_OUT_SPECIAL',
  /** A folder is wanted but the path (or one of its parents) is a file, or a dangling symbolic link. */
  OUT_NOT_FOLDER: 'E2C_ERR_RUNFOLDER_OUT_NOT_FOLDER',
  /** A file is wanted but the path is a folder. */
  OUT_NOT_FILE: 'E2C_ERR_RUNFOLDER_OUT_NOT_FILE',
  /** The path exists and holds something e2ctwin would clobber: a folder or file of another kind. */
  OUT_FOREIGN: 'E2C_ERR_RUNFOLDER_OUT_FOREIGN',
  /** The path, or the folder it would be created in, cannot be written. */
  OUT_NOT_WRITABLE: 'E2C_ERR_RUNFOLDER_OUT_NOT_WRITABLE',
  /** A file of a run folder is missing (or the folder itself is). */
  READ_MISSING: 'E2C_ERR_RUNFOLDER_READ_MISSING',
  /** A file of a run folder is not a regular file, or is too large to read. */
  READ_NOT_FILE: 'E2C_ERR_RUNFOLDER_READ_NOT_FILE',
  /** A JSON file, or a line of a JSON Lines file, does not parse. */
  READ_JSON: 'E2C_ERR_RUNFOLDER_READ_JSON',
  /** A file parses but a field is missing or of the wrong type. */
  READ_SHAPE: 'E2C_ERR_RUNFOLDER_READ_SHAPE',
  /** A `.gz` file does not decompress. */
  READ_GZIP: 'E2C_ERR_RUNFOLDER_READ_GZIP',
  /** A run.json (or series.json) being written does not match its shape (a bug of the writer: nothing is written). */
  WRITE_SHAPE: 'E2C_ERR_RUNFOLDER_WRITE_SHAPE',
} as const;
export type RunFolderErrorCode = (typeof RunFolderErrorCode)[keyof typeof RunFolderErrorCode];

/** Where a problem is: the option and the path given to it, or a file (with a line and column when known). */
export interface RunFolderLocation {
  /** The command-line option that named the path (`--out`), for output paths. */
  option?: string;
  /** The path as the user gave it, or the file read. */
  file: string;
  /** 1-based; absent when the problem is the whole file. */
  line?: number;
  column?: number;
  /** Field path inside the file (`responseTime.p95`, `windows[1].end`). */
  field?: string;
}

/** An error of the run-folder layer; the message is complete on its own (it names the file or option). */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
  constructor(
    readonly code: RunFolderErrorCode,
    readonly where: RunFolderLocation,
    readonly problem: string,
    readonly hint?: string,
  ) {
    super(`${describe(where)}: ${problem}${hint ? ` (${hint})` : ''}`);
  }

  /** True for refused output paths (the command line exits 2: nothing ran). */
  get isOutput(): boolean {
    return this.code.startsWith('E2C_ERR_RUNFOLDER_OUT_');
  }
}

function describe(w: RunFolderLocation): string {
  const at =
    w.line !== undefined ? `${w.file}:${w.line}${w.column !== undefined ? `:${w.column}` : ''}` : w.file;
  return `${w.option ? `${w.option} ` : ''}${at}${w.field ? ` ${w.field}` : ''}`;
}
