// The surface of a contour plot: an objective known at scattered trials (two parameters of a study),
// interpolated onto a regular grid. Pure (unit-tested in Node).

/**
 * Inverse-distance-weighted values on an nx × ny grid spanning the points' extent, distances taken in
 * coordinates normalized to [0, 1] on each axis (after a log, for an axis with `xLog`/`yLog`): a trial
 * weighs on the cells near it whatever the parameters' units. A cell on a trial takes its value.
 * Several trials at one place (the other parameters differ) count as their mean.
 * Returns { values: row-major Float64Array (index j * nx + i, j = 0 the lowest y), nx, ny, x: [lo, hi], y: [lo, hi] },
 * or null with no finite point.
 *
 *   contourGrid([{ x: 3, y: 10, v: 2.4 }, …], { nx: 40, ny: 30, yLog: true })
 */
export function contourGrid(points, { nx = 40, ny = 40, xLog = false, yLog = false, power = 2 } = {}) {
  const tx = xLog ? Math.log : (v) => v;
  const ty = yLog ? Math.log : (v) => v;
  const merged = new Map();
  for (const p of points) {
    if (![p.x, p.y, p.v].every(Number.isFinite) || (xLog && p.x <= 0) || (yLog && p.y <= 0)) continue;
    const key = `${p.x}|${p.y}`;
    const m = merged.get(key) ?? { x: tx(p.x), y: ty(p.y), sum: 0, n: 0 };
    m.sum += p.v;
    m.n++;
    merged.set(key, m);
  }
  const pts = [...merged.values()].map((m) => ({ x: m.x, y: m.y, v: m.sum / m.n }));
  if (!pts.length) return null;
  const ext = (k) => [Math.min(...pts.map((p) => p[k])), Math.max(...pts.map((p) => p[k]))];
  const [x0, x1] = ext('x');
  const [y0, y1] = ext('y');
  const sx = x1 - x0 || 1;
  const sy = y1 - y0 || 1;
  const norm = pts.map((p) => ({ u: (p.x - x0) / sx, w: (p.y - y0) / sy, v: p.v }));
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    const w = ny > 1 ? j / (ny - 1) : 0;
    for (let i = 0; i < nx; i++) {
      const u = nx > 1 ? i / (nx - 1) : 0;
      let num = 0;
      let den = 0;
      let exact = NaN;
      for (const p of norm) {
        const d2 = (p.u - u) ** 2 + (p.w - w) ** 2;
        if (d2 < 1e-18) {
          exact = p.v;
          break;
        }
        const k = 1 / d2 ** (power / 2);
        num += k * p.v;
        den += k;
      }
      values[j * nx + i] = Number.isNaN(exact) ? num / den : exact;
    }
  }
  const back = (log, v) => (log ? Math.exp(v) : v);
  return { values, nx, ny, x: [back(xLog, x0), back(xLog, x1)], y: [back(yLog, y0), back(yLog, y1)] };
}
