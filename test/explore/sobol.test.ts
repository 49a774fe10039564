import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/random/index.js';
import { latinHypercube, lhsDesign } from '../../src/explore/designs.js';
import { sobolPoints } from '../../src/explore/sobol.js';
import { parseParamFlag, Space } from '../../src/explore/space.js';

describe('Sobol sequence', () => {
  it("equals SciPy's unscrambled Sobol points (Joe–Kuo directions)", () => {
    // scipy.stats.qmc.Sobol(d=8, scramble=False).random(1024)[[3, 100, 1000, 1023]] (SciPy 1.17).
    const pts = sobolPoints(1024, 8);
    expect(pts[3]).toEqual([0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.75, 0.25]);
    expect(pts[100]).toEqual([
      0.4140625, 0.2578125, 0.7734375, 0.7265625, 0.8828125, 0.7421875, 0.0234375, 0.4765625,
    ]);
    expect(pts[1000]).toEqual([
      0.2197265625, 0.0966796875, 0.5185546875, 0.6767578125, 0.2802734375, 0.9072265625, 0.0458984375,
      0.8994140625,
    ]);
    expect(pts[1023]).toEqual([
      0.0009765625, 0.7529296875, 0.6123046875, 0.1455078125, 0.1865234375, 0.4384765625, 0.1396484375,
      0.6181640625,
    ]);
    // scipy.stats.qmc.Sobol(d=40, scramble=False).random(32)[31], last 8 coordinates.
    expect(sobolPoints(32, 40)[31]!.slice(32)).toEqual([
      0.15625, 0.71875, 0.03125, 0.40625, 0.09375, 0.96875, 0.96875, 0.34375,
    ]);
  });

  it('a digitally shifted sequence stays stratified: 64 points fill the 64 strata of every dimension and the 8×8 cells of the first two', () => {
    const pts = sobolPoints(64, 6, createStream(3, 'test', 0));
    for (let d = 0; d < 6; d++)
      expect(new Set(pts.map((p) => Math.floor(p[d]! * 64))).size, `dim ${d}`).toBe(64);
    expect(new Set(pts.map((p) => `${Math.floor(p[0]! * 8)},${Math.floor(p[1]! * 8)}`)).size).toBe(64);
    expect(pts[0]).not.toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('Latin hypercube', () => {
  it('puts exactly one point in each of the n strata of every dimension', () => {
    const pts = latinHypercube(10, 3, createStream(1, 'test', 0));
    for (let d = 0; d < 3; d++) expect(new Set(pts.map((p) => Math.floor(p[d]! * 10))).size).toBe(10);
  });

  it('maximin keeps the design with the largest smallest distance; the same seed gives the same design', () => {
    const s = new Space([parseParamFlag('a=1..10'), parseParamFlag('b=1..10')]);
    const a = lhsDesign(s, 10, createStream(5, 'lhs', 0));
    expect(lhsDesign(s, 10, createStream(5, 'lhs', 0))).toEqual(a);
    expect(new Set(a.map((c) => c[0])).size).toBe(10);
    expect(new Set(a.map((c) => c[1])).size).toBe(10);
    const minDist = (pts: number[][]) =>
      Math.min(
        ...pts.flatMap((p, i) => pts.slice(i + 1).map((q) => Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!))),
      );
    const rng = createStream(5, 'plain', 0);
    const plain = Array.from({ length: 51 }, () =>
      minDist(latinHypercube(10, 2, rng).map((p) => p.map((x) => Math.floor(x * 10)))),
    ).sort((x, y) => x - y);
    expect(minDist(a as number[][])).toBeGreaterThan(plain[25]!);
  });
});
