import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { alea } from '../../src/random/alea.js';

describe('alea', () => {
  it('draws the same numbers as seedrandom.alea, bit for bit, for any seed string', () => {
    for (const seed of ['', ' ', 'e2ctwin/1/think:edge.users/0', 'ünïcødé ✓', 'x'.repeat(500)]) {
      const ours = alea(seed);
      const theirs = seedrandom.alea(seed);
      for (let i = 0; i < 20_000; i++) {
        const a = ours();
        const b = theirs();
        if (a !== b) expect.fail(`seed ${JSON.stringify(seed)}, draw ${i}: ${a} !== ${b}`);
      }
    }
  });

  it('different seeds give different streams', () => {
    const a = alea('a');
    const b = alea('b');
    expect(Array.from({ length: 5 }, a)).not.toEqual(Array.from({ length: 5 }, b));
  });
});
