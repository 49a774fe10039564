import type { Dist } from './schema/index.js';

/** A law in its object form: a bare number becomes {dist: deterministic}. */
export type DistObject = Exclude<Dist, number>;

export function toDistObject(d: Dist): DistObject {
  return typeof d === 'number' ? { dist: 'deterministic', value: d } : d;
}

/** The mean of a law as written (for summaries; the simulator uses random/dist). */
export function distMeanOf(d: Dist): number {
  const o = toDistObject(d) as Record<string, number | number[] | string>;
  switch (o.dist) {
    case 'deterministic':
      return o.value as number;
    case 'uniform':
      return ((o.min as number) + (o.max as number)) / 2;
    case 'empirical': {
      const s = o.samples as number[];
      return s.reduce((a, b) => a + b, 0) / s.length;
    }
    default:
      if (typeof o.mean === 'number') return o.mean;
      if (o.dist === 'lognormal') return Math.exp((o.mu as number) + (o.sigma as number) ** 2 / 2);
      if (o.dist === 'gamma') return (o.shape as number) * (o.scale as number);
      return NaN;
  }
}
