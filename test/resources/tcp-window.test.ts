import { describe, expect, it } from 'vitest';
import {
  INITIAL_WINDOW_SEGMENTS,
  MSS_BYTES,
  slowStartRounds,
  slowStartS,
} from '../../src/resources/tcp-window.js';

// 20 Mbit/s: a byte takes 8 / 20e6 = 0.4 µs.
const SPB = 8 / 20e6;
const IW = INITIAL_WINDOW_SEGMENTS * MSS_BYTES; // 14 480 bytes

describe('slowStartS (hand-computed, 20 Mbit/s)', () => {
  it('a transfer that fits in the initial window pays nothing', () => {
    expect(IW).toBe(14480);
    expect(slowStartS(10_000, 0.04, SPB)).toBe(0);
    expect(slowStartS(IW, 0.04, SPB)).toBe(0);
    expect(slowStartRounds(IW, 0.04, SPB)).toBe(0);
  });

  it('one byte beyond the initial window waits one round: RTT − IW/rate', () => {
    // 40 ms − 14 480 × 0.4 µs = 40 − 5.792 ms
    expect(slowStartS(IW + 1, 0.04, SPB)).toBeCloseTo(0.034208, 12);
  });

  it('100 KB over 40 ms RTT (BDP 100 000 B): rounds of 14 480 and 28 960 B wait, 57 920 B carries the rest', () => {
    expect(slowStartRounds(100_000, 0.04, SPB)).toBe(2);
    expect(slowStartS(100_000, 0.04, SPB)).toBeCloseTo(0.034208 + 0.028416, 12);
  });

  it('1 MB over 40 ms RTT: a third round (57 920 B < BDP) waits, then the window covers the BDP', () => {
    expect(slowStartRounds(1e6, 0.04, SPB)).toBe(3);
    expect(slowStartS(1e6, 0.04, SPB)).toBeCloseTo(0.034208 + 0.028416 + 0.016832, 12);
    // Past the BDP the size no longer matters: 10 MB pays the same.
    expect(slowStartS(1e7, 0.04, SPB)).toBe(slowStartS(1e6, 0.04, SPB));
  });

  it('over 20 ms RTT (BDP 50 000 B) two rounds wait, for 100 KB as for 10 MB', () => {
    const two = 0.02 - 0.005792 + (0.02 - 0.011584);
    expect(slowStartS(100_000, 0.02, SPB)).toBeCloseTo(two, 12);
    expect(slowStartS(1e7, 0.02, SPB)).toBeCloseTo(two, 12);
  });

  it('no round trip, or a path whose BDP fits in the initial window, pays nothing', () => {
    expect(slowStartS(1e7, 0, SPB)).toBe(0);
    // 1 Mbit/s over 20 ms RTT: BDP 2 500 B < 14 480 B: the first window already fills the pipe.
    expect(slowStartS(1e6, 0.02, 8 / 1e6)).toBe(0);
  });

  it('grows with the RTT and never exceeds the rounds × RTT', () => {
    let last = 0;
    for (const rtt of [0.01, 0.02, 0.04, 0.08, 0.16]) {
      const s = slowStartS(1e6, rtt, SPB);
      expect(s).toBeGreaterThanOrEqual(last);
      expect(s).toBeLessThanOrEqual(slowStartRounds(1e6, rtt, SPB) * rtt);
      last = s;
    }
  });
});
