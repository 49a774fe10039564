import { describe, expect, it } from 'vitest';
import { ratioVerdict, summarizeRatios } from '../../bench/pairs.js';

describe("the dynamics benchmark's ratio summary", () => {
  it('with 11 pairs the 90 % interval is the 3rd to the 9th ratio (coverage 1 − 2·67/2048)', () => {
    const ratios = [1.3, 1.0, 1.1, 1.05, 1.25, 0.9, 1.15, 1.2, 1.12, 1.08, 1.5];
    const r = summarizeRatios(ratios, 0.9);
    expect(r.median).toBe(1.12);
    expect(r.min).toBe(0.9);
    expect(r.max).toBe(1.5);
    expect(r.low).toBe(1.05);
    expect(r.high).toBe(1.25);
    expect(r.coverage).toBeCloseTo(1 - (2 * 67) / 2048, 12);
  });

  it('with 7 pairs no inner interval reaches 90 %: the interval is the spread (coverage 1 − 2/128)', () => {
    const r = summarizeRatios([1.1, 1.3, 0.6, 1.0, 1.2, 1.6, 0.9], 0.9);
    expect([r.low, r.high]).toEqual([0.6, 1.6]);
    expect(r.coverage).toBeCloseTo(1 - 2 / 128, 12);
    expect(r.median).toBe(1.1);
  });

  it('covers the true median at least as often as it says (simulated noisy pairs)', () => {
    // Ratios = 1.15 × a skewed noise whose median is 1: the interval must hold 1.15 in ≥ its coverage.
    let seed = 7;
    const u = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let hits = 0;
    let coverage = 0;
    const runs = 4000;
    for (let i = 0; i < runs; i++) {
      const xs = Array.from({ length: 11 }, () => 1.15 * Math.exp(u() < 0.5 ? -0.1 * u() : 0.4 * u()));
      const r = summarizeRatios(xs, 0.9);
      coverage = r.coverage;
      if (r.low <= 1.15 && 1.15 <= r.high) hits++;
    }
    // Binomial sd at p = 0.935 over 4000 runs is 0.004: three of them below the stated coverage at most.
    expect(hits / runs).toBeGreaterThan(coverage - 0.012);
  });

  it('gives a verdict only when the whole interval is on one side of the target', () => {
    const at = (low: number, high: number) =>
      ratioVerdict({ median: (low + high) / 2, min: low, max: high, low, high, coverage: 0.93 }, 1.2);
    expect(at(1.05, 1.19)).toBe('MET');
    expect(at(1.05, 1.2)).toBe('MET');
    expect(at(1.21, 1.4)).toBe('MISSED');
    expect(at(1.1, 1.3)).toBe('UNDECIDED');
  });
});
