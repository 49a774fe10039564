// What `optimize` prints and writes once a study has run (or while it runs: resultJson is the running
// view's "so far"): the text report, result.json, history.csv, and the configurations worth checking under
// a calibration set. The command's flags and the study's run stay in optimize.ts.
import { describeObjective, type Objective } from '../../explore/objectives.js';
import type { HistoryRow, OptimizeResult } from '../../explore/optimize.js';
import type { Space } from '../../explore/space.js';
import { HEADLINE_METRICS } from '../../explore/suggest.js';
import { num, table } from '../table.js';
import { csv } from './explore-shared.js';
import { withCi } from './sweep.js';

export function report(
  space: Space,
  r: OptimizeResult,
  objectives: readonly Objective[],
  info: Record<string, unknown>,
  runner: string,
): string {
  const out: string[] = [];
  out.push(
    `${info.scenario}: ${r.algorithm}, ${r.simulations} evaluations${r.rungs ? ` at ${r.rungs.join('/')} requests (${num(r.cost, 3)} full-fidelity equivalents)` : ''} × ${info.replications} replication${info.replications === 1 ? '' : 's'}, optimizer seed ${info.optimizerSeed}, ${runner}`,
  );
  out.push(
    `objective: ${objectives.map(describeObjective).join(', ')}${(info.constraints as string[]).length > 0 ? ` · constraints: ${(info.constraints as string[]).join(', ')}` : ''} (and feasible)`,
  );
  out.push('');
  const b = r.best;
  if (b) {
    const key = objectives[0]!.key;
    out.push(
      `best configuration${b.feasible ? '' : ' (NO FEASIBLE CONFIGURATION FOUND; least violating)'} — confirmed with ${b.evaluation.summary.n} replications:`,
    );
    out.push(
      table([['parameter', 'value'], ...space.params.map((p, i) => [p.path, String(b.config[i])])], '  '),
    );
    out.push('');
    const metrics = [
      ...new Set([
        key,
        ...objectives.map((o) => o.key),
        ...(info.constraintKeys as string[]),
        ...HEADLINE_METRICS,
      ]),
    ].filter((k) => k in b.evaluation.summary.mean);
    out.push(table([['metric', 'mean ± 95% CI'], ...metrics.map((k) => [k, withCi(b.evaluation, k)])], '  '));
    if (b.vsRunnerUp) {
      const d = b.vsRunnerUp;
      const sig = Number.isFinite(d.halfWidth) && Math.abs(d.meanDifference) > d.halfWidth;
      out.push('');
      out.push(
        d.meanDifference === 0 && d.halfWidth === 0
          ? `  runner-up ${JSON.stringify(space.record(d.config))} gives identical results (the parameters that differ have no effect here)`
          : `  vs runner-up ${JSON.stringify(space.record(d.config))}: ${key} ${d.meanDifference >= 0 ? '+' : ''}${num(d.meanDifference, 3)} ± ${num(d.halfWidth, 2)} (paired, common random numbers) — ${sig ? 'a significant difference' : 'not significantly different'}`,
      );
    }
  } else {
    out.push('no full-fidelity evaluation (budget too small for the rungs?)');
  }
  if (r.pareto.length > 0) {
    // Configurations with identical objective values are one point of the front: show the first, count the others.
    const groups = new Map<string, { e: (typeof r.pareto)[number]; n: number }>();
    for (const e of r.pareto) {
      const k = JSON.stringify(objectives.map((o) => e.summary.mean[o.key]));
      const g = groups.get(k);
      if (g) g.n++;
      else groups.set(k, { e, n: 1 });
    }
    out.push('');
    out.push(
      `Pareto front (${groups.size} points; ${r.pareto.length} feasible non-dominated configurations of ${r.evaluations.length} evaluated):`,
    );
    out.push(
      table(
        [
          [...space.params.map((p) => p.name), ...objectives.map((o) => o.key), 'same values'],
          ...[...groups.values()].map(({ e, n }) => [
            ...e.config.map(String),
            ...objectives.map((o) => withCi(e, o.key)),
            n > 1 ? `+${n - 1}` : '',
          ]),
        ],
        '  ',
      ),
    );
  }
  out.push('');
  out.push('convergence (best feasible full-fidelity value of the first objective after n evaluations):');
  const marks = [...new Set([1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, r.history.length])]
    .filter((n) => n <= r.history.length)
    .sort((a, b) => a - b);
  const sign = objectives[0]!.sense === 'max' ? -1 : 1;
  out.push(
    table(
      [
        ['evaluations', ...marks.map(String)],
        [
          objectives[0]!.key,
          ...marks.map((n) => {
            const h = r.history[n - 1]!.best;
            return h && h.violation === 0 ? num(sign * h.values[0]!, 4) : '–';
          }),
        ],
      ],
      '  ',
    ),
  );
  return out.join('\n');
}

