import { describe, expect, it } from 'vitest';

// The contour plot's surface (web/lib/contour-grid.js) and the log-axis rule (web/lib/log-scale.js).

type Point = { x: number; y: number; v: number };
type Grid = { values: Float64Array; nx: number; ny: number; x: [number, number]; y: [number, number] };
type Options = { nx?: number; ny?: number; xLog?: boolean; yLog?: boolean };
const { contourGrid } = (await import('../../web/lib/contour-grid.js' as string)) as {
  contourGrid: (points: Point[], o?: Options) => Grid | null;
};
const { spansDecades, logTicks } = (await import('../../web/lib/log-scale.js' as string)) as {
  spansDecades: (values: unknown[], decades?: number) => boolean;
  logTicks: (domain: number[], most?: number) => number[];
};

describe('contourGrid(points, options)', () => {
  it('takes the value of a trial on the cells it lies on, and spans the trials', () => {
    const g = contourGrid(
      [
        { x: 0, y: 0, v: 1 },
        { x: 10, y: 0, v: 3 },
        { x: 0, y: 5, v: 5 },
        { x: 10, y: 5, v: 7 },
      ],
      { nx: 3, ny: 3 },
    )!;
    expect(g.x).toEqual([0, 10]);
    expect(g.y).toEqual([0, 5]);
    const at = (i: number, j: number) => g.values[j * g.nx + i];
    expect([at(0, 0), at(2, 0), at(0, 2), at(2, 2)]).toEqual([1, 3, 5, 7]);
    // The centre is as far from each corner: their mean.
    expect(at(1, 1)).toBeCloseTo(4, 12);
    // Between two corners of one edge, nearer those two than the others: within their values.
    expect(at(1, 0)).toBeGreaterThan(1);
    expect(at(1, 0)).toBeLessThan(4);
  });

  it('averages trials at the same place (they differ in other parameters) and skips non-numbers', () => {
    const g = contourGrid(
      [
        { x: 1, y: 1, v: 2 },
        { x: 1, y: 1, v: 4 },
        { x: 2, y: 2, v: Number.NaN },
      ],
      { nx: 2, ny: 2 },
    )!;
    expect([...g.values]).toEqual([3, 3, 3, 3]);
    expect(contourGrid([{ x: 1, y: 1, v: Number.NaN }])).toBeNull();
  });

  it('measures distances after the log on a log axis: 10 lies halfway between 1 and 100', () => {
    const pts = [
      { x: 1, y: 0, v: 0 },
      { x: 100, y: 0, v: 10 },
    ];
    const log = contourGrid(pts, { nx: 3, ny: 1, xLog: true })!;
    expect(log.values[1]).toBeCloseTo(5, 12);
    expect(log.x[0]).toBeCloseTo(1, 12);
    expect(log.x[1]).toBeCloseTo(100, 12);
    // On a linear axis the middle cell (50.5) is also halfway: the same value, by symmetry…
    const lin = contourGrid(pts, { nx: 3, ny: 1 })!;
    expect(lin.values[1]).toBeCloseTo(5, 12);
    // …but a trial at 10 is at the middle cell only on the log axis.
    const three = [...pts, { x: 10, y: 0, v: 1 }];
    expect(contourGrid(three, { nx: 3, ny: 1, xLog: true })!.values[1]).toBe(1);
    expect(contourGrid(three, { nx: 3, ny: 1 })!.values[1]).not.toBe(1);
  });
});

describe('spansDecades(values, decades)', () => {
  it('is true for positive values spanning two decades, false below, with zero, negatives or non-numbers', () => {
    expect(spansDecades([2, 20, 200])).toBe(true);
    expect(spansDecades([2, 150])).toBe(false);
    expect(spansDecades([0, 10, 1000])).toBe(false);
    expect(spansDecades([-1, 1000])).toBe(false);
    expect(spansDecades(['a', 1000])).toBe(false);
    expect(spansDecades([1, 10], 1)).toBe(true);
  });
});

describe('logTicks(domain)', () => {
  it('ticks 1, 2 and 5 times the powers of ten within the domain, or only the powers when there are three', () => {
    expect(logTicks([2, 131])).toEqual([2, 5, 10, 20, 50, 100]);
    expect(logTicks([0.5, 3])).toEqual([0.5, 1, 2]);
    expect(logTicks([1, 5000])).toEqual([1, 10, 100, 1000]);
    expect(logTicks([0, 10])).toEqual([]);
    // A narrow axis: at most 4 ticks wanted, the powers of ten do.
    expect(logTicks([2, 200], 4)).toEqual([10, 100]);
    expect(logTicks([2, 9], 2)).toEqual([2, 5]);
  });
});
