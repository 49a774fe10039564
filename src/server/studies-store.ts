import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ServerError, ServerErrorCode } from './errors.js';
import { parseFolderJson, type RunsStore } from './runs-store.js';

/**
 * The result file of a study folder written by `e2ctwin sweep` (results.json), sensitivity/optimize/capacity
 * (result.json) or validate-twin (plot.json, shown as a study of kind "validation").
 */
const RESULT_FILES = ['results.json', 'result.json', 'plot.json'] as const;
const KINDS = new Set(['sweep', 'sensitivity', 'optimize', 'capacity']);
const VALIDATION_PLOT = 'e2ctwin-validation-plot';

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

  /** The study's result document as its verb wrote it. */
  read(id: string): { id: string; file: string; study: Record<string, unknown> } {
    const dir = this.runs.folder(id);
    const file = RESULT_FILES.find((f) => existsSync(path.join(dir, f)));
    const study = file ? this.#parse(id, dir, file) : undefined;
    if (!file || !study)
      throw new ServerError(ServerErrorCode.STUDY_NOT_FOUND, `no study "${id}" in the runs folder`, { id });
    return { id, file, study };
  }

  #summary(id: string): StudySummary | undefined {
    const dir = this.runs.folder(id);
    const file = RESULT_FILES.find((f) => existsSync(path.join(dir, f)));
    if (!file) return undefined;
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
    };
  }

  #parse(id: string, dir: string, file: string): Record<string, unknown> | undefined {
    const d = parseFolderJson<Record<string, unknown>>(this.runs.readFolderFile(dir, id, file), id, file);
    if (!d || typeof d !== 'object') return undefined;
    if (d.format === VALIDATION_PLOT) return { ...d, kind: 'validation' };
    return KINDS.has(String(d.kind)) ? d : undefined;
  }
}
