import type { MorrisIndex, OatResult, SobolIndex } from '../../explore/sensitivity.js';
import type { Space } from '../../explore/space.js';
import { num, table } from '../table.js';

// The tables `e2ctwin sensitivity` prints for each method (result.json holds the same figures).

export function oatTable(space: Space, metric: string, r: OatResult): string {
  const out = [`one at a time around ${JSON.stringify(space.record(r.center))} — ${metric} (mean ± 95% CI):`];
  for (const c of r.curves) {
    const i = space.params.indexOf(c.param);
    out.push('');
    out.push(
      table(
        [
          [c.param.name, ...c.points.map((p) => String(p.config[i]))],
          [metric, ...c.points.map((p) => `${num(p.mean, 4)}${p.feasible ? '' : '*'}`)],
          ...(c.points.some((p) => Number.isFinite(p.halfWidth))
            ? [['± CI', ...c.points.map((p) => (Number.isFinite(p.halfWidth) ? num(p.halfWidth, 2) : ''))]]
            : []),
        ],
        '  ',
      ),
    );
  }
  if (r.curves.some((c) => c.points.some((p) => !p.feasible)))
    out.push('', '  * infeasible (feasible: false, e.g. GPU memory beyond the card)');
  out.push('');
  out.push(
    table(
      [
        ['parameter', 'range of the metric', 'best feasible level'],
        ...[...r.curves]
          .sort((a, b) => b.range - a.range)
          .map((c) => [c.param.path, num(c.range, 4), String(c.bestLevel)]),
      ],
      '  ',
    ),
  );
  return out.join('\n');
}

export function morrisTable(metric: string, idx: readonly MorrisIndex[]): string {
  const rows = [...idx]
    .sort((a, b) => b.muStar - a.muStar)
    .map((x) => [
      x.param.path,
      num(x.muStar, 4),
      `± ${num(x.muStarCi, 2)}`,
      num(x.mu, 4),
      num(x.sigma, 4),
      x.muStar > 0 ? num(x.sigma / x.muStar, 2) : '–',
    ]);
  return `Morris elementary effects on ${metric}:\n${table([['parameter', 'μ*', '95% CI', 'μ', 'σ', 'σ/μ*'], ...rows], '  ')}`;
}

export function sobolTable(metric: string, idx: readonly SobolIndex[], variance: number): string {
  const rows = [...idx]
    .sort((a, b) => b.ST - a.ST)
    .map((x) => [
      x.param.path,
      num(x.S1, 3),
      `± ${num(x.S1Ci, 2)}`,
      num(x.ST, 3),
      `± ${num(x.STCi, 2)}`,
      num(x.ST - x.S1, 2),
    ]);
  const sum = idx.reduce((a, x) => a + x.S1, 0);
  return `Sobol indices of ${metric} (variance ${num(variance, 4)}):\n${table([['parameter', 'S1', '95% CI', 'ST', '95% CI', 'ST − S1'], ...rows], '  ')}\n  Σ S1 = ${num(sum, 3)}`;
}
