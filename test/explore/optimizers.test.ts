import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/random/index.js';
import {
  Asha,
  makeOptimizer,
  rungs,
  SuccessiveHalving,
  tpeGamma,
  tpeWeights,
  type Algorithm,
  type Observation,
  type Optimizer,
} from '../../src/explore/optimizers/index.js';
import { paretoFront } from '../../src/explore/pareto.js';
import { parseParamFlag, Space, type Config } from '../../src/explore/space.js';

// Synthetic problems (no simulation): a 3-D integer grid of 15³ = 3,375 configurations.
const space = new Space([parseParamFlag('a=1..15'), parseParamFlag('b=1..15'), parseParamFlag('c=1..15')]);
const bowl = (c: Config) =>
  1 + ((c[0] as number) - 12) ** 2 + 0.5 * ((c[1] as number) - 4) ** 2 + 2 * ((c[2] as number) - 9) ** 2;

function observe(c: Config, values: number[], violation = 0, fidelity = 0): Observation {
  return { config: c, key: space.key(c), values, violation, margins: [violation > 0 ? 1 : -1], fidelity };
}

/** Runs ask/tell until `budget` evaluations; returns the evaluations in order. */
function drive(
  opt: Optimizer,
  f: (c: Config) => { values: number[]; violation?: number },
  budget: number,
  batch = 4,
): Observation[] {
  const seen: Observation[] = [];
  while (seen.length < budget) {
    const asks = opt.ask(Math.min(batch, budget - seen.length));
    if (asks.length === 0) break;
    const obs = asks.map((s) => {
      const r = f(s.config);
      return observe(s.config, r.values, r.violation ?? 0, s.fidelity ?? 0);
    });
    opt.tell(obs);
    seen.push(...obs);
  }
  return seen;
}

const make = (alg: Algorithm, seed: number, budget = 100) =>
  makeOptimizer(alg, { space, seed, objectives: 1, budget });
const hitTime = (obs: Observation[], target: number) => {
  const i = obs.findIndex((o) => o.violation === 0 && o.values[0]! <= target);
  return i < 0 ? Infinity : i + 1;
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

describe('optimizers (ask/tell)', () => {
  it('never propose a configuration twice, even in batches (constant liar / pending bookkeeping)', () => {
    for (const alg of ['random', 'lhs', 'tpe', 'gp', 'nsga2'] as const) {
      const obs = drive(make(alg, 1), (c) => ({ values: [bowl(c)] }), 60, 5);
      expect(new Set(obs.map((o) => o.key)).size, alg).toBe(obs.length);
    }
  });

  it('are reproducible by seed: the same seed gives the same first 20 suggestions, another seed others', () => {
    for (const alg of ['random', 'lhs', 'tpe', 'gp', 'nsga2'] as const) {
      const a = drive(make(alg, 7), (c) => ({ values: [bowl(c)] }), 20).map((o) => o.key);
      const b = drive(make(alg, 7), (c) => ({ values: [bowl(c)] }), 20).map((o) => o.key);
      const c = drive(make(alg, 8), (c2) => ({ values: [bowl(c2)] }), 20).map((o) => o.key);
      expect(b, alg).toEqual(a);
      expect(c, alg).not.toEqual(a);
    }
  });

  it("TPE and GP-EI find the bowl's single minimum far sooner than random search (median of 3 seeds)", () => {
    // Random search hits one configuration of 3,375 in a median of ln 2·3,375 ≈ 2,340 evaluations.
    const seeds = [1, 2, 3];
    const med = (alg: Algorithm, budget: number) =>
      median(
        seeds.map((s) =>
          hitTime(
            drive(make(alg, s, budget), (c) => ({ values: [bowl(c)] }), budget),
            1.0,
          ),
        ),
      );
    expect(med('tpe', 150)).toBeLessThan(150);
    expect(med('gp', 40)).toBeLessThan(40);
  });

  it('respect constraints: the best feasible configuration is found, infeasible ones rank last', () => {
    // Minimum of the bowl at a = 12 is forbidden (a ≤ 8): the constrained optimum is a = 8.
    const f = (c: Config) => ({ values: [bowl(c)], violation: Math.max(0, (c[0] as number) - 8) / 8 });
    for (const alg of ['tpe', 'gp'] as const) {
      const obs = drive(make(alg, 3, 60), f, 60);
      const best = obs.filter((o) => o.violation === 0).sort((x, y) => x.values[0]! - y.values[0]!)[0]!;
      expect(best.config, alg).toEqual([8, 4, 9]);
    }
  });

  it("TPE uses Optuna's γ(n) = min(⌈0.1n⌉, 25) and ramp weights", () => {
    expect([1, 10, 11, 100, 300].map(tpeGamma)).toEqual([1, 1, 2, 10, 25]);
    expect(tpeWeights(3)).toEqual([1, 1, 1]);
    const w = tpeWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30);
    expect(w.slice(5).every((x) => x === 1)).toBe(true);
    expect(w[4]).toBeCloseTo(1, 10);
  });

  it('NSGA-II recovers most of a two-objective front under constrained domination', () => {
    // f1 = a, f2 = (15 − a)² + |b − 8| + |c − 3|: the front is a = 1..15 with b = 8, c = 3; a > 13 is infeasible.
    const f = (c: Config) => ({
      values: [
        c[0] as number,
        (15 - (c[0] as number)) ** 2 + Math.abs((c[1] as number) - 8) + Math.abs((c[2] as number) - 3),
      ],
      violation: (c[0] as number) > 13 ? 1 : 0,
    });
    const opt = makeOptimizer('nsga2', { space, seed: 2, objectives: 2, budget: 480 });
    const obs = drive(opt, f, 480, 8);
    const front = paretoFront(obs).map((i) => obs[i]!.config);
    const truth = Array.from({ length: 13 }, (_, i) => [i + 1, 8, 3]);
    const found = truth.filter((t) => front.some((c) => c.join() === t.join())).length;
    expect(found).toBeGreaterThanOrEqual(10);
    expect(front.every((c) => (c[0] as number) <= 13)).toBe(true);
  });
});

