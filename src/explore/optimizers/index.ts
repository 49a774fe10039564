import { createStream } from '../../random/index.js';
import type { Space } from '../space.js';
import { LhsSearch, RandomSearch } from './basic.js';
import { GpEi } from './gp-ei.js';
import { Asha, SuccessiveHalving, type FidelityOptions } from './multi-fidelity.js';
import { Nsga2 } from './nsga2.js';
import { Tpe } from './tpe.js';
import type { Optimizer } from './types.js';

export * from './types.js';
export { RandomSearch, LhsSearch } from './basic.js';
export { Tpe, ParzenEstimator, tpeGamma, tpeWeights } from './tpe.js';
export { GpEi } from './gp-ei.js';
export { GaussianProcess, nelderMead } from './gp.js';
export { Nsga2 } from './nsga2.js';
export { Asha, SuccessiveHalving, rungs, type FidelityOptions } from './multi-fidelity.js';

export const ALGORITHMS = ['random', 'lhs', 'tpe', 'gp', 'sha', 'asha', 'nsga2'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
export const MULTI_FIDELITY: ReadonlySet<Algorithm> = new Set(['sha', 'asha']);

/**
 * Makes an optimizer seeded from the project's named streams: stream `explore.optimizer.<name>` of
 * (seed, replication 0), so the same seed gives the same suggestions for the same observations.
 */
export function makeOptimizer(
  algorithm: Algorithm,
  o: { space: Space; seed: number; objectives: number; budget: number; fidelity?: FidelityOptions },
): Optimizer {
  const ctx = {
    space: o.space,
    rng: createStream(o.seed, `explore.optimizer.${algorithm}`, 0),
    objectives: o.objectives,
    budget: o.budget,
  };
  switch (algorithm) {
    case 'random':
      return new RandomSearch(ctx);
    case 'lhs':
      return new LhsSearch(ctx);
    case 'tpe':
      return new Tpe(ctx);
    case 'gp':
      return new GpEi(ctx);
    case 'nsga2':
      return new Nsga2(ctx);
    case 'sha':
    case 'asha': {
      if (!o.fidelity) throw new Error(`${algorithm} needs fidelity options`);
      return algorithm === 'sha' ? new SuccessiveHalving(ctx, o.fidelity) : new Asha(ctx, o.fidelity);
    }
  }
}
