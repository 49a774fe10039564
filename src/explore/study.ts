import path from 'node:path';
import { loadScenarioOrThrow, type FileRoots, type ResolvedScenario } from '../scenario/index.js';
import { Evaluator, type EvaluatorOptions } from './evaluator.js';
import type { TrialRunner } from './runner.js';
import type { SeedMode } from './seeds.js';
import { Space, type Config } from './space.js';
import { TrialStore } from './store.js';
import {
  canonicalJson,
  IDENTITY_FORMAT,
  scenarioInputs,
  sha256,
  type StudyIdentity,
} from './study-identity.js';

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
  /** e2ctwin version, part of the study's identity (results of another version are not reused). */
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
  /** What the trials depend on (see {@link StudyIdentity}); a store of another identity is refused. */
  identity: StudyIdentity;
  /** Closes the store (the runner belongs to the caller). */
  close(): void;
}

/**
 * Loads the scenario (a bad one throws ScenarioError with every issue), builds the parameter space and
 * checks that its extreme configurations are valid scenarios (so a bad path or an out-of-range level is
 * reported before anything runs), computes the study's identity from the resolved scenario and the files it
 * uses, then opens the store (refusing one of another identity, or a damaged one) and the evaluator.
 */
export function openStudy(o: StudyOptions): Study {
  const overrides = [...(o.overrides ?? [])];
  const scenarioFile = path.resolve(o.file);
  const load = (extra: string[]) =>
    loadScenarioOrThrow(o.file, {
      overrides: [...overrides, ...extra],
      ...(o.text !== undefined ? { text: o.text } : {}),
      ...o.roots,
    });
  const scenario = load([]);
  const space = o.space ?? Space.from(o.params ?? [], scenario.explore);
  const lo = space.params.map((_, i) => space.gridLevels(i, 2)[0]!);
  const hi = space.params.map((_, i) => space.gridLevels(i, 2).at(-1)!);
  load(space.overrides(lo));
  load(space.overrides(hi));
  const identity: StudyIdentity = {
    format: IDENTITY_FORMAT,
    version: o.version ?? 'dev',
    overrides,
    inputs: studyInputs(scenario, space, lo, load),
  };
  const inputsSha256 = sha256(canonicalJson(identity));
  const rootSeed = o.seed ?? scenario.seed;
  const seedMode = o.seedMode ?? 'crn';
  const replications = o.replications ?? scenario.run.replications;
  const store = o.outDir
    ? TrialStore.open(o.outDir, identity, { fresh: o.fresh ?? false, scenarioFile })
    : undefined;
  const evaluator = new Evaluator({
    runner: o.runner,
    ...(store ? { store } : {}),
    space,
    scenarioFile,
    ...(o.text !== undefined ? { scenarioText: o.text } : {}),
    ...(o.roots ? { roots: o.roots } : {}),
    baseOverrides: overrides,
    rootSeed,
    seedMode,
    replications,
    inputsSha256,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onTrial ? { onTrial: o.onTrial } : {}),
  });
  return {
    scenario,
    scenarioFile,
    overrides,
    space,
    evaluator,
    ...(store ? { store } : {}),
    rootSeed,
    seedMode,
    replications,
    identity,
    close() {
      store?.close();
    },
  };
}

/**
 * The study's inputs by part: the base scenario's, plus, for each level of a categorical parameter (the only
 * kind whose values can name another file: `host=a,b`, `app=x.yaml,y.yaml`), the digest of the scenario
 * resolved at that level.
 */
function studyInputs(
  scenario: ResolvedScenario,
  space: Space,
  base: Config,
  load: (extra: string[]) => ResolvedScenario,
): Record<string, string> {
  const inputs = scenarioInputs(scenario);
  space.params.forEach((p, i) => {
    if (!p.categorical) return;
    for (const level of p.levels ?? []) {
      const config = base.map((v, j) => (j === i ? level : v));
      inputs[`the scenario with ${p.path}=${String(level)}`] = sha256(
        canonicalJson(scenarioInputs(load(space.overrides(config)))),
      );
    }
  });
  return inputs;
}
