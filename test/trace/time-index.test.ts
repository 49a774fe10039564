import { describe, expect, it } from 'vitest';
import { mergeSpans, overlapping, type SpanRecord, timeIndex } from '../../src/trace/index.js';

// The server's windows of a trace, against brute force over random spans in random order.

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

function spansOf(seed: number, n: number): SpanRecord[] {
  const rnd = random(seed);
  return Array.from({ length: n }, (_, i) => {
    const start = Math.floor(rnd() * 1000) / 10; // ties on purpose
    const long = rnd() < 0.05;
    return {
      request: i,
      kind: 'stage' as const,
      name: rnd() < 0.5 ? 'a' : 'b',
      service: 'api',
      host: `api#${Math.floor(rnd() * 3)}`,
      pool: 'p',
      lane: Math.floor(rnd() * 4),
      start,
      end: start + (long ? rnd() * 50 : rnd() * 0.5),
    };
  });
}

describe('timeIndex(spans)', () => {
  it('timeIndex(spans) orders the spans by start, stably, whatever their order', () => {
    for (const [seed, n] of [
      [1, 0],
      [2, 1],
      [3, 17],
      [4, 1000],
      [5, 4097],
    ] as const) {
      const spans = spansOf(seed, n);
      const index = timeIndex(spans);
      const want = spans.map((_, i) => i).sort((a, b) => spans[a]!.start - spans[b]!.start || a - b);
      expect(Array.from(index.order)).toEqual(want);
      expect(Array.from(index.start)).toEqual(want.map((i) => spans[i]!.start));
      if (n)
        expect(index.extent).toEqual([
          want.map((i) => spans[i]!.start)[0],
          Math.max(...spans.map((s) => s.end)),
        ]);
    }
  });

  it('overlapping(index, spans, from, to) gives every span overlapping [from, to] and no other', () => {
    const spans = spansOf(7, 3000);
    const index = timeIndex(spans);
    const rnd = random(8);
    for (let q = 0; q < 200; q++) {
      const from = rnd() * 110 - 5;
      const to = from + (q % 10 === 0 ? 0 : rnd() * 20);
      const got = overlapping(index, spans, from, to);
      const want = spans.map((_, i) => i).filter((i) => spans[i]!.start <= to && spans[i]!.end >= from);
      expect([...got].sort((a, b) => a - b)).toEqual(want);
    }
  });
});

describe('mergeSpans(spans, indices, {from, to, maxSpans})', () => {
  it('gives at most maxSpans spans whose merged counts add up to the spans given, each inside its spans', () => {
    const spans = spansOf(9, 5000);
    const all = spans.map((_, i) => i);
    for (const maxSpans of [1, 5, 24, 100, 4999]) {
      const out = mergeSpans(spans, all, { from: 0, to: 100, maxSpans });
      expect(out.length).toBeLessThanOrEqual(maxSpans);
      expect(out.reduce((n, s) => n + ((s as { merged?: number }).merged ?? 1), 0)).toBe(spans.length);
      for (let k = 1; k < out.length; k++) expect(out[k]!.start).toBeGreaterThanOrEqual(out[k - 1]!.start);
    }
    // Room for all: the spans themselves.
    expect(mergeSpans(spans, all, { from: 0, to: 100, maxSpans: 5000 })).toEqual(spans);
    // Per thread and bucket: merged spans of a lane stand for spans of that lane only.
    const out = mergeSpans(spans, all, { from: 0, to: 100, maxSpans: 400 });
    for (const m of out as (SpanRecord & { merged?: number })[]) {
      if (!m.merged) continue;
      const mine = spans.filter(
        (s) =>
          s.host === m.host && s.lane === m.lane && s.name === m.name && s.start >= m.start && s.end <= m.end,
      );
      expect(mine.length).toBeGreaterThanOrEqual(m.merged);
    }
  });
});
