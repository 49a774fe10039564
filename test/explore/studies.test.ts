import { describe, expect, it } from 'vitest';
import { bracketOf, capacity, loadField, type CapacityStep } from '../../src/explore/capacity.js';
import { constraintsFrom, objectivesFrom, parseConstraint } from '../../src/explore/objectives.js';
import { optimize } from '../../src/explore/optimize.js';
import { InProcessRunner } from '../../src/explore/runner.js';
import { makeParam, Space } from '../../src/explore/space.js';
import { openStudy } from '../../src/explore/study.js';

describe('capacity', () => {
  it('finds the M/M/1 arrival rate at which the mean response time reaches 2 s: λ = μ − 1/2 = 0.5/s', async () => {
    const file = 'scenarios/validation/mm1.yaml';
    const overrides = ['run.requests=20000', 'run.warmup=100'];
    const probe = openStudy({
      file,
      overrides,
      params: ['outside.source.workload.ratePerS=0.1..0.9'],
      runner: new InProcessRunner(),
    });
    const load = loadField(probe.scenario);
    expect(load).toEqual({ path: 'outside.source.workload.ratePerS', integer: false, current: 0.7 });
    const study = openStudy({
      file,
      overrides,
      runner: new InProcessRunner(),
      replications: 4,
      space: new Space([makeParam(load.path, { min: 0.01, max: 0.99, integer: false, log: false })]),
    });
    // What a page following the search is told after each load decided: the steps so far and their bracket.
    const told: { steps: CapacityStep[]; bracket: ReturnType<typeof bracketOf> }[] = [];
    const r = await capacity(study, {
      onStep: (steps) => told.push({ steps: [...steps], bracket: bracketOf(steps) }),
      load,
      slo: parseConstraint('responseTime.mean <= 2'),
      replications: 4,
      maxReplications: 16,
      tolerance: 0.02,
      lo: 0.2,
      hi: 0.9,
    });
    expect(r.capacity).toBeGreaterThan(0.47);
    expect(r.capacity).toBeLessThan(0.52);
    expect(r.firstFailure! - r.capacity!).toBeLessThanOrEqual(0.02 * 0.9 + 1e-12);
    expect(r.steps[0]).toMatchObject({ load: 0.9, verdict: 'fails' });
    expect(r.steps.find((s) => s.load === 0.2)?.verdict).toBe('meets');
    // Told once per load decided, each time the steps so far; the bracket narrows to the answer.
    expect(told.map((t) => t.steps)).toEqual(r.steps.map((_, i) => r.steps.slice(0, i + 1)));
    expect(told[0]!.bracket).toEqual({ firstFailure: 0.9, uncertain: false });
    for (const [a, b] of told.slice(1).map((t, i) => [told[i]!.bracket, t.bracket] as const)) {
      expect(b.capacity ?? -Infinity).toBeGreaterThanOrEqual(a.capacity ?? -Infinity);
      expect(b.firstFailure ?? Infinity).toBeLessThanOrEqual(a.firstFailure ?? Infinity);
    }
    const { atCapacity, ...last } = told.at(-1)!.bracket;
    expect(last).toEqual({ capacity: r.capacity, firstFailure: r.firstFailure, uncertain: r.uncertain });
    expect(atCapacity).toEqual(r.atCapacity);
  });
});

describe('optimize on a simulated scenario', () => {
  it('is reproducible by seed and confirms its best configuration with a CI; infeasible configurations never win', async () => {
    const run = async () => {
      const study = openStudy({
        file: 'scenarios/plantnet.yaml',
        overrides: ['run.duration=200', 'run.warmup=50'],
        params: ['cloud.engine.pools.extract=4..10', 'cloud.engine.pools.http=10..30:10'],
        runner: new InProcessRunner(),
        replications: 1,
      });
      const r = await optimize(study, {
        algorithm: 'tpe',
        budget: 14,
        batch: 3,
        objectives: objectivesFrom([], study.scenario.explore),
        constraints: constraintsFrom(['responseTime.p95 <= 100'], study.scenario.explore, study.scenario),
        confirm: { top: 2, replications: 3 },
      });
      return { r, space: study.space };
    };
    const a = await run();
    const b = await run();
    expect(b.r.history).toEqual(a.r.history);
    expect(a.r.simulations).toBe(14);
    // extract 9 and 10 exceed the V100's 32 GiB (2 + 3.5 GiB per thread): the best is feasible.
    expect(a.r.best!.feasible).toBe(true);
    expect(a.r.best!.config[0]).toBeLessThanOrEqual(8);
    expect(a.r.best!.evaluation.summary.n).toBe(3);
    expect(a.r.best!.halfWidth).toBeGreaterThan(0);
    // The history's incumbent never gets worse.
    const best = a.r.history.map((h) => (h.best && h.best.violation === 0 ? h.best.values[0]! : Infinity));
    best.forEach((v, i) => i > 0 && expect(v).toBeLessThanOrEqual(best[i - 1]!));
  });
});
