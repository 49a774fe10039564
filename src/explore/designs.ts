import type { Rng } from '../random/index.js';
import { sobolPoints } from './sobol.js';
import type { Config, Space } from './space.js';

/** `n` uniformly random configurations. */
export function randomDesign(space: Space, n: number, rng: Rng): Config[] {
  return Array.from({ length: n }, () => space.random(rng));
}

/** One classic Latin hypercube in the unit cube: x_ij = (π_j(i) + U)/n (McKay et al. 1979). */
export function latinHypercube(n: number, dims: number, rng: Rng): number[][] {
  const cols = Array.from({ length: dims }, () => {
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    return perm.map((p) => (p + rng()) / n);
  });
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]!));
}

function minPairDistance(pts: readonly number[][]): number {
  let best = Infinity;
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      let d = 0;
      for (let k = 0; k < pts[i]!.length; k++) d += (pts[i]![k]! - pts[j]![k]!) ** 2;
      if (d < best) best = d;
    }
  }
  return best;
}

/**
 * A maximin Latin hypercube: among `iterations` classic designs keep the one with the largest smallest
 * pairwise distance (scikit-optimize's `Lhs(lhs_type="classic", criterion="maximin", iterations=1000)`).
 * Points are mapped to configurations by the space (levels for discrete parameters).
 */
export function lhsDesign(space: Space, n: number, rng: Rng, iterations = 1000): Config[] {
  if (n <= 0) return [];
  // The maximin search is O(iterations·n²·d): cap the work for large designs.
  const its = Math.max(1, Math.min(iterations, Math.floor(2e8 / Math.max(1, n * n * space.dims))));
  let best = latinHypercube(n, space.dims, rng);
  let bestD = n > 1 ? minPairDistance(best) : 0;
  for (let it = 1; it < its; it++) {
    const cand = latinHypercube(n, space.dims, rng);
    const d = minPairDistance(cand);
    if (d > bestD) {
      best = cand;
      bestD = d;
    }
  }
  return best.map((u) => space.fromUnit(u));
}

/** The first `n` points of a digitally shifted Sobol sequence, mapped to configurations. */
export function sobolDesign(space: Space, n: number, rng: Rng): Config[] {
  return sobolPoints(n, space.dims, rng).map((u) => space.fromUnit(u));
}
