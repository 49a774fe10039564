// Distances between two empirical response-time distributions as the charts hold them: step CDFs, a list
// of points { x, p } (p the share of requests answered within x, x ascending). Pure (unit-tested in Node).

/** The CDF's value at x: the p of the last point at or before x, 0 before the first. */
function at(cdf, x, from) {
  let k = from;
  while (k + 1 < cdf.length && cdf[k + 1].x <= x) k++;
  return { k, p: k >= 0 && cdf[k].x <= x ? cdf[k].p : 0 };
}

/**
 * The Kolmogorov–Smirnov distance between two step CDFs: the largest vertical gap, over every x where
 * either steps. NaN when either is empty.
 *
 *   ksDistance([{ x: 1, p: 0.5 }, { x: 2, p: 1 }], [{ x: 1.5, p: 1 }]) // 0.5
 */
export function ksDistance(a, b) {
  if (!a.length || !b.length) return NaN;
  const xs = [...new Set([...a.map((q) => q.x), ...b.map((q) => q.x)])].sort((u, v) => u - v);
  let ka = -1;
  let kb = -1;
  let d = 0;
  for (const x of xs) {
    const fa = at(a, x, ka);
    const fb = at(b, x, kb);
    ka = fa.k;
    kb = fb.k;
    d = Math.max(d, Math.abs(fa.p - fb.p));
  }
  return d;
}
