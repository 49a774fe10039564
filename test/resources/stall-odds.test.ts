import { describe, expect, it } from 'vitest';
import { stallOdds } from '../../src/resources/stall-odds.js';

// The remembered odds must be the very doubles the formula gives (results byte-identical with and without).
describe('stallOdds', () => {
  const rates = [1e-6, 1e-4, 0.001, 0.01, 0.05, 0.3, 0.999999].map((loss) => Math.log1p(-loss));

  it('equals 1 − e^(m·ln keep) bit for bit, first and later calls, rates interleaved', () => {
    const packets = [1, 2, 3, 7, 100, 685, 4095, 4096, 4097, 1e6];
    for (let round = 0; round < 3; round++)
      for (const m of packets)
        for (const logKeep of rates)
          expect(Object.is(stallOdds(m, logKeep), 1 - Math.exp(m * logKeep))).toBe(true);
  });

  it('computes what it does not keep: more rates than it keeps tables for, a certain loss, NaN', () => {
    for (let k = 1; k <= 100; k++) {
      const logKeep = -k * 1e-4;
      expect(stallOdds(9, logKeep)).toBe(1 - Math.exp(9 * logKeep));
      expect(stallOdds(9, logKeep)).toBe(1 - Math.exp(9 * logKeep));
    }
    expect(stallOdds(3, Number.NEGATIVE_INFINITY)).toBe(1);
    expect(stallOdds(Number.NaN, -0.01)).toBeNaN();
    expect(stallOdds(5, Number.NaN)).toBeNaN();
  });
});
