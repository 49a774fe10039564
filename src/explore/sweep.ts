import { createStream } from '../random/index.js';
import { lhsDesign, randomDesign, sobolDesign } from './designs.js';
import { ExploreError, ExploreErrorCode } from './errors.js';
import type { Evaluation } from './evaluator.js';
import type { Config } from './space.js';
import type { Study } from './study.js';

export type SweepDesign = 'grid' | 'random' | 'lhs' | 'sobol';

export interface SweepOptions {
  design: SweepDesign;
  /** Number of configurations of a random, LHS or Sobol design. */
  points?: number;
  /** Levels of continuous parameters in a grid (discrete parameters use all their levels). */
  levels?: number;
  /** Seed of the design (random, LHS, Sobol shift); default the study's root seed. */
  seed?: number;
}

/** The configurations of a sweep design, in run order (deterministic for a seed). */
export function sweepConfigs(study: Pick<Study, 'space' | 'rootSeed'>, o: SweepOptions): Config[] {
  const { space } = study;
  const rng = createStream(o.seed ?? study.rootSeed, `explore.sweep.${o.design}`, 0);
  if (o.design === 'grid') return space.grid(o.levels ?? 5);
  const n = o.points;
  if (n === undefined || !(n >= 1))
    throw new ExploreError(ExploreErrorCode.BAD_OPTION, `a ${o.design} design needs --points N (N ≥ 1)`, {
      design: o.design,
    });
  if (o.design === 'random') return randomDesign(space, n, rng);
  if (o.design === 'lhs') return lhsDesign(space, n, rng);
  return sobolDesign(space, n, rng);
}

/** Runs every configuration of the design with the study's replications. */
export async function runSweep(
  study: Study,
  o: SweepOptions,
): Promise<{ configs: Config[]; evaluations: Evaluation[] }> {
  const configs = sweepConfigs(study, o);
  const evaluations = await study.evaluator.evaluate(configs.map((config) => ({ config })));
  return { configs, evaluations };
}
