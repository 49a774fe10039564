/**
 * Pareto tools over points with objective values in minimization form and a total constraint violation
 * (0 = feasible): constrained domination (Deb et al. 2002), fast non-dominated sort, crowding distance
 * and the 2-D hypervolume.
 */
export interface Scored {
  values: readonly number[];
  violation: number;
}

const val = (x: number) => (Number.isNaN(x) ? Infinity : x);

/** a dominates b: feasible beats infeasible; two infeasible compare by violation; two feasible by Pareto dominance. */
export function dominates(a: Scored, b: Scored): boolean {
  if (a.violation === 0 && b.violation > 0) return true;
  if (a.violation > 0 || b.violation > 0)
    return a.violation > 0 && b.violation > 0 && a.violation < b.violation;
  let strictly = false;
  for (let i = 0; i < a.values.length; i++) {
    const x = val(a.values[i]!),
      y = val(b.values[i]!);
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/** Fronts F1, F2, … as index lists (Deb's fast non-dominated sort, O(M·N²)). */
export function nonDominatedSort(points: readonly Scored[]): number[][] {
  const n = points.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      if (p === q) continue;
      if (dominates(points[p]!, points[q]!)) dominatedBy[p]!.push(q);
      else if (dominates(points[q]!, points[p]!)) count[p]!++;
    }
    if (count[p] === 0) fronts[0]!.push(p);
  }
  for (let i = 0; fronts[i]!.length > 0; i++) {
    const next: number[] = [];
    for (const p of fronts[i]!) for (const q of dominatedBy[p]!) if (--count[q]! === 0) next.push(q);
    fronts.push(next);
  }
  fronts.pop();
  return fronts;
}

/** Crowding distance of each member of a front (boundary points Infinity). */
export function crowdingDistance(points: readonly Scored[], front: readonly number[]): Map<number, number> {
  const d = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length === 0) return d;
  const m = points[front[0]!]!.values.length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort(
      (a, b) => val(points[a]!.values[k]!) - val(points[b]!.values[k]!) || a - b,
    );
    const lo = val(points[sorted[0]!]!.values[k]!),
      hi = val(points[sorted.at(-1)!]!.values[k]!);
    d.set(sorted[0]!, Infinity);
    d.set(sorted.at(-1)!, Infinity);
    if (!(hi > lo) || !Number.isFinite(hi - lo)) continue;
    for (let i = 1; i < sorted.length - 1; i++) {
      d.set(
        sorted[i]!,
        d.get(sorted[i]!)! +
          (val(points[sorted[i + 1]!]!.values[k]!) - val(points[sorted[i - 1]!]!.values[k]!)) / (hi - lo),
      );
    }
  }
  return d;
}

/** Indices of the feasible non-dominated points (the Pareto front), sorted by the first objective. */
export function paretoFront(points: readonly Scored[]): number[] {
  const feasible = points
    .map((_p, i) => i)
    .filter((i) => points[i]!.violation === 0 && points[i]!.values.every((v) => !Number.isNaN(v)));
  const front = feasible.filter((i) => !feasible.some((j) => j !== i && dominates(points[j]!, points[i]!)));
  return front.sort((a, b) => points[a]!.values[0]! - points[b]!.values[0]! || a - b);
}

/** Hypervolume of a 2-D point set (minimization) dominated up to the reference point. */
export function hypervolume2d(
  points: readonly (readonly number[])[],
  ref: readonly [number, number],
): number {
  const pts = points
    .filter((p) => p[0]! < ref[0] && p[1]! < ref[1])
    .map((p) => [p[0]!, p[1]!] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let hv = 0;
  let bestY = ref[1];
  for (const [x, y] of pts) {
    if (y < bestY) {
      hv += (ref[0] - x) * (bestY - y);
      bestY = y;
    }
  }
  return hv;
}
