import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  RUN_FILES,
  RunFolderError,
  readRunTrace,
  readRunTraceInSlices,
  readTraceOverview,
  runListing,
  type StoredOverview,
  TRACE_OVERVIEW_FILE,
  traceOverviewEnabled,
  traceFileOf,
  type RunFile,
  type RunListing,
} from '../run-folder/index.js';
import type { IndexedTrace, SpanRecord, TraceHeader } from '../trace/index.js';
import { ServerError, ServerErrorCode } from './errors.js';

// The files a run folder may hold are the run-folder layer's RUN_FILES; they are the only ones the API
// reads (nothing else can be named).
export { RUN_FILES, type RunFile };

/** The largest file of a run or study folder the API reads (a bigger one is refused, not read). */
export const MAX_FOLDER_FILE_BYTES = 256 * 1024 * 1024;

/**
 * How long after the overview is sent the trace itself starts being read: about what a browser takes
 * to decode and draw the overview on a loaded machine (reading the trace meanwhile slowed that down).
 */
const TRACE_READ_DELAY_MS = 1_500;

/** A run id is one plain folder name: letters, digits, `.`, `_`, `-`, not starting with a dot. */
const RUN_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A run's trace as read, with what was derived from it while it stays unchanged (see RunsStore.traceData). */
export interface TraceData extends IndexedTrace {
  key: string;
  json?: string;
}

/** One line of the runs list. */
export interface RunSummary extends RunListing {
  id: string;
  responseTime: { mean: number | null; p95: number | null };
  throughput: number | null;
  hasTrace: boolean;
  hasSeries: boolean;
}

/**
 * The runs folder, seen through run ids only: every path is built from a validated id and a file name
 * from {@link RUN_FILES}, then checked (after resolving symbolic links) to lie inside the folder; a file
 * is read only when it is a regular file of at most {@link MAX_FOLDER_FILE_BYTES}.
 */
export class RunsStore {
  readonly root: string;

  /**
   * @param o.traceOverview whether a trace's overview may be answered from the overview file beside it
   *   (default: unless E2CTWIN_TRACE_OVERVIEW=off; see readTraceOverview)
   */
  constructor(dir: string, { traceOverview = traceOverviewEnabled() }: { traceOverview?: boolean } = {}) {
    mkdirSync(dir, { recursive: true });
    this.root = realpathSync(dir);
    this.#overviewFile = traceOverview;
  }

  /** Folder `id` of the runs folder (whatever it holds), or BAD_RUN_ID when `id` is not a plain name inside it. */
  folder(id: string): string {
    if (typeof id !== 'string' || !RUN_ID.test(id)) {
      throw new ServerError(
        ServerErrorCode.BAD_RUN_ID,
        `"${String(id).slice(0, 200)}" is not a run id (one folder name of the runs folder: letters, digits, ".", "_", "-")`,
        { id: String(id).slice(0, 200) },
      );
    }
    return this.#inside(path.join(this.root, id), id);
  }