describe('successive halving and ASHA (fidelity = requests)', () => {
  const fid = { min: 1000, max: 16000, eta: 4 };

  it('rungs are min·η^k up to the maximum', () => {
    expect(rungs(fid)).toEqual([1000, 4000, 16000]);
    expect(rungs({ min: 2000, max: 32000, eta: 4 })).toEqual([2000, 8000, 32000]);
    expect(rungs({ min: 1000, max: 10000, eta: 3 })).toEqual([1000, 3000, 9000, 10000]);
  });

  it('SHA runs η^K configurations at the lowest rung and promotes the top 1/η of each rung', () => {
    const sha = new SuccessiveHalving(
      { space, rng: createStream(1, 't', 0), objectives: 1, budget: 100 },
      fid,
    );
    const obs = drive(sha, (c) => ({ values: [bowl(c)] }), 21, 100);
    const at = (r: number) => obs.filter((o) => o.fidelity === r);
    expect(at(1000)).toHaveLength(16);
    expect(at(4000)).toHaveLength(4);
    expect(at(16000)).toHaveLength(1);
    const best4 = [...at(1000)]
      .sort((a, b) => a.values[0]! - b.values[0]!)
      .slice(0, 4)
      .map((o) => o.key)
      .sort();
    expect(
      at(4000)
        .map((o) => o.key)
        .sort(),
    ).toEqual(best4);
    expect(at(16000)[0]!.values[0]).toBe(Math.min(...at(4000).map((o) => o.values[0]!)));
  });

  it('ASHA promotes a configuration as soon as it is in the top 1/η of its rung, else starts a new one', () => {
    const asha = new Asha({ space, rng: createStream(1, 't', 0), objectives: 1, budget: 100 }, fid);
    const first = asha.ask(4);
    expect(first.every((s) => s.fidelity === 1000)).toBe(true);
    const values = [5, 3, 9, 7];
    asha.tell(first.map((s, i) => observe(s.config, [values[i]!], 0, 1000)));
    const next = asha.ask(2);
    // 4 results at rung 0: the top ⌊4/4⌋ = 1 (value 3) is promoted, then a fresh configuration.
    expect(next[0]).toEqual({ config: first[1]!.config, fidelity: 4000 });
    expect(next[1]!.fidelity).toBe(1000);
  });
});
