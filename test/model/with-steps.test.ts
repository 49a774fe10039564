import { describe, expect, it } from 'vitest';
import { type Multiplier, withSteps } from '../../src/model/profile.js';
import { alea } from '../../src/random/alea.js';

// withSteps counts the steps reached over all of them (no early exit, no branch that first runs at a step:
// see its comment). Checked against the plain reading of its contract: the factor of the last step whose
// time is ≤ t (1 before the first), and the next time the value may change.

function reference(m: Multiplier, steps: [number, number][]) {
  return {
    at: (t: number) => {
      let f = 1;
      for (const [at, factor] of steps) if (at <= t) f = factor;
      return m.at(t) * f;
    },
    nextChange: (t: number) => {
      const next = steps.find(([at]) => at > t);
      return Math.min(m.nextChange!(t), next === undefined ? Infinity : next[0]);
    },
  };
}

describe('withSteps', () => {
  it('gives the factor of the last step reached and the next change, on random steps', () => {
    const rng = alea('with-steps');
    const base: Multiplier = { at: (t) => 1 + 0.5 * Math.sin(t), max: 1.5, nextChange: () => Infinity };
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng() * 5);
      const steps: [number, number][] = Array.from({ length: n }, () => [
        Math.floor(rng() * 100),
        0.25 + Math.floor(rng() * 12) / 4,
      ]);
      steps.sort((a, b) => a[0] - b[0]);
      const stepped = withSteps(base, steps);
      const ref = reference(base, steps);
      // Times on, just before and just after every step, and between.
      const times = [-1, 0, 50.5, 100, ...steps.flatMap(([at]) => [at - 1e-9, at, at + 1e-9])];
      for (const t of times) {
        expect(stepped.at(t)).toBe(ref.at(t));
        expect(stepped.nextChange!(t)).toBe(ref.nextChange(t));
      }
      expect(stepped.max).toBe(1.5 * Math.max(1, ...steps.map((s) => s[1])));
    }
  });

  it('returns the multiplier itself when there is no step', () => {
    const base: Multiplier = { at: () => 2, max: 2 };
    expect(withSteps(base, [])).toBe(base);
  });
});
