// Parameter importance of a study's trials, fANOVA-style: how much of the objective's variance each
// parameter's marginal means explain (its main effect). Pure: no d3, no DOM (unit-tested in Node).

/**
 * Groups of a parameter's values: each distinct value its own group when there are few, else
 * equal-count bins of the sorted values (quantiles: the same bins whether the axis is linear or log).
 * Returns, for each row index, its group number.
 */
export function groupsOf(values, maxGroups) {
  const distinct = [...new Set(values)];
  if (distinct.length <= maxGroups) {
    const at = new Map(distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((v, i) => [v, i]));
    return values.map((v) => at.get(v));
  }
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const group = new Array(values.length);
  let g = 0;
  // Equal values never straddle two bins: a bin ends only where the value changes.
  order.forEach((i, k) => {
    const full = k >= Math.round(((g + 1) * order.length) / maxGroups);
    if (full && g < maxGroups - 1 && values[i] !== values[order[k - 1]]) g++;
    group[i] = g;
  });
  return group;
}

/**
 * Importance of each parameter for the objective `value(row)` over the rows (trials) whose value is a
 * finite number. The objective is fitted as a sum of one function per parameter (its main effects: a
 * mean per group of its values, fitted jointly by backfitting, so that parameters correlated in a
 * random design do not share each other's effect), and each parameter gets:
 * - `eta2`: the variance of its fitted function over the trials, as a share of the objective's variance
 *   (for a full grid, exactly the variance of its marginal means);
 * - `importance`: the same less what its groups would fit of the residual noise by chance (clamped at
 *   0), since with a few trials per group even a parameter without effect fits some variance;
 * - `share`: the importances normalized to sum to 1 (as Optuna's importances do), 0 when all are 0;
 * - `groups`: the groups of its values (distinct values, or equal-count bins of a continuous one).
 * Sorted from the most important. The array's `explained` is the share of the variance the fitted sum
 * explains (its R², at most 1: the parameters' own shares can add up to more when they are correlated).
 *
 *   parameterImportance(trials, ['http', 'extract'], (t) => t.mean['responseTime.mean'])
 */
export function parameterImportance(rows, params, value, { maxGroups, sweeps = 50 } = {}) {
  const used = rows.filter((r) => Number.isFinite(value(r)));
  const n = used.length;
  const mean = n ? used.reduce((a, r) => a + value(r), 0) / n : 0;
  const y = used.map((r) => value(r) - mean);
  const total = y.reduce((a, v) => a + v * v, 0);
  const k = maxGroups ?? Math.max(2, Math.min(10, Math.round(Math.sqrt(n))));
  const groups = params.map((p) =>
    groupsOf(
      used.map((r) => r[p]),
      k,
    ),
  );
  const sizes = groups.map((g) => (n ? Math.max(...g) + 1 : 0));
  // fit[p][i]: parameter p's function at trial i.
  const fit = params.map(() => new Float64Array(n));
  const partial = new Float64Array(n);
  for (let sweep = 0; sweep < (total > 0 ? sweeps : 0); sweep++) {
    let moved = 0;
    params.forEach((_, p) => {
      for (let i = 0; i < n; i++) {
        let others = 0;
        for (let q = 0; q < params.length; q++) if (q !== p) others += fit[q][i];
        partial[i] = y[i] - others;
      }
      const sum = new Float64Array(sizes[p]);
      const count = new Float64Array(sizes[p]);
      groups[p].forEach((g, i) => {
        sum[g] += partial[i];
        count[g]++;
      });
      for (let i = 0; i < n; i++) {
        const v = sum[groups[p][i]] / count[groups[p][i]];
        moved = Math.max(moved, Math.abs(v - fit[p][i]));
        fit[p][i] = v;
      }
    });
    // A full grid converges in one sweep; a random design in a few.
    if (moved <= 1e-12 * Math.sqrt(total / n)) break;
  }
  let residual = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let p = 0; p < params.length; p++) f += fit[p][i];
    residual += (y[i] - f) ** 2;
  }
  // The noise per degree of freedom left by the fit; none to speak of when the fit is saturated.
  const dfResidual = n - 1 - sizes.reduce((a, g) => a + Math.max(0, g - 1), 0);
  const noise = dfResidual > 0 ? residual / dfResidual : 0;
  const out = params.map((param, p) => {
    if (!(total > 0)) return { param, eta2: 0, importance: 0, groups: sizes[p] };
    let ss = 0;
    for (let i = 0; i < n; i++) ss += fit[p][i] ** 2;
    return {
      param,
      eta2: ss / total,
      importance: Math.max(0, (ss - Math.max(0, sizes[p] - 1) * noise) / total),
      groups: sizes[p],
    };
  });
  const sum = out.reduce((a, o) => a + o.importance, 0);
  for (const o of out) o.share = sum > 0 ? o.importance / sum : 0;
  out.sort((a, b) => b.importance - a.importance || b.eta2 - a.eta2);
  out.explained = total > 0 ? Math.max(0, 1 - residual / total) : 0;
  return out;
}
