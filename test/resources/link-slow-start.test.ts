import { beforeEach, describe, expect, it } from 'vitest';
import { Env } from '../../src/kernel/index.js';
import { Link, LinkRoster } from '../../src/resources/index.js';
import { slowStartS } from '../../src/resources/tcp-window.js';

// A link with `slowStart` adds tcp-window.ts's extra time to every transfer, whichever way the transfer
// goes (a burst on the idle link, the shared wire, a booking, a roster's booking); without it the link
// times transfers exactly as before (size/rate + delay).

let env: Env;
beforeEach(() => {
  env = new Env();
});

const SPB = 8 / 20e6; // 20 Mbit/s
const SIZES = [10_000, 100_000, 1e6, 1e7];

function alone(options: { delayMs: number; slowStart?: boolean; bursts?: boolean }, bytes: number): number {
  const link = new Link(env, { rateMbps: 20, ...options });
  let at = -1;
  link.transfer(bytes, () => {
    at = env.now;
  });
  env.run();
  return at;
}

describe('Link slowStart', () => {
  for (const delayMs of [10, 40]) {
    for (const bytes of SIZES) {
      it(`${bytes} B alone on an idle 20 Mbit/s link, ${delayMs} ms one way: bytes/rate + delay + slowStartS(bytes, 2·delay)`, () => {
        const expected = bytes * SPB + delayMs / 1000 + slowStartS(bytes, (2 * delayMs) / 1000, SPB);
        expect(alone({ delayMs, slowStart: true }, bytes)).toBeCloseTo(expected, 12);
        // The same through the shared wire (no closed-form burst).
        env = new Env();
        expect(alone({ delayMs, slowStart: true, bursts: false }, bytes)).toBeCloseTo(expected, 12);
      });
    }
  }

  it('off (the default) times a transfer as size/rate + delay, bit for bit', () => {
    for (const bytes of SIZES) {
      env = new Env();
      const off = alone({ delayMs: 20 }, bytes);
      expect(off).toBe(bytes * SPB + 0.02);
      env = new Env();
      expect(alone({ delayMs: 20, slowStart: false }, bytes)).toBe(off);
    }
  });

  it('the slow start is delay, not work: two transfers sharing the wire each add their own', () => {
    const link = new Link(env, { rateMbps: 20, delayMs: 20, slowStart: true });
    const ends: number[] = [];
    link.transfer(100_000, () => ends.push(env.now));
    link.transfer(1e6, () => ends.push(env.now));
    env.run();
    // Fair sharing: the small one's bytes are out at 2·100 000·SPB, the large one's at (100 000 + 1e6)·SPB.
    expect(ends[0]).toBeCloseTo(2 * 100_000 * SPB + 0.02 + slowStartS(100_000, 0.04, SPB), 12);
    expect(ends[1]).toBeCloseTo(1.1e6 * SPB + 0.02 + slowStartS(1e6, 0.04, SPB), 12);
    expect(link.utilization(1.1e6 * SPB)).toBeCloseTo(1, 12); // the wire was busy all the time the bytes were out
  });

  it('a booking and a roster booking arrive as the transfer does', () => {
    const link = new Link(env, { rateMbps: 20, delayMs: 40, slowStart: true });
    const expected = 1 + 1e6 * SPB + 0.04 + slowStartS(1e6, 0.08, SPB);
    expect(link.book(1e6, 1, Infinity)).toBeCloseTo(expected, 12);
    const other = new Link(env, { rateMbps: 20, delayMs: 40, slowStart: true });
    const roster = new LinkRoster();
    const i = roster.add(other);
    expect(roster.book(i, 1e6, 1, Infinity, env.now)).toBeCloseTo(expected, 12);
    // A booking that slow start makes too late is refused.
    const third = new Link(env, { rateMbps: 20, delayMs: 40, slowStart: true });
    expect(third.book(1e6, 0, 1e6 * SPB + 0.04 + 0.001)).toBe(-1);
  });

  it('new conditions change the round trip of transfers that start after them', () => {
    const link = new Link(env, { rateMbps: 20, delayMs: 5, slowStart: true });
    link.setConditions({ delayMs: 40, rateMbps: 10, lossPercent: 0 });
    let at = -1;
    link.transfer(1e6, () => {
      at = env.now;
    });
    env.run();
    const spb = 8 / 10e6;
    expect(at).toBeCloseTo(1e6 * spb + 0.04 + slowStartS(1e6, 0.08, spb), 12);
    expect(slowStartS(1e6, 0.08, spb)).toBeGreaterThan(0.1);
  });
});
