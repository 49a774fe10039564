import { createStream } from '../../src/random/index.js';
import { InProcessRunner } from '../../src/explore/runner.js';
import {
  type MorrisIndex,
  morrisIndices,
  morrisTrajectories,
  morrisValue,
} from '../../src/explore/sensitivity.js';
import { openStudy } from '../../src/explore/study.js';

/** A trial as GET /api/studies/:id/trials serves it. */
export interface ServedTrial {
  config: Record<string, unknown>;
  replication: number;
  metrics: Record<string, number>;
}

/**
 * The Morris indices of `metric` over the trajectories `complete` of a study run with these flags,
 * recomputed from the trials its store served: the design drawn again from the study's seed, each point
 * looked up among the trials (one replication), the effects by the library's own function. Throws when a
 * point of a complete trajectory is not among the trials (the document so far would be over trials that
 * are not in the store). For tests that hold the page's partial indices against what was simulated.
 */
export function morrisFromTrials(o: {
  scenario: string;
  params: readonly string[];
  overrides: readonly string[];
  trajectories: number;
  levels: number;
  metric: string;
  complete: readonly number[];
  trials: readonly ServedTrial[];
}): MorrisIndex[] {
  const study = openStudy({
    file: o.scenario,
    overrides: o.overrides,
    params: o.params,
    runner: new InProcessRunner(),
    replications: 1,
  });
  try {
    const { space, rootSeed } = study;
    const traj = morrisTrajectories(
      space.dims,
      o.trajectories,
      o.levels,
      createStream(rootSeed, 'explore.sensitivity.morris', 0),
    );
    const names = space.params.map((p) => p.name);
    const byConfig = new Map(
      o.trials.map((t) => [JSON.stringify(names.map((n) => t.config[n])), t.metrics[o.metric]]),
    );
    const values = o.complete.map((ti) =>
      traj[ti]!.points.map((u) => {
        const key = JSON.stringify(space.params.map((p, i) => morrisValue(p, u[i]!)));
        const v = byConfig.get(key);
        if (v === undefined) throw new Error(`trajectory ${ti}: point ${key} is not among the trials`);
        return v;
      }),
    );
    return morrisIndices(
      space,
      o.complete.map((ti) => traj[ti]!),
      values,
      o.levels,
      { rng: createStream(rootSeed, `explore.sensitivity.morris.bootstrap.${o.metric}`, 0) },
    );
  } finally {
    study.close();
  }
}
