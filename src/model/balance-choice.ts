/**
 * The balance policies' choice among the instances up — one function for the simulator (InstanceSet) and
 * the live driver (src/live/app/balance.ts), so that a simulated and a live run split their requests alike:
 * same policies, the instances up in ascending order, the same draws per choice, the lowest index on ties.
 * `static` is the callers' own (the client's instance, up or not): it is not a choice among those up.
 */

/** Balance policies as small integers (the order of the schema's BALANCE_POLICIES). */
export const STATIC = 0;
export const ROUND_ROBIN = 1;
export const RANDOM = 2;
export const LEAST_OUTSTANDING = 3;
export const POWER_OF_TWO = 4;
export const WEIGHTED = 5;
export const BALANCE_POLICY_CODES = {
  static: STATIC,
  'round-robin': ROUND_ROBIN,
  random: RANDOM,
  'least-outstanding': LEAST_OUTSTANDING,
  'power-of-two': POWER_OF_TWO,
  weighted: WEIGHTED,
} as const;

/** What a choice reads of the caller: its draws, its round-robin cursor, and each instance's load and weight. */
export interface BalanceChooser<T> {
  rng: () => number;
  /** The next round-robin turn (incremented by each round-robin choice). */
  cursor: { rr: number };
  outstanding(instance: T): number;
  weight(instance: T): number;
}

/** The instance `policy` (not `static`) picks among `up`; null when none is up or the weights up are all 0. */
export function chooseInstance<T>(policy: number, up: readonly T[], c: BalanceChooser<T>): T | null {
  const n = up.length;
  if (n === 0) return null;
  switch (policy) {
    case ROUND_ROBIN:
      return up[c.cursor.rr++ % n]!;
    case RANDOM:
      return up[Math.floor(c.rng() * n)]!;
    case LEAST_OUTSTANDING: {
      let best = up[0]!;
      for (let i = 1; i < n; i++) if (c.outstanding(up[i]!) < c.outstanding(best)) best = up[i]!;
      return best;
    }
    case POWER_OF_TWO: {
      if (n === 1) return up[0]!;
      const i = Math.floor(c.rng() * n);
      let j = Math.floor(c.rng() * (n - 1));
      if (j >= i) j++;
      const a = up[i]!;
      const b = up[j]!;
      return c.outstanding(b) < c.outstanding(a) ? b : a;
    }
    case WEIGHTED: {
      let total = 0;
      for (let i = 0; i < n; i++) total += c.weight(up[i]!);
      if (total <= 0) return null;
      let u = c.rng() * total;
      for (let i = 0; i < n; i++) {
        u -= c.weight(up[i]!);
        if (u < 0) return up[i]!;
      }
      return up[n - 1]!;
    }
    default:
      return null;
  }
}
