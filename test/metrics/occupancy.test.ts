import { describe, expect, it } from 'vitest';
import { Occupancy, TimeWeighted } from '../../src/metrics/index.js';
import { createStream } from '../../src/random/index.js';

/** Random stays [start, end) of `n` items over [0, 100]. */
function stays(n: number, seed: string): { start: number; end: number }[] {
  const u = createStream(1, seed, 0);
  return Array.from({ length: n }, () => {
    const start = 100 * u();
    return { start, end: start + 10 * u() };
  });
}

/** The reference: a level changed at each entry and exit, in time order. */
function reference(items: { start: number; end: number }[], from: number, now: number): number {
  const changes = items
    .flatMap((s) => [
      { t: s.start, d: 1 },
      { t: s.end, d: -1 },
    ])
    .filter((c) => c.t <= now)
    .sort((a, b) => a.t - b.t || a.d - b.d);
  const level = new TimeWeighted(0, 0);
  let n = 0;
  let reset = false;
  for (const c of changes) {
    if (!reset && c.t >= from) {
      level.reset(from);
      reset = true;
    }
    level.update(c.t, (n += c.d));
  }
  if (!reset) level.reset(from);
  return level.mean(now);
}

describe('Occupancy', () => {
  it('gives the time-weighted mean number present, entries and exits reported in time order', () => {
    const items = stays(300, 'occupancy-1');
    const occ = new Occupancy(0);
    const changes = items
      .flatMap((s) => [
        { t: s.start, s, enter: true },
        { t: s.end, s, enter: false },
      ])
      .filter((c) => c.t <= 80)
      .sort((a, b) => a.t - b.t);
    for (const c of changes) c.enter ? occ.enter(c.s.start) : occ.leave(c.s.start, c.s.end);
    expect(occ.mean(80)).toBeCloseTo(reference(items, 0, 80), 10);
    expect(occ.present).toBe(items.filter((s) => s.start <= 80 && s.end > 80).length);
  });

  it('gives the same mean when items are reported after the fact and the window starts late', () => {
    const items = stays(300, 'occupancy-2');
    const occ = new Occupancy(0);
    const from = 30;
    const now = 90;
    // Each item is reported in one go when both its ends are known — entry late, exit early — except
    // those still present at `now`; the window restarts at `from` with the items present then.
    const present = items.filter((s) => s.start <= from && s.end > from);
    for (const s of present) occ.enter(s.start);
    occ.reset(from);
    for (const s of present) if (s.end <= now) occ.leave(s.start, s.end);
    for (const s of items) {
      if (s.start <= from || s.start > now) continue;
      occ.enter(s.start);
      if (s.end <= now) occ.leave(s.start, s.end);
    }
    expect(occ.mean(now)).toBeCloseTo(reference(items, from, now), 10);
    expect(occ.present).toBe(items.filter((s) => s.start <= now && s.end > now).length);
  });

  it('an item that entered before the window counts from its start', () => {
    const occ = new Occupancy(0);
    occ.reset(10);
    occ.enter(4); // entered before the window: counts from 10
    occ.leave(4, 14);
    expect(occ.integral(20)).toBe(4);
    expect(occ.mean(20)).toBeCloseTo(0.4, 12);
  });
});
