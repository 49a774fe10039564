import path from 'node:path';
import { replaceFile } from '../run-folder/index.js';

/**
 * A running study's progress, as its coordinator writes it into the study folder (`progress.json`) whatever
 * the backend runs the trials (local worker threads or a Redis queue): the browser reads this one file for
 * both, so a distributed study shows the same progress as a local one.
 */
export const PROGRESS_FILE = 'progress.json';
export const PROGRESS_FORMAT = 'e2ctwin-study-progress';

export type ProgressState = 'running' | 'finished' | 'interrupted' | 'failed';

export interface StudyProgress {
  format: typeof PROGRESS_FORMAT;
  /** sweep, sensitivity, optimize or capacity. */
  kind: string;
  scenario: string;
  state: ProgressState;
  /** `local` or the queue's URL as shown to people (never a password). */
  backend: string;
  /** Trials finished (simulated or taken from the store) of those planned so far (optimizers plan as they go). */
  done: number;
  total: number;
  /** Trials taken from the store: they say nothing of the rate. */
  reused: number;
  /** Worker threads (local) or `e2ctwin worker` processes taking this study's trials (Redis). */
  workers: number;
  /** Time left at the rate of the trials simulated so far; null while unknown. */
  etaSeconds: number | null;
  startedAt: string;
  updatedAt: string;
  /** The trials simulated last (newest first, at most {@link LATEST_TRIALS}): results as they arrive. */
  latest: LatestTrial[];
  /**
   * The study's parameters in the order of its configurations (a stored trial's configuration is the
   * array of their values): what a reader of the store needs to name them. Absent in older files.
   */
  params?: StudyParam[];
  /**
   * What the study minimizes or maximizes (optimize), as soon as it is known: a page draws its best so far
   * and its Pareto front the right way up. Absent in older files and for studies without objectives.
   */
  objectives?: StudyObjective[];
  /**
   * The study's result document so far, in the shape of the one its verb writes at the end (optimize: the
   * convergence history, the Pareto front so far, `best` null until confirmed), replaced as results
   * arrive; dropped once the study has finished (its result file holds it). Absent in older files and for
   * studies whose results so far are their store's trials (a sweep: GET /api/studies/:id/trials).
   */
  soFar?: StudySoFar;
}

/** A parameter as the progress file names it: its short name and its path in the scenario. */
export interface StudyParam {
  name: string;
  path: string;
  /** Its levels, for a discrete parameter. */
  levels?: readonly (string | number | boolean)[];
  /** The interval of a continuous parameter, and whether it is sampled on a log scale (log axes). */
  min?: number;
  max?: number;
  log?: boolean;
}

/** An objective and its direction. */
export interface StudyObjective {
  key: string;
  direction: 'minimize' | 'maximize';
}

/** A result document so far: plain JSON whose `kind` is the study's. */
export type StudySoFar = { kind: string } & Record<string, unknown>;

/** A simulated trial as the progress file keeps it: its configuration, replication and headline metrics. */
export interface LatestTrial {
  config: Record<string, string | number | boolean>;
  replication: number;
  metrics: Record<string, number>;
}

/** Trials kept in `latest`, and the metrics kept of each (those the trial has). */
export const LATEST_TRIALS = 8;
export const LATEST_METRICS = ['responseTime.mean', 'responseTime.p95', 'throughput'] as const;

/** What an ETA is computed from: the CLI's progress line and the progress file use the same. */
export interface ProgressCounts {
  done: number;
  total: number;
  reused: number;
  workers: number;
  elapsedMs: number;
}

/** Milliseconds left at the rate of the trials simulated so far (0 when done; undefined while unknown). */
export function etaMs(p: ProgressCounts): number | undefined {
  const simulated = p.done - p.reused;
  const left = Math.max(0, p.total - p.done);
  if (left === 0) return 0;
  if (simulated <= 0 || p.workers === 0) return undefined;
  return (p.elapsedMs / simulated) * left;
}

/** A password written into a URL's user part (`//user:secret@`) masked, for anything shown or served. */
export const maskUrlPassword = (url: string): string => url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');

/**
 * Writes `progress.json` into a study folder: at once when asked, otherwise at most once a second when
 * something changed and every {@link HEARTBEAT_MS} anyway (a reader tells a study whose coordinator died
 * by a file that stopped changing). Each write replaces the whole file (never half a document).
 */
