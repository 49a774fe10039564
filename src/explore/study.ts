import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadScenarioOrThrow, type FileRoots, type ResolvedScenario } from '../scenario/index.js';
import { Evaluator, type EvaluatorOptions } from './evaluator.js';
import type { TrialRunner } from './runner.js';
import type { SeedMode } from './seeds.js';
import { Space } from './space.js';
import { TrialStore } from './store.js';

export interface StudyOptions {
  /** The scenario file (relative to the working directory or absolute). */
  file: string;
  /** Scenario text to use instead of the file's. */
  text?: string;
  /** Folders files named by the scenario may be read from (the CLI's --allow-dir); every trial uses them. */
  roots?: FileRoots;
  /** `--set` overrides applied to every trial. */
  overrides?: readonly string[];
  /** `--param` flags; when empty, the scenario's `explore.params`. */
  params?: readonly string[];
  /** A ready-made space (overrides `params`). */
  space?: Space;
  runner: TrialRunner;
  /** Root seed; default the scenario's. */
  seed?: number;
  seedMode?: SeedMode;
  /** Replications per configuration; default the scenario's `run.replications`. */
  replications?: number;
  /** Study folder holding `study.sqlite`; without it nothing is stored (and nothing resumes). */
  outDir?: string;
  /** Discard the trials stored in `outDir`. */
  fresh?: boolean;
  /** e2ctwin version, part of the store's identity (results of another version are not reused). */
  version?: string;
  signal?: AbortSignal;
  onTrial?: EvaluatorOptions['onTrial'];
}

/** What every exploration verb works with: the base scenario, the space, the evaluator and the store. */
export interface Study {
  scenario: ResolvedScenario;
  scenarioFile: string;
  overrides: readonly string[];
  space: Space;
  evaluator: Evaluator;
  store?: TrialStore;
  rootSeed: number;
  seedMode: SeedMode;
  replications: number;
  /** Closes the store (the runner belongs to the caller). */
  close(): void;
}

/**
 * Loads the scenario (a bad one throws ScenarioError with every issue), builds the parameter space and
 * checks that its extreme configurations are valid scenarios (so a bad path or an out-of-range level is
 * reported before anything runs), then opens the store and the evaluator.
 */
export function openStudy(o: StudyOptions): Study {
  const overrides = [...(o.overrides ?? [])];
  const scenarioFile = path.resolve(o.file);
  const text = o.text ?? readFileSync(scenarioFile, 'utf8');
  const load = (extra: string[]) => loadScenarioOrThrow(o.file, { overrides: [...overrides, ...extra], ...(o.text !== undefined ? { text: o.text } : {}), ...o.roots });
  const scenario = load([]);
  const space = o.space ?? Space.from(o.params ?? [], scenario.explore);
  const lo = space.params.map((_, i) => space.gridLevels(i, 2)[0]!);
  const hi = space.params.map((_, i) => space.gridLevels(i, 2).at(-1)!);
  load(space.overrides(lo));
  load(space.overrides(hi));
  const rootSeed = o.seed ?? scenario.seed;
  const seedMode = o.seedMode ?? 'crn';
  const replications = o.replications ?? scenario.run.replications;
  const store = o.outDir
    ? TrialStore.open(o.outDir, { scenarioFile, scenarioSha256: createHash('sha256').update(text).digest('hex'), overrides, version: o.version ?? 'dev' }, { fresh: o.fresh ?? false })
    : undefined;
  const evaluator = new Evaluator({
    runner: o.runner, ...(store ? { store } : {}), space, scenarioFile, ...(o.text !== undefined ? { scenarioText: o.text } : {}), ...(o.roots ? { roots: o.roots } : {}),
    baseOverrides: overrides, rootSeed, seedMode, replications,
    ...(o.signal ? { signal: o.signal } : {}), ...(o.onTrial ? { onTrial: o.onTrial } : {}),
  });
  return {
    scenario, scenarioFile, overrides, space, evaluator, ...(store ? { store } : {}), rootSeed, seedMode, replications,
    close() {
      store?.close();
    },
  };
}