  /** Names of the sub-folders that could be runs or studies (plain names only). */
  folders(): string[] {
    return readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && RUN_ID.test(e.name))
      .map((e) => e.name);
  }

  /** The folder of run `id`, or a BAD_RUN_ID / RUN_NOT_FOUND error. */
  dirOf(id: string): string {
    const dir = this.folder(id);
    if (!existsSync(path.join(dir, 'run.json'))) {
      throw new ServerError(ServerErrorCode.RUN_NOT_FOUND, `no run "${id}" in the runs folder`, { id });
    }
    return dir;
  }

  /** Whether run `id` has `file`. */
  has(id: string, file: RunFile): boolean {
    return existsSync(path.join(this.dirOf(id), file));
  }

  /** The text of `file` in run `id`. */
  readText(id: string, file: RunFile): string {
    if (!(RUN_FILES as readonly string[]).includes(file)) {
      throw new ServerError(ServerErrorCode.BAD_REQUEST, `"${file}" is not a run file`, { file });
    }
    return this.readFolderFile(this.dirOf(id), id, file);
  }

  /**
   * The text of file `name` of `folder` (a path from {@link folder} for `id`): RUN_FILE_MISSING when it
   * does not exist, RUN_FILE_REFUSED when it leads out of the folder (a symbolic link), is not a regular
   * file (a FIFO or a device would block or never end) or is too large.
   */
  readFolderFile(folder: string, id: string, name: string): string {
    return readFileSync(this.#checkedFile(folder, id, name), 'utf8');
  }

  /** Whether run `id` has a trace: `trace.jsonl`, or `trace.jsonl.gz` as shipped live runs keep it. */
  hasTrace(id: string): boolean {
    return traceFileOf(this.dirOf(id)) !== undefined;
  }

  /**
   * The trace of run `id`, read by the run-folder layer's reader (the one the command line uses):
   * `trace.jsonl`, else `trace.jsonl.gz`, every line checked. The file is first held to the same
   * checks as any run file (inside the folder, regular, not too large); a trace that does not read
   * is RUN_FILE_INVALID, named by its file name and line only (never a path of this machine).
   */
  readTrace(id: string): { header: TraceHeader; spans: SpanRecord[] } {
    const { header, spans } = this.#trace(id, false);
    return { header, spans };
  }

  /**
   * The trace of run `id` as the JSON text of `{header, spans}` (what the timeline fetches), checked as
   * {@link readTrace} checks it, made of the span lines as read: serializing a quarter of a million
   * spans again cost as much as reading them.
   */
  async traceJson(id: string): Promise<string> {
    const data = await this.traceData(id);
    data.json ??= `{"header":${JSON.stringify(data.header)},"spans":[${data.lines.join(',')}]}`;
    return data.json;
  }

  /**
   * The trace of run `id` read and checked as {@link readTrace} does, with its span lines as read; read
   * a slice at a time (other requests are answered meanwhile). The last trace read (or being read) is
   * kept while its file is unchanged (size and modification time), with what was derived from it (its
   * JSON text, time index, compressed answers), so that opening the same run again, or asking for
   * another window of it, does not read it anew.
   */
  traceData(id: string): Promise<TraceData> {
    const { key } = this.#traceFile(id);
    if (key && this.#lastTrace?.key === key) return this.#lastTrace.data;
    const data = this.#readTraceData(id, key);
    if (key) {
      const last = { key, data, ready: false };
      this.#lastTrace = last;
      data.then(
        () => {
          last.ready = true;
        },
        () => {
          // A read that failed is not kept: the next request reads again (and says why).
          if (this.#lastTrace === last) this.#lastTrace = undefined;
        },
      );
    }
    return data;
  }

  /**
   * The overview of run `id`'s trace at `maxSpans` from the overview file written beside it (see
   * readTraceOverview for when it is used), without reading the trace; undefined when there is none to
   * use (then the overview is computed from the trace). Once it is sent, {@link readTraceSoon} reads
   * the trace itself for the windows that follow.
   */
  traceOverview(id: string, maxSpans: number): StoredOverview | undefined {
    if (!this.#overviewFile) return undefined;
    const { key, real, dir } = this.#traceFile(id);
    if (!real || !existsSync(path.join(dir, TRACE_OVERVIEW_FILE))) return undefined;
    // Read already: as quick from the trace (while it is being read, the file still answers).
    if (key && this.#lastTrace?.key === key && this.#lastTrace.ready) return undefined;
    return readTraceOverview(this.#checkedFile(dir, id, TRACE_OVERVIEW_FILE), real, maxSpans);
  }

  /**
   * Starts reading run `id`'s trace (see traceData), in slices, `afterMs` from now, unless it is read or
   * being read by then. Put off after the first frame's overview is sent: the page decodes and draws it
   * on the same cores meanwhile, and a window asked for before then starts the read itself.
   */
  readTraceSoon(id: string, { afterMs = TRACE_READ_DELAY_MS }: { afterMs?: number } = {}): void {
    setTimeout(() => {
      try {
        this.traceData(id).catch(() => {}); // a bad trace is said by the request that needs it
      } catch {
        // The run gone meanwhile: nothing to read.
      }
    }, afterMs).unref();
  }

  readonly #overviewFile: boolean;

  /** The trace file of run `id` (its real path, checked as any run file) and the key of its version. */
  #traceFile(id: string): { dir: string; real?: string; key: string } {
    const dir = this.dirOf(id);
    const file = traceFileOf(dir);
    // The same checks as a read (inside the folder, a regular file, not too large) before the cache.
    const real = file ? this.#checkedFile(dir, id, path.basename(file)) : undefined;
    const stat = real ? statSync(real) : undefined;
    const key = real && stat ? `${real}\u0000${stat.size}\u0000${stat.mtimeMs}` : '';
    return { dir, real, key };
  }

  async #readTraceData(id: string, key: string): Promise<TraceData> {
    const { header, spans, lines } = await this.#traceInSlices(id);
    return { key, header, spans, lines: lines!, derived: new Map() };
  }

  #lastTrace: { key: string; data: Promise<TraceData>; ready: boolean } | undefined;

  #trace(id: string, keepLines: boolean): NonNullable<ReturnType<typeof readRunTrace>> {
    const name = this.#traceName(id);
    try {
      return found(readRunTrace(this.dirOf(id), { keepLines }), id, name);
    } catch (err) {
      throw traceError(err, id, name);
    }
  }

  /** As #trace with its lines, read a slice at a time (see readRunTraceInSlices). */
  #traceInSlices(id: string): Promise<NonNullable<ReturnType<typeof readRunTrace>>> {
    const name = this.#traceName(id);
    return readRunTraceInSlices(this.dirOf(id), { keepLines: true }).then(
      (trace) => found(trace, id, name),
      (err) => {
        throw traceError(err, id, name);
      },
    );
  }

  /** The name of run `id`'s trace file, checked as any run file; RUN_FILE_MISSING when it has none. */
  #traceName(id: string): string {
    const dir = this.dirOf(id);
    const file = traceFileOf(dir);
    if (!file) {
      throw new ServerError(
        ServerErrorCode.RUN_FILE_MISSING,
        `"${id}" has no trace.jsonl (nor trace.jsonl.gz)`,
        { id, file: 'trace.jsonl' },
      );
    }
    const name = path.basename(file);
    this.#checkedFile(dir, id, name);
    return name;
  }

  /** The real path of file `name` of `folder`, after the checks of {@link readFolderFile}. */
  #checkedFile(folder: string, id: string, name: string): string {
    const full = path.join(folder, name);
    if (!existsSync(full))
      throw new ServerError(ServerErrorCode.RUN_FILE_MISSING, `"${id}" has no ${name}`, { id, file: name });
    const real = realpathSync(full);
    const rel = path.relative(realpathSync(folder), real);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new ServerError(
        ServerErrorCode.RUN_FILE_REFUSED,
        `${name} of "${id}" leads out of its folder (a symbolic link): not read`,
        { id, file: name },
      );
    }
    const st = statSync(real);
    if (!st.isFile())
      throw new ServerError(
        ServerErrorCode.RUN_FILE_REFUSED,
        `${name} of "${id}" is not a regular file: not read`,
        { id, file: name },
      );
    if (st.size > MAX_FOLDER_FILE_BYTES) {
      throw new ServerError(
        ServerErrorCode.RUN_FILE_REFUSED,
        `${name} of "${id}" has ${st.size} bytes, more than the ${MAX_FOLDER_FILE_BYTES} the server reads: not read`,
        { id, file: name, sizeBytes: st.size, limitBytes: MAX_FOLDER_FILE_BYTES },
      );
    }
    return real;
  }

  /** `file` of run `id` parsed as JSON. */
  readJson<T = unknown>(id: string, file: RunFile): T {
    return parseFolderJson<T>(this.readText(id, file), id, file);
  }

  /** Runs in the folder (sub-folders with a run.json), newest first. Unreadable ones are skipped. */
  list(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const name of this.folders()) {
      if (!existsSync(path.join(this.root, name, 'run.json'))) continue;
      try {
        out.push(this.summary(name));
      } catch {
        // A folder being written, or not a run: not listed.
      }
    }
    return out.sort(
      (a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? '') || a.id.localeCompare(b.id),
    );
  }

  summary(id: string): RunSummary {
    // Listed leniently (see runListing): a hand-edited or foreign run.json still shows, with nulls.
    const run = runListing(this.readJson(id, 'run.json'));
    const metrics = this.has(id, 'metrics.json')
      ? this.readJson<{ responseTime?: { mean?: unknown; p95?: unknown }; [k: string]: unknown }>(
          id,
          'metrics.json',
        )
      : {};
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    return {
      id,
      ...run,
      responseTime: { mean: num(metrics.responseTime?.mean), p95: num(metrics.responseTime?.p95) },
      throughput: num(metrics.throughput),
      hasTrace: this.hasTrace(id),
      hasSeries: this.has(id, 'series.json'),
    };
  }

  /** A fresh run id (and its folder path) for a run of `scenario`: `<scenario>-<UTC stamp>[-n]`. */
  newRun(scenario: string, now = new Date()): { id: string; dir: string } {
    const slug =
      scenario
        .replace(/[^A-Za-z0-9_-]+/g, '-')
        .replace(/^[-]+|[-]+$/g, '')
        .slice(0, 60) || 'run';
    const stamp = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')
      .replace('T', '-');
    for (let n = 1; ; n++) {
      const id = n === 1 ? `${slug}-${stamp}` : `${slug}-${stamp}-${n}`;
      const dir = path.join(this.root, id);
      if (!existsSync(dir)) {
        mkdirSync(dir);
        return { id, dir };
      }
    }
  }

  #inside(p: string, id: string): string {
    const real = existsSync(p) ? realpathSync(p) : path.resolve(p);
    const rel = path.relative(this.root, real);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new ServerError(ServerErrorCode.BAD_RUN_ID, `run "${id}" is not inside the runs folder`, { id });
    }
    return real;
  }
}

