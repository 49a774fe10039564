import { existsSync, lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { TrialStore } from '../explore/store.js';
import {
  HEARTBEAT_MS,
  PROGRESS_FILE,
  parseProgress,
  type StudyParam,
  type StudyProgress,
} from '../explore/study-progress.js';
import { ServerError, ServerErrorCode } from './errors.js';
import { parseFolderJson, type RunsStore } from './runs-store.js';

/**
 * The result file of a study folder written by `e2ctwin sweep` (results.json), sensitivity/optimize/capacity
 * (result.json) or validate-twin (plot.json, shown as a study of kind "validation").
 */
const RESULT_FILES = ['results.json', 'result.json', 'plot.json'] as const;
const KINDS = new Set(['sweep', 'sensitivity', 'optimize', 'capacity']);
const VALIDATION_PLOT = 'e2ctwin-validation-plot';
/** The report validate-twin writes beside plot.json: its scores come with the plot. */
const VALIDATION_REPORT = 'validation.json';

/** A study folder's trial store (explore/store.ts). */
const STORE_FILE = 'study.sqlite';
/** Trials served per call of {@link StudiesStore.trials} (a page asks again for the rest). */
const TRIALS_PER_CALL = 500;

/**
 * The parameter values of a stored trial's configuration key: the JSON array of its values (explore/
 * space.ts key()), followed by `|…` when the study added overrides of its own.
 */
function configValues(key: string): unknown[] {
  for (const end of [key.length, key.indexOf(']|') + 1]) {
    try {
      const v = JSON.parse(key.slice(0, end)) as unknown;
      if (Array.isArray(v)) return v;
    } catch {
      // not this end
    }
  }
  return [];
}

/**
 * The entries of a result document so far: an optimizer's evaluations (`history`), a list of results, or
 * what `partial.done` counts (a sensitivity study's complete Morris trajectories or Sobol points); 0 when
 * it says none of these.
 */
export function entriesSoFar(doc: Record<string, unknown>): number {
  const list = doc.history ?? doc.results;
  if (Array.isArray(list)) return list.length;
  const done = (doc.partial as { done?: unknown } | undefined)?.done;
  return typeof done === 'number' && Number.isInteger(done) && done >= 0 ? done : 0;
}

/** One line of the studies list. */
export interface StudySummary {
  id: string;
  kind: string;
  scenario: string;
  /** Design, method or algorithm. */
  method: string;
  params: string[];
  /** Configurations evaluated (sweep results, optimizer evaluations) or simulated points. */
  points: number | null;
  modifiedAt: string;
  /** Whether its result document is written (a running study has none yet, unless it resumes a finished one). */
  results: boolean;
  /** The study's progress.json, when its coordinator wrote one (every backend does); null for older studies. */
  progress: ProgressView | null;
}

/**
 * A study's progress as served: what its coordinator wrote (but the result document so far, served by
 * {@link StudiesStore.soFar}: a list polled every second stays small), and how fresh that is.
 */
export interface ProgressView extends Omit<StudyProgress, 'format' | 'soFar'> {
  /**
   * Entries of its result document so far (an optimizer's evaluations, a sensitivity study's complete
   * Morris trajectories or Sobol points: {@link entriesSoFar}), for a page to know when to fetch it again; null when progress.json carries none (older files; a sweep, drawn from its store's trials).
   */
  resultsSoFar: number | null;
  /** Seconds since the coordinator last wrote it. */
  ageSeconds: number;
  /**
   * Running, but not written for three heartbeats: its coordinator was killed or its machine stopped (the
   * same command resumes the study).
   */
  stalled: boolean;
}

/**
 * Study folders of the exploration verbs, in the same folder as the runs and behind the same id and file
 * checks (no symbolic link out of the runs folder, regular files only): only their result JSON is read
 * (the SQLite trial store is theirs).
 */
export class StudiesStore {
  constructor(readonly runs: RunsStore) {}

  list(): StudySummary[] {
    const out: StudySummary[] = [];
    for (const id of this.runs.folders()) {
      try {
        const s = this.#summary(id);
        if (s) out.push(s);
      } catch {
        // Being written, or not a study: not listed.
      }
    }
    return out.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt) || a.id.localeCompare(b.id));
  }

  /**
   * The progress of study `id` (null when its coordinator wrote none) and whether its results are written.
   * A study that is neither running nor finished is STUDY_NOT_FOUND.
   */
  progress(id: string): { id: string; progress: ProgressView | null; finished: boolean } {
    const dir = this.runs.folder(id);
    const finished = RESULT_FILES.some((f) => existsSync(path.join(dir, f)));
    const progress = this.#progress(id, dir);
    if (!progress && !finished)
      throw new ServerError(ServerErrorCode.STUDY_NOT_FOUND, `no study "${id}" in the runs folder`, { id });
    return { id, progress: progress ?? null, finished };
  }

  /**
   * The trials of study `id` finished so far, from its store (study.sqlite), after row `after`: each with
   * its configuration named by the parameters its progress.json lists, so that a page draws a running
   * study's charts as its trials finish. `next` is the `after` of the next call.
   */
  trials(
    id: string,
    after = 0,
  ): {
    id: string;
    params: StudyParam[];
    trials: {
      config: Record<string, unknown>;
      fidelity: number;
      replication: number;
      metrics: Record<string, number>;
    }[];
    next: number;
  } {
    const dir = this.runs.folder(id);
    const file = path.join(dir, STORE_FILE);
    const progress = this.#progress(id, dir);
    let regular = false;
    try {
      regular = lstatSync(file).isFile(); // no link out of the runs folder
    } catch {
      // no store yet
    }
    if (!progress?.params)
      throw new ServerError(
        ServerErrorCode.STUDY_NOT_FOUND,
        `no study "${id}" whose progress.json names its parameters (a study run by this e2ctwin does)`,
        { id },
      );
    const params = progress.params;
    // A study just started has no store yet: no trial so far (a link in its place is refused, as absent).
    if (!regular) return { id, params, trials: [], next: after };
    const { trials, next } = TrialStore.readFinished(file, after, TRIALS_PER_CALL);
    return {
      id,
      params,
      trials: trials.map((t) => {
        const values = configValues(t.configKey);
        return {
          config: Object.fromEntries(params.map((p, i) => [p.name, values[i]])),
          fidelity: t.fidelity,
          replication: t.replication,
          metrics: t.metrics,
        };
      }),
      next,
    };
  }

  /**
   * The result document so far of study `id` (its progress.json's `soFar`: a running optimize study's
   * history and Pareto front so far), in the shape of {@link read}'s. Once the study has finished, its
   * results so far are its results: the result document itself (a page that asked while the study ended
   * gets them, not an error). STUDY_NOT_FOUND when there is none.
   */
  soFar(id: string): { id: string; file: string; study: Record<string, unknown> } {
    const dir = this.runs.folder(id);
    const progress = this.#readProgress(id, dir);
    if (progress?.soFar) return { id, file: PROGRESS_FILE, study: progress.soFar };
    if (progress?.state === 'finished') return this.read(id);
    throw new ServerError(
      ServerErrorCode.STUDY_NOT_FOUND,
      `no study "${id}" whose progress.json holds its results so far`,
      { id },
    );
  }

  /** The study's result document as its verb wrote it. */
  read(id: string): { id: string; file: string; study: Record<string, unknown> } {
    const dir = this.runs.folder(id);
    const file = RESULT_FILES.find((f) => existsSync(path.join(dir, f)));
    const study = file ? this.#parse(id, dir, file) : undefined;
    if (!file || !study)
      throw new ServerError(ServerErrorCode.STUDY_NOT_FOUND, `no study "${id}" in the runs folder`, { id });
    if (study.kind === 'validation') {
      const report = this.#validationReport(id, dir);
      if (report) return { id, file, study: { ...study, report } };
    }
    return { id, file, study };
  }

  /**
   * The scores of a validate-twin report next to its plot.json (validation.json, written with it): its
   * overall scores, targets, setup, the configurations it could not score and, with a calibration set,
   * the prediction intervals and their coverage. Undefined when absent or unreadable: the plot alone is
   * still a study.
   */
  #validationReport(id: string, dir: string): Record<string, unknown> | undefined {
    if (!existsSync(path.join(dir, VALIDATION_REPORT))) return undefined;
    try {
      const r = parseFolderJson<Record<string, unknown>>(
        this.runs.readFolderFile(dir, id, VALIDATION_REPORT),
        id,
        VALIDATION_REPORT,
      );
      if (!r || typeof r !== 'object' || r.format !== 'e2ctwin-validation') return undefined;
      const { overall, targets, setup, missing, predictionIntervals } = r;
      return { overall, targets, setup, missing, ...(predictionIntervals ? { predictionIntervals } : {}) };
    } catch {
      return undefined; // being written, or refused (a link out of the folder): the plot is shown alone
    }
  }

  #summary(id: string): StudySummary | undefined {
    const dir = this.runs.folder(id);
    const file = RESULT_FILES.find((f) => existsSync(path.join(dir, f)));
    const progress = this.#progress(id, dir) ?? null;
    if (!file) {
      // Running (or stopped before its results): listed from its progress alone.
      if (!progress) return undefined;
      return {
        id,
        kind: progress.kind,
        scenario: progress.scenario,
        method: '',
        params: [],
        points: null,
        modifiedAt: statSync(path.join(dir, PROGRESS_FILE)).mtime.toISOString(),
        results: false,
        progress,
      };
    }
    const s = this.#parse(id, dir, file);
    if (!s) return undefined;
    const params = Array.isArray(s.params)
      ? s.params.map((p: { name?: string; path?: string }) => String(p.name ?? p.path))
      : [];
    const points = Array.isArray(s.results)
      ? s.results.length
      : Array.isArray(s.history)
        ? s.history.length
        : Array.isArray(s.points)
          ? s.points.length
          : typeof s.runs === 'number'
            ? s.runs
            : null;
    return {
      id,
      kind: String(s.kind),
      scenario: String(s.scenario ?? ''),
      method: String(
        s.design ?? s.method ?? s.algorithm ?? (s.kind === 'validation' ? 'twin vs testbed' : ''),
      ),
      params,
      points,
      modifiedAt: statSync(path.join(dir, file)).mtime.toISOString(),
      results: true,
      progress,
    };
  }

  /** The folder's progress.json read under the same file checks as any study file; undefined when absent or not one. */
  #progress(id: string, dir: string): ProgressView | undefined {
    const p = this.#readProgress(id, dir);
    if (!p) return undefined;
    const { format: _format, soFar, ...rest } = p;
    const ageMs = Math.max(0, Date.now() - statSync(path.join(dir, PROGRESS_FILE)).mtimeMs);
    return {
      ...rest,
      resultsSoFar: soFar ? entriesSoFar(soFar) : null,
      ageSeconds: Math.round(ageMs / 1000),
      stalled: p.state === 'running' && ageMs > 3 * HEARTBEAT_MS,
    };
  }

  /** The folder's progress.json, parsed; undefined when absent, not one, or refused. */
  #readProgress(id: string, dir: string): StudyProgress | undefined {
    if (!existsSync(path.join(dir, PROGRESS_FILE))) return undefined;
    try {
      return parseProgress(this.runs.readFolderFile(dir, id, PROGRESS_FILE));
    } catch {
      return undefined; // replaced while read, or refused (a link out of the folder): as if absent
    }
  }

  #parse(id: string, dir: string, file: string): Record<string, unknown> | undefined {
    const d = parseFolderJson<Record<string, unknown>>(this.runs.readFolderFile(dir, id, file), id, file);
    if (!d || typeof d !== 'object') return undefined;
    if (d.format === VALIDATION_PLOT) return { ...d, kind: 'validation' };
    return KINDS.has(String(d.kind)) ? d : undefined;
  }
}
