import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FilePolicy, loadScenario, SHIPPED_ROOTS, type FileRead } from '../scenario/index.js';
import type { TrialTask } from './trial.js';

/**
 * What a trial sent to another machine carries so that the worker needs no shared file system: the scenario
 * text and every file it names (presets, calibration, traces), read here under the study's file policy.
 * Paths inside e2ctwin's own shipped folders (models/, scenarios/, calibration/) travel as `@shipped<i>/…`
 * and are mapped onto the worker's install, so a named preset resolves there as it did here.
 */
export type WireFiles = [key: string, read: FileRead][];

const MAX_ROUNDS = 64;

/** Reads the scenario text and every file the task's scenario (with its overrides) names. */
export function inlineFiles(
  task: TrialTask,
): TrialTask & { scenarioText: string; files: Map<string, FileRead> } {
  const text = task.scenarioText ?? readFileSync(task.scenarioFile, 'utf8');
  const policy = FilePolicy.forScenario(task.scenarioFile, task.roots ?? {});
  const prefetch = {
    done: new Map<string, FileRead>(),
    wanted: new Map<string, { file: string; kind: 'yaml' | 'trace' }>(),
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    prefetch.wanted.clear();
    loadScenario(task.scenarioFile, { overrides: task.overrides, text, ...task.roots, prefetch });
    if (prefetch.wanted.size === 0) break;
    for (const [key, w] of prefetch.wanted) prefetch.done.set(key, policy.read(w.file, w.kind));
  }
  return { ...task, scenarioText: text, files: prefetch.done };
}

const TOKEN = /^@shipped(\d+)(\/.*|)$/;

/** The files as plain data for the queue, shipped folders as tokens. */
export function filesToWire(files: ReadonlyMap<string, FileRead>): WireFiles {
  return [...files].map(([key, read]) => {
    const nul = key.indexOf('\0');
    const kind = key.slice(0, nul);
    const file = key.slice(nul + 1);
    const i = SHIPPED_ROOTS.findIndex((r) => file === r || file.startsWith(r + path.sep));
    const portable =
      i < 0 ? file : `@shipped${i}${file.slice(SHIPPED_ROOTS[i]!.length).split(path.sep).join('/')}`;
    return [`${kind}\0${portable}`, read];
  });
}

/** The files of a job, keyed for this machine's loader. */
export function filesFromWire(wire: WireFiles): Map<string, FileRead> {
  return new Map(
    wire.map(([key, read]) => {
      const nul = key.indexOf('\0');
      const m = TOKEN.exec(key.slice(nul + 1));
      if (!m) return [key, read];
      const root = SHIPPED_ROOTS[Number(m[1])];
      if (root === undefined) return [key, read];
      return [`${key.slice(0, nul)}\0${path.join(root, ...m[2]!.split('/'))}`, read];
    }),
  );
}