export class ProgressFile {
  readonly file: string;
  #p: StudyProgress;
  #dirty = false;
  #lastWrite = 0;
  readonly #started = Date.now();
  readonly #timer: NodeJS.Timeout;
  readonly #counts: () => Omit<ProgressCounts, 'elapsedMs'>;

  constructor(
    dir: string,
    o: {
      kind: string;
      scenario: string;
      backend: string;
      counts: () => Omit<ProgressCounts, 'elapsedMs'>;
      params?: readonly StudyParam[];
      objectives?: readonly StudyObjective[];
    },
  ) {
    this.file = path.join(dir, PROGRESS_FILE);
    this.#counts = o.counts;
    const now = new Date(this.#started).toISOString();
    this.#p = {
      format: PROGRESS_FORMAT,
      kind: o.kind,
      scenario: o.scenario,
      state: 'running',
      backend: maskUrlPassword(o.backend),
      done: 0,
      total: 0,
      reused: 0,
      workers: 0,
      etaSeconds: null,
      startedAt: now,
      updatedAt: now,
      latest: [],
      ...(o.params ? { params: o.params.map(studyParam) } : {}),
      ...(o.objectives ? { objectives: o.objectives.map((x) => ({ ...x })) } : {}),
    };
    this.write();
    this.#timer = setInterval(() => {
      if (this.#dirty || Date.now() - this.#lastWrite >= HEARTBEAT_MS || this.#workersChanged()) this.write();
    }, 1000);
    this.#timer.unref();
  }

  /** Something changed: written within a second. */
  touch(): void {
    this.#dirty = true;
  }

  /** A trial simulated just now: kept among the latest (written within a second). */
  trial(t: LatestTrial): void {
    const metrics = Object.fromEntries(
      LATEST_METRICS.filter((k) => Number.isFinite(t.metrics[k])).map((k) => [k, t.metrics[k]!]),
    );
    this.#p.latest = [{ config: t.config, replication: t.replication, metrics }, ...this.#p.latest].slice(
      0,
      LATEST_TRIALS,
    );
    this.#dirty = true;
  }

  /** The study's objectives, once known (written within a second). */
  objectives(list: readonly StudyObjective[]): void {
    this.#p = { ...this.#p, objectives: list.map((x) => ({ key: x.key, direction: x.direction })) };
    this.#dirty = true;
  }

  /**
   * The study's result document so far (its `kind` is the study's): it replaces the one before, written
   * within a second (a fast search rewrites the file once a second, not once a batch).
   */
  soFar(doc: StudySoFar): void {
    this.#p = { ...this.#p, soFar: doc };
    this.#dirty = true;
  }

  /** Writes the current counts now. */
  write(): void {
    const c = { ...this.#counts(), elapsedMs: Date.now() - this.#started };
    const eta = etaMs(c);
    this.#p = {
      ...this.#p,
      done: c.done,
      // Finished: what ran is the whole study (plans of some designs count a repeated point twice).
      total: this.#p.state === 'finished' ? c.done : Math.max(c.total, c.done),
      reused: c.reused,
      workers: c.workers,
      etaSeconds: eta === undefined ? null : Math.round(eta / 1000),
      updatedAt: new Date().toISOString(),
    };
    this.#dirty = false;
    this.#lastWrite = Date.now();
    try {
      replaceFile(this.file, `${JSON.stringify(this.#p, null, 2)}\n`);
    } catch {
      // Progress is for people watching: a full disk or a removed folder must not stop the study.
    }
  }

  /** The last state written, then no more writes. */
  end(state: Exclude<ProgressState, 'running'>): void {
    clearInterval(this.#timer);
    // Finished: its result file holds what `soFar` held (an interrupted or failed study keeps it: all there is).
    const { soFar, ...rest } = this.#p;
    this.#p = { ...rest, ...(state !== 'finished' && soFar ? { soFar } : {}), state };
    this.write();
  }

  #workersChanged(): boolean {
    return this.#counts().workers !== this.#p.workers;
  }
}

/** How often an unchanged progress file is written again: a reader takes a file older than 3 × this as stalled. */
export const HEARTBEAT_MS = 5000;

