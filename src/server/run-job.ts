import path from 'node:path';
import { writeSimulationRun, type RunFileText } from '../run-folder/index.js';
import { simulateWithSeries } from '../model/index.js';
import { loadScenarioOrThrow, readTraces } from '../scenario/index.js';

/** A simulation started from the page: plain data (it crosses into a worker thread). */
export interface JobSpec {
  /** Absolute path of the scenario file (presets and traces resolve from its folder). */
  file: string;
  /** Scenario text posted from the page, used in place of the file's. */
  text?: string;
  overrides: string[];
  /** Folders the scenario may read files from (the server's configured roots). */
  allowedRoots: string[];
  seed?: number;
  replications?: number;
  /** Run folder to write (created by the server, inside its runs folder). */
  dir: string;
}

/** What a job tells the server while it runs. */
export type JobMessage =
  | { type: 'progress'; fraction: number; replication: number }
  | { type: 'done'; files: string[]; wallSeconds: number }
  | { type: 'failed'; message: string; code?: string };

/**
 * Runs one job: loads the scenario, simulates it (reporting progress at most every 1 % or 100 ms), and
 * writes the same run folder as `e2ctwin simulate --out` (series.json included) plus, when the page
 * posted its own text, that text as `scenario.yaml`.
 */
export function runJob(spec: JobSpec, post: (m: JobMessage) => void): void {
  try {
    const scenario = loadScenarioOrThrow(spec.file, {
      ...(spec.text !== undefined ? { text: spec.text } : {}),
      overrides: spec.overrides,
      allowedRoots: spec.allowedRoots,
    });
    const traces = readTraces(scenario);
    let lastF = -1;
    let lastT = 0;
    const t0 = performance.now();
    const { result, spans, sampledRequests, series } = simulateWithSeries(scenario, {
      ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
      ...(spec.replications !== undefined ? { replications: spec.replications } : {}),
      traces,
      onProgress: (fraction, replication) => {
        const now = performance.now();
        if (fraction - lastF >= 0.01 || now - lastT >= 100) {
          lastF = fraction;
          lastT = now;
          post({ type: 'progress', fraction, replication });
        }
      },
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    // The page's own files go into the folder with the others: it is written whole.
    const extra: RunFileText[] = spec.text !== undefined ? [['scenario.yaml', spec.text]] : [];
    const files = writeSimulationRun(
      spec.dir,
      { scenario, overrides: spec.overrides, result, spans, sampledRequests, wallSeconds, series },
      extra,
    );
    post({ type: 'done', files: files.map((f) => path.basename(f)), wallSeconds });
  } catch (err) {
    const e = err as Error & { code?: string };
    post({ type: 'failed', message: e.message, ...(e.code ? { code: e.code } : {}) });
  }
}
