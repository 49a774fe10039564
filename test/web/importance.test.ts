import { describe, expect, it } from 'vitest';

// Parameter importance of study trials (web/lib/importance.js): the share of the objective's variance
// explained by each parameter's marginal means, against values worked out by hand.

type Row = Record<string, number>;
type Importance = { param: string; eta2: number; importance: number; share: number; groups: number };
type Module = {
  parameterImportance: (
    rows: Row[],
    params: string[],
    value: (r: Row) => number,
    o?: { maxGroups?: number },
  ) => Importance[] & { explained: number };
  groupsOf: (values: number[], maxGroups: number) => number[];
};
// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const WEB_MODULE = '../../web/lib/importance.js';
const { parameterImportance, groupsOf } = (await import(WEB_MODULE)) as Module;

/** A deterministic generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every combination of the levels (a full grid). */
function grid(levels: Record<string, number[]>): Row[] {
  return Object.entries(levels).reduce<Row[]>(
    (rows, [k, vs]) => rows.flatMap((r) => vs.map((v) => ({ ...r, [k]: v }))),
    [{}],
  );
}

describe('parameterImportance(rows, params, value)', () => {
  it('splits the variance of an additive objective on a full grid as the effects do: y = 2a + b gives a 4/5, b 1/5', () => {
    const rows = grid({ a: [0, 1, 2], b: [0, 1, 2] });
    const out = parameterImportance(rows, ['b', 'a'], (r) => 2 * r.a! + r.b!);
    expect(out.map((o) => o.param)).toEqual(['a', 'b']);
    expect(out[0]!.eta2).toBeCloseTo(4 / 5, 12);
    expect(out[1]!.eta2).toBeCloseTo(1 / 5, 12);
    // No noise: nothing to correct, and the shares are the same.
    expect(out[0]!.importance).toBeCloseTo(4 / 5, 12);
    expect(out[0]!.share + out[1]!.share).toBeCloseTo(1, 12);
    expect(out[0]!.share).toBeCloseTo(4 / 5, 12);
    expect(out.explained).toBeCloseTo(1, 12);
  });

  it('says how much of the variance the main effects explain: none of a pure interaction y = a·b on ±1', () => {
    const rows = grid({ a: [-1, 1], b: [-1, 1] });
    const out = parameterImportance(rows, ['a', 'b'], (r) => r.a! * r.b!);
    expect(out.explained).toBeCloseTo(0, 12);
    expect(out.map((o) => o.eta2)).toEqual([0, 0]);
  });

  it('gives a parameter without effect (near) no importance, though its groups differ by chance', () => {
    const rnd = random(7);
    const rows = Array.from({ length: 60 }, () => ({
      a: Math.floor(rnd() * 5),
      noise: Math.floor(rnd() * 5),
      e: rnd(),
    }));
    const out = parameterImportance(rows, ['a', 'noise'], (r) => 3 * r.a! + r.e!);
    const noise = out.find((o) => o.param === 'noise')!;
    expect(out[0]!.param).toBe('a');
    expect(out[0]!.importance).toBeGreaterThan(0.9);
    // Chance alone gives the unrelated parameter some raw share; the corrected importance removes it.
    expect(noise.eta2).toBeGreaterThan(noise.importance);
    expect(noise.importance).toBeLessThan(0.02);
  });

  it('bins a continuous parameter into equal-count groups (a few trials each), not one group per value', () => {
    const rnd = random(3);
    const rows = Array.from({ length: 36 }, () => ({ x: rnd() * 100, z: rnd() }));
    const out = parameterImportance(rows, ['x', 'z'], (r) => r.x!);
    // sqrt(36) = 6 groups of 6: the objective is x itself, so its bins explain most of it (all but the
    // spread inside each bin, about 1/36 for evenly spread values).
    expect(out.find((o) => o.param === 'x')!.groups).toBe(6);
    expect(out[0]!.param).toBe('x');
    expect(out[0]!.eta2).toBeGreaterThan(0.85);
    expect(out.find((o) => o.param === 'z')!.importance).toBeLessThan(0.1);
  });

  it('leaves out trials whose objective is not a number, and answers zeros for a constant objective', () => {
    const rows = grid({ a: [1, 2], b: [1, 2] });
    const withGaps = parameterImportance([...rows, { a: 9, b: 9 }], ['a', 'b'], (r) =>
      r.a === 9 ? NaN : r.a!,
    );
    expect(withGaps[0]).toMatchObject({ param: 'a', eta2: 1, groups: 2 });
    const flat = parameterImportance(rows, ['a', 'b'], () => 5);
    expect(flat.map((o) => [o.eta2, o.importance, o.share])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});

describe('groupsOf(values, maxGroups)', () => {
  it('numbers the distinct values in ascending order when there are few enough', () => {
    expect(groupsOf([30, 10, 20, 10], 5)).toEqual([2, 0, 1, 0]);
  });

  it('never puts equal values in two bins', () => {
    const values = [1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8];
    const g = groupsOf(values, 4);
    const ones = new Set(g.filter((_, i) => values[i] === 1));
    expect(ones.size).toBe(1);
    expect(Math.max(...g)).toBeLessThanOrEqual(3);
    // Bins follow the order of the values.
    for (let i = 1; i < values.length; i++) expect(g[i]!).toBeGreaterThanOrEqual(g[i - 1]!);
  });
});
