import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/random/index.js';
import { InProcessRunner } from '../../src/explore/runner.js';
import {
  morris,
  morrisIndices,
  morrisTrajectories,
  type MorrisSoFar,
} from '../../src/explore/sensitivity.js';
import { openStudy } from '../../src/explore/study.js';

// A running Morris study reports its indices over the trajectories complete so far (what a page draws
// while it runs), computed as the final ones: with every trajectory in, the same numbers; and asking for
// them changes nothing of the study's results.

const open = () =>
  openStudy({
    file: 'scenarios/validation/mm1.yaml',
    overrides: ['run.requests=300', 'run.warmup=20', 'run.replications=1'],
    params: ['outside.source.workload.ratePerS=0.2..0.8', 'system.station.pools.server=1..3'],
    runner: new InProcessRunner(),
    replications: 1,
  });
const METRICS = ['responseTime.mean', 'throughput'];

describe('Morris indices so far', () => {
  it('are reported after each trajectory, over the complete ones, and end equal to the final indices', async () => {
    const reports: MorrisSoFar[] = [];
    const study = open();
    const r = await morris(study, {
      metrics: METRICS,
      trajectories: 5,
      levels: 4,
      onTrajectory: (x) => reports.push(structuredClone(x)),
    });
    expect(reports.map((x) => [x.trajectories, x.of])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 5]));
    // They need not complete in the design's order (a point shared with an earlier trajectory is not
    // simulated again): each report names those it is over.
    const dims = study.space.dims;
    const traj = morrisTrajectories(
      dims,
      5,
      4,
      createStream(study.rootSeed, 'explore.sensitivity.morris', 0),
    );
    for (const [k, report] of reports.entries()) {
      const n = report.trajectories;
      expect(report.complete).toHaveLength(n);
      if (k > 0) expect(report.complete).toEqual(expect.arrayContaining(reports[k - 1]!.complete));
      for (const m of METRICS) {
        const values = report.complete.map((ti) =>
          r.evaluations.slice(ti * (dims + 1), (ti + 1) * (dims + 1)).map((e) => e.summary.mean[m]!),
        );
        const expected = morrisIndices(
          study.space,
          report.complete.map((ti) => traj[ti]!),
          values,
          4,
          { rng: createStream(study.rootSeed, `explore.sensitivity.morris.bootstrap.${m}`, 0) },
        );
        expect(report.indices[m]).toEqual(expected);
        expect(report.indices[m]!.every((x) => x.effects === n)).toBe(true);
      }
    }
    // One trajectory gives one effect per factor: μ* known, σ not.
    expect(reports[0]!.indices[METRICS[0]!]!.every((x) => Number.isNaN(x.sigma))).toBe(true);
    expect(reports.at(-1)!.indices).toEqual(r.indices);
  });

  it('leave the results as they are without them', async () => {
    const a = await morris(open(), { metrics: METRICS, trajectories: 4 });
    const b = await morris(open(), { metrics: METRICS, trajectories: 4, onTrajectory: () => {} });
    expect(b.indices).toEqual(a.indices);
    expect(b.evaluations.map((e) => e.summary)).toEqual(a.evaluations.map((e) => e.summary));
    expect(b.runs).toBe(a.runs);
  });
});