/**
 * Reads a progress document (another process writes it): undefined when it is not one. The backend is
 * masked again (a file written by hand or by another tool must not put a password on a page).
 */
export function parseProgress(text: string): StudyProgress | undefined {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!d || typeof d !== 'object' || d.format !== PROGRESS_FORMAT) return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  const state = ['running', 'finished', 'interrupted', 'failed'].includes(String(d.state))
    ? (d.state as ProgressState)
    : 'failed';
  return {
    format: PROGRESS_FORMAT,
    kind: String(d.kind ?? ''),
    scenario: String(d.scenario ?? ''),
    state,
    backend: maskUrlPassword(String(d.backend ?? '')),
    done: num(d.done),
    total: num(d.total),
    reused: num(d.reused),
    workers: num(d.workers),
    etaSeconds: typeof d.etaSeconds === 'number' && Number.isFinite(d.etaSeconds) ? d.etaSeconds : null,
    startedAt: String(d.startedAt ?? ''),
    updatedAt: String(d.updatedAt ?? ''),
    latest: Array.isArray(d.latest) ? d.latest.slice(0, LATEST_TRIALS).flatMap(latestTrial) : [],
    ...(Array.isArray(d.params) ? { params: d.params.flatMap(parsedParam) } : {}),
    ...(Array.isArray(d.objectives) ? { objectives: d.objectives.flatMap(parsedObjective) } : {}),
    ...(isSoFar(d.soFar, String(d.kind ?? '')) ? { soFar: d.soFar } : {}),
  };
}

/** A parameter as written into the file: its name, path, levels or interval, log scale. */
function studyParam(p: StudyParam): StudyParam {
  return {
    name: p.name,
    path: p.path,
    ...(p.levels ? { levels: [...p.levels] } : {}),
    ...(p.min !== undefined && Number.isFinite(p.min) ? { min: p.min } : {}),
    ...(p.max !== undefined && Number.isFinite(p.max) ? { max: p.max } : {}),
    ...(p.log ? { log: true } : {}),
  };
}

/** One entry of `params` as read, or nothing. */
function parsedParam(p: unknown): StudyParam[] {
  if (!p || typeof p !== 'object' || !('name' in p) || !('path' in p)) return [];
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  return [
    {
      name: String(p.name),
      path: String(p.path),
      ...('levels' in p && Array.isArray(p.levels)
        ? {
            levels: p.levels.filter((v: unknown) => ['string', 'number', 'boolean'].includes(typeof v)),
          }
        : {}),
      ...('min' in p && finite(p.min) ? { min: p.min } : {}),
      ...('max' in p && finite(p.max) ? { max: p.max } : {}),
      ...('log' in p && p.log === true ? { log: true } : {}),
    },
  ];
}

/** One entry of `objectives` as read, or nothing (an unknown direction is no objective). */
function parsedObjective(o: unknown): StudyObjective[] {
  if (!o || typeof o !== 'object' || !('key' in o) || !('direction' in o)) return [];
  if (typeof o.key !== 'string' || (o.direction !== 'minimize' && o.direction !== 'maximize')) return [];
  return [{ key: o.key, direction: o.direction }];
}

/** Whether `v` is a result document so far of a study of `kind` (a plain object of that kind). */
function isSoFar(v: unknown, kind: string): v is StudySoFar {
  return !!v && typeof v === 'object' && !Array.isArray(v) && (v as { kind?: unknown }).kind === kind;
}

/** One entry of `latest` as written, or nothing: only plain values go to a page. */
function latestTrial(v: unknown): LatestTrial[] {
  if (!v || typeof v !== 'object') return [];
  const t = v as Record<string, unknown>;
  const plain = (x: unknown) => ['string', 'number', 'boolean'].includes(typeof x);
  const entries = (o: unknown) => (o && typeof o === 'object' ? Object.entries(o) : []);
  return [
    {
      config: Object.fromEntries(entries(t.config).filter(([, x]) => plain(x))) as LatestTrial['config'],
      replication: typeof t.replication === 'number' ? t.replication : 0,
      metrics: Object.fromEntries(
        entries(t.metrics).filter(([, x]) => typeof x === 'number' && Number.isFinite(x)),
      ) as LatestTrial['metrics'],
    },
  ];
}
