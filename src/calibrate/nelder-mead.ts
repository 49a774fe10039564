/** Options of {@link nelderMead}. */
export interface NelderMeadOptions {
  /** Initial simplex step per coordinate. Default 0.1 of each coordinate's scale (or 0.1). */
  step?: number[];
  maxEvaluations?: number;
  /** Stop when the simplex's function values agree within this. Default 1e-6. */
  tolerance?: number;
}

/**
 * Nelder–Mead minimization (reflection 1, expansion 2, contraction 0.5, shrink 0.5). With a
 * deterministic objective (fixed simulation seeds: common random numbers) it converges like on any
 * smooth function of a few parameters.
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  options: NelderMeadOptions = {},
): { x: number[]; value: number; evaluations: number } {
  const n = x0.length;
  const max = options.maxEvaluations ?? 200 * n;
  const tol = options.tolerance ?? 1e-6;
  let evaluations = 0;
  const evalf = (x: number[]) => {
    evaluations++;
    return f(x);
  };
  const simplex: { x: number[]; v: number }[] = [{ x: x0, v: evalf(x0) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] = x[i]! + (options.step?.[i] ?? (x0[i] !== 0 ? 0.1 * Math.abs(x0[i]!) : 0.1));
    simplex.push({ x, v: evalf(x) });
  }
  while (evaluations < max) {
    simplex.sort((a, b) => a.v - b.v);
    if (Math.abs(simplex[n]!.v - simplex[0]!.v) <= tol) break;
    const centroid = Array.from(
      { length: n },
      (_, j) => simplex.slice(0, n).reduce((a, p) => a + p.x[j]!, 0) / n,
    );
    const worst = simplex[n]!;
    const along = (t: number) => centroid.map((c, j) => c + t * (worst.x[j]! - c));
    const xr = along(-1);
    const vr = evalf(xr);
    if (vr < simplex[0]!.v) {
      const xe = along(-2);
      const ve = evalf(xe);
      simplex[n] = ve < vr ? { x: xe, v: ve } : { x: xr, v: vr };
    } else if (vr < simplex[n - 1]!.v) {
      simplex[n] = { x: xr, v: vr };
    } else {
      const xc = vr < worst.v ? along(-0.5) : along(0.5);
      const vc = evalf(xc);
      if (vc < Math.min(vr, worst.v)) {
        simplex[n] = { x: xc, v: vc };
      } else {
        const best = simplex[0]!.x;
        for (let i = 1; i <= n; i++) {
          const x = simplex[i]!.x.map((xi, j) => best[j]! + 0.5 * (xi - best[j]!));
          simplex[i] = { x, v: evalf(x) };
        }
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0]!.x, value: simplex[0]!.v, evaluations };
}
