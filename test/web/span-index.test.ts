import { describe, expect, it } from 'vitest';

// The timeline's level of detail (web/lib/span-index.js), against brute force over random rows: what a
// frame covers is exactly the spans in view, each at least a pixel wide drawn as its own bar, and a row
// of thousands of sub-pixel spans costs at most a few rectangles per pixel column.

type Span = { start: number; end: number };
type Index = { order: Int32Array; rowStart: Int32Array; disjoint: Uint8Array };
type View = { d0: number; d1: number; kx: number };
type Draw = {
  bar: (k: number, p0: number, p1: number, r: number) => void;
  column: (k: number, col: number, count: number, r: number) => void;
};
type Module = {
  spanIndex: (spans: Span[], rowOf: Int32Array, nRows: number) => Index;
  visitRow: (index: Index, r: number, view: View, draw: Draw) => number;
  slotAt: (index: Index, r: number, t: number, slack: number) => number;
};
// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const WEB_MODULE = '../../web/lib/span-index.js';
const { spanIndex, visitRow, slotAt } = (await import(WEB_MODULE)) as Module;

/** A deterministic generator (mulberry32): the same rows on every run. */
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

/** Row 0: back-to-back spans of mixed lengths (disjoint, shuffled); row 1: overlapping spans. */
function rows(seed: number, n: number) {
  const rnd = random(seed);
  const spans: Span[] = [];
  const rowOf: number[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    const len = rnd() < 0.9 ? rnd() * 1e-3 : rnd() * 2;
    spans.push({ start: t, end: t + len });
    rowOf.push(0);
    t += len + rnd() * 1e-3;
  }
  for (let i = 0; i < n / 4; i++) {
    const start = rnd() * t;
    spans.push({ start, end: start + rnd() * rnd() * 5 });
    rowOf.push(1);
  }
  // Shuffled: the index sorts each row itself.
  const order = spans.map((_, i) => i).sort(() => rnd() - 0.5);
  return {
    spans: order.map((i) => spans[i]!),
    rowOf: Int32Array.from(order.map((i) => rowOf[i]!)),
    length: t,
  };
}

describe('the timeline span index (level of detail)', () => {
  it('covers exactly the spans in view, draws each span of a pixel or more as a bar, merges the rest per pixel column', () => {
    const { spans, rowOf, length } = rows(7, 20_000);
    const index = spanIndex(spans, rowOf, 2);
    expect(Array.from(index.disjoint)).toEqual([1, 0]);
    const rnd = random(11);
    for (let trial = 0; trial < 40; trial++) {
      const width = 200 + Math.floor(rnd() * 1000);
      const d0 = rnd() * length * 0.9 - length * 0.05;
      const d1 = d0 + (length - d0) * rnd() ** 3 + 1e-6;
      const view = { d0, d1, kx: width / (d1 - d0) };
      for (const r of [0, 1]) {
        const inRow = spans.filter((_, i) => rowOf[i] === r);
        const inView = inRow.filter((s) => s.end >= d0 && s.start <= d1);
        const wide = new Set(inView.filter((s) => (s.end - s.start) * view.kx >= 1));
        const barsDrawn = new Set<Span>();
        let rects = 0;
        const covered = visitRow(index, r, view, {
          bar: (k) => {
            barsDrawn.add(spans[index.order[k]!]!);
            rects++;
          },
          column: (_k, col) => {
            expect(col).toBeGreaterThanOrEqual(-1);
            expect(col).toBeLessThanOrEqual(width);
            rects++;
          },
        });
        expect(covered, `row ${r}, view ${d0}…${d1}`).toBe(inView.length);
        expect([...barsDrawn].every((s) => wide.has(s))).toBe(true);
        expect(barsDrawn.size).toBe(wide.size);
        // Disjoint row: a merged column is followed by at most one span before the next column.
        if (r === 0) expect(rects).toBeLessThanOrEqual(2 * (width + 2) + wide.size);
      }
    }
  });

  it('finds the span under a time, or the nearest within the slack, or none', () => {
    const spans = [
      { start: 0, end: 1 },
      { start: 1.5, end: 1.6 },
      { start: 3, end: 4 },
    ];
    const index = spanIndex(spans, Int32Array.of(0, 0, 0), 1);
    const at = (t: number, slack: number) => {
      const k = slotAt(index, 0, t, slack);
      return k < 0 ? null : spans[index.order[k]!];
    };
    expect(at(0.5, 0)).toBe(spans[0]);
    expect(at(1.55, 0)).toBe(spans[1]);
    expect(at(1.65, 0.1)).toBe(spans[1]);
    expect(at(2.5, 0.1)).toBeNull();
    expect(at(2.95, 0.1)).toBe(spans[2]);
  });

  it("counts a merged span (the server's overview) for the spans it stands for", () => {
    // Row 0: disjoint; row 1: overlapping. Merged spans carry `merged` = how many spans they stand for.
    const spans = [
      { start: 0, end: 0.001, merged: 40 },
      { start: 0.002, end: 0.003 },
      { start: 0.5, end: 0.9, merged: 7 },
      { start: 0, end: 0.0005, merged: 3 },
      { start: 0.0001, end: 0.0002, merged: 2 },
      { start: 0.4, end: 0.8 },
    ];
    const index = spanIndex(spans, Int32Array.of(0, 0, 0, 1, 1, 1), 2);
    const noop = { bar: () => {}, column: () => {} };
    for (const kx of [10, 1000, 100000]) {
      const view = { d0: 0, d1: 1, kx };
      expect(visitRow(index, 0, view, noop) + visitRow(index, 1, view, noop)).toBe(40 + 1 + 7 + 3 + 2 + 1);
    }
    expect(visitRow(index, 0, { d0: 0.45, d1: 1, kx: 100 }, noop)).toBe(7);
  });
});
