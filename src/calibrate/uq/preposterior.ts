import { variance, weightedVariance } from './stats.js';

/**
 * One candidate measurement: each plausible vector's simulated value of every metric a measurement
 * there would give (`values[metric][i]`), and the standard deviation of such a measurement.
 */
export interface Candidate {
  name: string;
  values: Record<string, readonly number[]>;
  noiseSd: Record<string, number>;
}

export interface CandidateValue {
  name: string;
  /** Expected variance of the quantity of interest after measuring here (preposterior). */
  expectedVariance: number;
  /** 1 − expected/current variance: the expected share of the uncertainty this measurement removes. */
  reduction: number;
}

// Gauss–Hermite nodes and weights for a standard normal (3 points): the measurement's noise.
const GH = [
  [-Math.sqrt(3), 1 / 6],
  [0, 2 / 3],
  [Math.sqrt(3), 1 / 6],
] as const;

/**
 * Preposterior analysis on a particle set (the plausible vectors, equally weighted): for a candidate,
 * take each vector j in turn as the truth; the measurement it would give is its simulated value plus
 * noise (integrated over by Gauss–Hermite, per metric); reweight every vector i by the likelihood of that
 * measurement, N(y; value_i, noise²); the variance of the quantity of interest Q under those weights
 * (with the small-sample correction) is what would remain. Averaged over j and the noise, that is the
 * expected remaining variance; the candidate that most lowers it is the most useful to measure.
 */
export function preposterior(
  q: readonly number[],
  candidates: readonly Candidate[],
): { current: number; ranked: CandidateValue[] } {
  const n = q.length;
  const current = variance(q);
  const ranked = candidates.map((c): CandidateValue => {
    const metrics = Object.keys(c.values);
    // Noise nodes over all metrics (product rule): 3^m combinations, each with its weight.
    let nodes: { z: number[]; w: number }[] = [{ z: [], w: 1 }];
    for (let m = 0; m < metrics.length; m++)
      nodes = nodes.flatMap((nd) => GH.map(([z, w]) => ({ z: [...nd.z, z], w: nd.w * w })));
    let expected = 0;
    for (let j = 0; j < n; j++) {
      for (const nd of nodes) {
        const logw = new Array<number>(n).fill(0);
        metrics.forEach((m, k) => {
          const sd = c.noiseSd[m]!;
          const y = c.values[m]![j]! + nd.z[k]! * sd;
          for (let i = 0; i < n; i++) logw[i]! += -0.5 * ((y - c.values[m]![i]!) / sd) ** 2;
        });
        const top = Math.max(...logw);
        const w = logw.map((l) => Math.exp(l - top));
        const s = w.reduce((a, b) => a + b, 0);
        expected +=
          (nd.w / n) *
          weightedVariance(
            q,
            w.map((x) => x / s),
          );
      }
    }
    return { name: c.name, expectedVariance: expected, reduction: current > 0 ? 1 - expected / current : 0 };
  });
  ranked.sort((a, b) => a.expectedVariance - b.expectedVariance || a.name.localeCompare(b.name));
  return { current, ranked };
}