/** The trace read, or RUN_FILE_MISSING when there was none (removed since it was looked for). */
function found<T>(trace: T | undefined, id: string, name: string): T {
  if (!trace)
    throw new ServerError(ServerErrorCode.RUN_FILE_MISSING, `"${id}" has no ${name}`, { id, file: name });
  return trace;
}

/** A trace that does not read as RUN_FILE_INVALID, named by its file name and line only (never a path of this machine). */
function traceError(err: unknown, id: string, name: string): unknown {
  if (!(err instanceof RunFolderError)) return err;
  const { line, field } = err.where;
  return new ServerError(
    ServerErrorCode.RUN_FILE_INVALID,
    `run "${id}": ${name}${line !== undefined ? ` line ${line}` : ''}${field ? ` (${field})` : ''} is not an e2ctwin trace: ${err.problem}`,
    { id, file: name, ...(line !== undefined ? { line } : {}) },
  );
}

/**
 * `text` (file `file` of folder `id`) parsed as JSON, or RUN_FILE_INVALID. The message gives the position
 * only: JSON.parse's own message quotes the text.
 */
export function parseFolderJson<T = unknown>(text: string, id: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new ServerError(
      ServerErrorCode.RUN_FILE_INVALID,
      `"${id}": ${file} is not valid JSON${at !== undefined ? ` (at character ${at})` : ''}`,
      { id, file },
    );
  }
}
