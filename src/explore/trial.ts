import { replicationMetrics, Simulation } from '../model/index.js';
import {
  type FileRead,
  loadScenario,
  loadScenarioReusingFiles,
  readTraces,
  type FileRoots,
  type Prefetch,
  type ResolvedScenario,
  type ScenarioIssue,
} from '../scenario/index.js';
import { flattenMetrics, type FlatMetrics } from './metrics.js';

/**
 * One simulation to run: plain, structured-clonable data, so it can cross a worker thread (or, later, a
 * network). The result depends on these fields only.
 */
export interface TrialTask {
  /** Absolute path of the scenario file (relative presets and traces are found from it). */
  scenarioFile: string;
  /** Scenario text to use instead of reading the file (the web view posts text). */
  scenarioText?: string;
  /** Digest of the study's inputs (files included): part of the resolved-scenario cache key, not of the result. */
  inputsSha256?: string;
  /** `path=value` overrides: the study's base overrides, the configuration's, then the fidelity's. */
  overrides: string[];
  /** Root seed of the named random streams. */
  seed: number;
  /** Replication index (the third component of every stream's seed). */
  replication: number;
  /** The folders files named by the scenario may be read from (the study's file policy, applied alike in every worker). */
  roots?: FileRoots;
  /**
   * The files the scenario names (presets, calibration, traces), read by the coordinator: a worker on another
   * machine reads these instead of its file system (see queue-files.ts). Keyed like {@link Prefetch.done}.
   */
  files?: Prefetch['done'];
}

/** What a trial returns: the replication's flat metrics, or the scenario issues that stopped it. */
export type TrialOutput =
  /**
   * wallMs: the whole trial in the worker; runMs: the part inside `Simulation.run()` (the rest is loading
   * the scenario, building the model and flattening its metrics: what a study pays per trial besides
   * simulating). Neither is part of the result.
   */
  | { ok: true; metrics: FlatMetrics; wallMs: number; runMs?: number }
  | { ok: false; issues: ScenarioIssue[] }
  | { ok: false; error: string };

// Replications of one configuration often land on the same thread: keep a few resolved scenarios.
const cache = new Map<string, { scenario: ResolvedScenario; traces: ReadonlyMap<string, Float64Array> }>();

/**
 * The files of the studies this thread works for, by study digest and file roots: a study's tasks carry
 * `inputsSha256`, the digest of its scenario and of every file it uses, so a worker reads those files for
 * its first trial of the study and answers every later trial's reads from memory (each configuration is
 * still loaded, overridden and checked on its own). Reading them again cost about 3 ms of a ~7 ms load of
 * Pl@ntNet (the file policy's checks, the reads). Tasks without a digest read their files each time.
 */
const studyFiles = new Map<string, Map<string, FileRead>>();
const STUDY_FILES_MAX = 4;

/** E2CTWIN_REREAD_FILES=1 reads every file on every trial (the path without the memo, for comparison). */
const reuseFiles = process.env.E2CTWIN_REREAD_FILES !== '1';

function filesOfStudy(task: TrialTask): Map<string, FileRead> | undefined {
  if (!reuseFiles || task.inputsSha256 === undefined || task.files) return undefined;
  const key = `${task.inputsSha256}\0${task.scenarioFile}\0${JSON.stringify(task.roots ?? {})}`;
  let files = studyFiles.get(key);
  if (!files) {
    files = new Map();
    if (studyFiles.size >= STUDY_FILES_MAX) studyFiles.delete(studyFiles.keys().next().value!);
    studyFiles.set(key, files);
  }
  return files;
}

/** Runs one replication of one configuration (the body of the worker thread, also usable in-process). */
export function runTrial(task: TrialTask): TrialOutput {
  const t0 = performance.now();
  try {
    const key = `${task.scenarioFile}\0${task.inputsSha256 ?? ''}\0${task.scenarioText ?? ''}\0${task.overrides.join('\n')}\0${JSON.stringify(task.roots ?? {})}`;
    let entry = cache.get(key);
    if (!entry) {
      const options = {
        overrides: task.overrides,
        ...(task.scenarioText !== undefined ? { text: task.scenarioText } : {}),
        ...task.roots,
        ...(task.files ? { prefetch: { done: task.files, wanted: new Map() } } : {}),
      };
      const files = filesOfStudy(task);
      const r = files
        ? loadScenarioReusingFiles(task.scenarioFile, options, files)
        : loadScenario(task.scenarioFile, options);
      if (!r.ok) return { ok: false, issues: r.issues };
      entry = { scenario: r.scenario, traces: readTraces(r.scenario) };
      if (cache.size >= 8) cache.delete(cache.keys().next().value!);
      cache.set(key, entry);
    }
    const sim = new Simulation(entry.scenario, {
      seed: task.seed,
      replication: task.replication,
      spanSample: 0,
      traces: entry.traces,
    });
    const t1 = performance.now();
    sim.run();
    const runMs = performance.now() - t1;
    const metrics = flattenMetrics(replicationMetrics(sim));
    return { ok: true, metrics, wallMs: performance.now() - t0, runMs };
  } catch (err) {
    return { ok: false, error: (err as Error).stack ?? String(err) };
  }
}
