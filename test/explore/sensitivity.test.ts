import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/random/index.js';
import {
  crowdingDistance,
  dominates,
  hypervolume2d,
  nonDominatedSort,
  paretoFront,
} from '../../src/explore/pareto.js';
import {
  morrisIndices,
  morrisTrajectories,
  saltelliDesign,
  sobolIndices,
} from '../../src/explore/sensitivity.js';
import { makeParam, Space } from '../../src/explore/space.js';

describe('Sobol indices (Saltelli design, Saltelli 2010 / Jansen estimators)', () => {
  it("recover the Ishigami function's analytic first-order and total indices", () => {
    // f = sin x1 + 7 sin² x2 + 0.1 x3⁴ sin x1 on [−π, π]³: S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    const space = new Space(
      ['x1', 'x2', 'x3'].map((n) =>
        makeParam(n, { min: -Math.PI, max: Math.PI, integer: false, log: false }),
      ),
    );
    const n = 2048;
    const d = saltelliDesign(3, n, createStream(1, 'ishigami', 0));
    const f = (u: number[]) => {
      const [x1, x2, x3] = space.fromUnit(u) as number[];
      return Math.sin(x1!) + 7 * Math.sin(x2!) ** 2 + 0.1 * x3! ** 4 * Math.sin(x1!);
    };
    const idx = sobolIndices(
      space,
      d.A.map(f),
      d.B.map(f),
      d.AB.map((m) => m.map(f)),
      { rng: createStream(1, 'boot', 0), resamples: 200 },
    );
    const S = [0.3139, 0.4424, 0],
      ST = [0.5576, 0.4424, 0.2437];
    idx.forEach((x, i) => {
      expect(x.S1).toBeCloseTo(S[i]!, 1);
      expect(x.ST).toBeCloseTo(ST[i]!, 1);
      expect(Math.abs(x.S1 - S[i]!)).toBeLessThan(Math.max(3 * x.S1Ci, 0.03));
      expect(x.S1Ci).toBeGreaterThan(0);
    });
  });

  it('the design is A, B and each A_B(i) = A with column i from B', () => {
    const d = saltelliDesign(2, 8, createStream(2, 't', 0));
    expect(d.AB).toHaveLength(2);
    d.AB[1]!.forEach((row, j) => expect(row).toEqual([d.A[j]![0], d.B[j]![1]]));
  });
});

describe('Morris elementary effects', () => {
  const space = new Space(
    ['a', 'b', 'c'].map((n) => makeParam(n, { min: 0, max: 1, integer: false, log: false })),
  );

  it('trajectories move one factor at a time by ±Δ = p/(2(p−1)) and stay in the unit cube', () => {
    const t = morrisTrajectories(3, 10, 4, createStream(1, 'm', 0));
    for (const { points, order } of t) {
      expect(points).toHaveLength(4);
      order.forEach((i, s) => {
        const moved = points[s + 1]!.map((v, k) => Math.abs(v - points[s]![k]!));
        expect(moved[i]).toBeCloseTo(2 / 3);
        expect(moved.filter((m) => m > 1e-12)).toHaveLength(1);
      });
      expect(points.flat().every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });

  it('μ* is |slope| for a linear function with σ = 0, and σ > 0 flags an interaction', () => {
    const t = morrisTrajectories(3, 20, 4, createStream(3, 'm', 0));
    const linear = t.map((tr) => tr.points.map((u) => 3 * u[0]! - 2 * u[1]! + 0 * u[2]!));
    const idx = morrisIndices(space, t, linear, 4, { rng: createStream(3, 'b', 0) });
    expect(idx.map((x) => x.muStar)).toEqual([expect.closeTo(3, 9), expect.closeTo(2, 9), 0]);
    expect(idx[1]!.mu).toBeCloseTo(-2, 9);
    expect(idx[0]!.sigma).toBeCloseTo(0, 9);
    const inter = t.map((tr) => tr.points.map((u) => u[0]! * u[1]!));
    const j = morrisIndices(space, t, inter, 4, { rng: createStream(3, 'b', 0) });
    expect(j[0]!.sigma).toBeGreaterThan(0.1);
    expect(j[2]!.muStar).toBe(0);
  });
});

describe('Pareto tools', () => {
  it('constrained domination: feasible beats infeasible, less violation beats more, else Pareto dominance', () => {
    expect(dominates({ values: [9, 9], violation: 0 }, { values: [1, 1], violation: 0.1 })).toBe(true);
    expect(dominates({ values: [9, 9], violation: 0.1 }, { values: [1, 1], violation: 0.2 })).toBe(true);
    expect(dominates({ values: [1, 2], violation: 0 }, { values: [1, 3], violation: 0 })).toBe(true);
    expect(dominates({ values: [1, 3], violation: 0 }, { values: [2, 1], violation: 0 })).toBe(false);
  });

  it('sorts into fronts, gives boundary points infinite crowding, and measures 2-D hypervolume', () => {
    const pts = [
      [1, 5],
      [2, 3],
      [4, 1],
      [3, 4],
      [5, 5],
    ].map((values) => ({ values, violation: 0 }));
    expect(nonDominatedSort(pts)).toEqual([[0, 1, 2], [3], [4]]);
    const cd = crowdingDistance(pts, [0, 1, 2]);
    expect(cd.get(0)).toBe(Infinity);
    expect(cd.get(2)).toBe(Infinity);
    expect(cd.get(1)).toBeCloseTo((4 - 1) / 3 + (5 - 1) / 4);
    expect(paretoFront(pts)).toEqual([0, 1, 2]);
    expect(
      hypervolume2d(
        [
          [1, 3],
          [2, 1],
        ],
        [4, 4],
      ),
    ).toBe(7);
  });
});