export function historyCsv(
  space: Space,
  history: readonly HistoryRow[],
  objectives: readonly Objective[],
): string {
  const sign = (i: number) => (objectives[i]!.sense === 'max' ? -1 : 1);
  return csv(
    [
      'evaluation',
      ...space.params.map((p) => p.name),
      'fidelity',
      ...objectives.map((o) => o.key),
      'violation',
      'cost',
      ...space.params.map((p) => `best.${p.name}`),
      `best.${objectives[0]!.key}`,
      'best.violation',
    ],
    history.map((h) => [
      h.index,
      ...h.config,
      h.fidelity,
      ...h.values.map((v, i) => sign(i) * v),
      h.violation,
      h.cost,
      ...(h.best ? h.best.config : space.params.map(() => null)),
      h.best ? sign(0) * h.best.values[0]! : null,
      h.best?.violation ?? null,
    ]),
  );
}

export function resultJson(
  space: Space,
  r: OptimizeResult,
  objectives: readonly Objective[],
  info: Record<string, unknown>,
): unknown {
  const sign = (i: number) => (objectives[i]!.sense === 'max' ? -1 : 1);
  return {
    kind: 'optimize',
    ...info,
    simulations: r.simulations,
    cost: r.cost,
    ...(r.rungs ? { rungs: r.rungs } : {}),
    params: space.params.map((p) => ({ path: p.path, name: p.name })),
    best: r.best
      ? {
          config: space.record(r.best.config),
          feasible: r.best.feasible,
          replications: r.best.evaluation.summary.n,
          objective: { key: objectives[0]!.key, mean: r.best.mean, ci95: r.best.halfWidth },
          ...(r.best.vsRunnerUp
            ? {
                vsRunnerUp: {
                  config: space.record(r.best.vsRunnerUp.config),
                  meanDifference: r.best.vsRunnerUp.meanDifference,
                  ci95: r.best.vsRunnerUp.halfWidth,
                },
              }
            : {}),
          mean: r.best.evaluation.summary.mean,
          ci95: r.best.evaluation.summary.halfWidth,
        }
      : null,
    pareto: r.pareto.map((e) => ({
      config: space.record(e.config),
      ...Object.fromEntries(
        objectives.map((o) => [o.key, { mean: e.summary.mean[o.key], ci95: e.summary.halfWidth[o.key] }]),
      ),
    })),
    history: r.history.map((h) => ({
      evaluation: h.index,
      config: space.record(h.config),
      fidelity: h.fidelity,
      values: h.values.map((v, i) => sign(i) * v),
      violation: h.violation,
      cost: h.cost,
      best: h.best
        ? {
            config: space.record(h.best.config),
            value: sign(0) * h.best.values[0]!,
            violation: h.best.violation,
          }
        : null,
    })),
  };
}

/** The best configuration and the next distinct feasible ones by the first objective (5 in all), as overrides. */
export function topConfigs(
  space: Space,
  r: OptimizeResult,
  objective: Objective,
  set: readonly string[],
): { name: string; overrides: string[] }[] {
  const sign = objective.sense === 'max' ? -1 : 1;
  const seen = new Set<string>([space.key(r.best!.config)]);
  const others = r.evaluations
    .filter((e) => e.summary.mean.feasible !== 0 && Number.isFinite(e.summary.mean[objective.key]))
    .sort((a, b) => sign * (a.summary.mean[objective.key]! - b.summary.mean[objective.key]!))
    .filter((e) => (seen.has(space.key(e.config)) ? false : (seen.add(space.key(e.config)), true)))
    .slice(0, 4);
  return [r.best!.config, ...others.map((e) => e.config)].map((c) => ({
    name: JSON.stringify(space.record(c)),
    overrides: [...set, ...space.overrides(c)],
  }));
}

export function robustReport(
  r: { samples: number; rows: { name: string; share: number; point: number; lo: number; hi: number }[] },
  key: string,
): string {
  return `\nUnder the calibration set (${r.samples} plausible parameter vectors; common random numbers): the best configuration wins in ${num(100 * r.rows[0]!.share, 3)} % of them\n${table(
    [
      ['configuration', `${key} calibrated`, '90 % interval', 'P(best)'],
      ...r.rows.map((x, i) => [
        `${i === 0 ? 'best: ' : ''}${x.name}`,
        num(x.point),
        `${num(x.lo)} – ${num(x.hi)}`,
        `${num(100 * x.share, 3)} %`,
      ]),
    ],
    '  ',
  )}\n`;
}
