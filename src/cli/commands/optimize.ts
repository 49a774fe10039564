import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  constraintsFrom,
  describeObjective,
  objectivesFrom,
  type Objective,
} from '../../explore/objectives.js';
import { optimize, type HistoryRow, type OptimizeResult } from '../../explore/optimize.js';
import { ALGORITHMS, MULTI_FIDELITY, type Algorithm } from '../../explore/optimizers/index.js';
import type { Space } from '../../explore/space.js';
import type { StudySoFar } from '../../explore/study-progress.js';
import { collect, intOption } from '../options.js';
import { num, table } from '../table.js';
import {
  closingLine,
  csv,
  exploreOptions,
  json,
  runStudy,
  startStudy,
  type ExploreFlags,
} from './explore-shared.js';
import { sweepCsv, withCi } from './sweep.js';
import { bestUnderSet } from '../set-prediction.js';

interface OptimizeFlags extends ExploreFlags {
  algorithm: Algorithm;
  budget: number;
  batch: number;
  objective: string[];
  constraint: string[];
  fidelity: { min: number; max: number };
  eta: number;
  requests: number;
  confirm: number;
  confirmReplications: number;
  optimizerSeed?: number;
  calibrationSet?: string;
  piReplications: number;
}

function fidelityRange(value: string): { min: number; max: number } {
  const m = /^(\d+)\s*\.\.\s*(\d+)$/.exec(value.trim());
  const min = Number(m?.[1]),
    max = Number(m?.[2]);
  if (!m || !(min >= 1) || !(max > min))
    throw new InvalidArgumentError(
      `--fidelity must be min..max requests with 1 ≤ min < max (got "${value}")`,
    );
  return { min, max };
}

export function registerOptimize(program: Command): void {
  const cmd = program
    .command('optimize')
    .description(
      'Search scenario fields for the best configuration with an ask/tell optimizer (random, Latin hypercube, TPE, GP with expected improvement, successive halving / ASHA over the number of simulated requests, NSGA-II for several objectives), under constraints; report the best configuration with its CI, the Pareto front and the convergence history. Reproducible by seed; interrupted searches resume.',
    )
    .argument('<scenario>', 'scenario YAML file (e.g. scenarios/plantnet.yaml)')
    .addOption(new Option('-a, --algorithm <name>', 'optimizer').choices([...ALGORITHMS]).default('tpe'))
    .option(
      '-b, --budget <n>',
      'evaluations to spend (full-fidelity equivalents for sha/asha)',
      intOption('--budget', 1),
      50,
    )
    .option(
      '--batch <n>',
      'suggestions evaluated at a time, told in order (constant liar for the pending ones); fixed so that results do not depend on --workers',
      intOption('--batch', 1),
      4,
    )
    .option(
      '--objective <[min:|max:]metric>',
      "objective (repeatable: several give a Pareto front; use nsga2 to search it); default: the scenario's explore.objective(s), else responseTime.mean",
      collect,
      [],
    )
    .option(
      '-c, --constraint <expr>',
      'constraint on a metric\'s mean, e.g. "responseTime.p95 <= 3", "energyJ <= 2e6" (repeatable; added to the scenario\'s explore.constraints). Infeasible configurations (GPU memory beyond the card) always violate',
      collect,
      [],
    )
    .addOption(
      new Option(
        '--fidelity <min..max>',
        'sha/asha: requests measured per replication at the lowest and the top rung',
      )
        .argParser(fidelityRange)
        .default({ min: 2000, max: 32000 }, '2000..32000'),
    )
    .option(
      '--eta <n>',
      'sha/asha: reduction factor η (top 1/η promoted, fidelity ×η per rung)',
      intOption('--eta', 2),
      4,
    )
    .addOption(
      new Option('--requests <n>', 'fidelity of the other algorithms: requests measured per replication')
        .argParser(intOption('--requests', 0))
        .default(0, "the scenario's run length"),
    )
    .option(
      '--confirm <k>',
      're-evaluate the best k configurations with --confirm-replications to state the best with a CI (0: no confirmation)',
      intOption('--confirm', 0),
      3,
    )
    .option(
      '--confirm-replications <n>',
      'replications of the confirmation',
      intOption('--confirm-replications', 2),
      10,
    )
    .option(
      '--optimizer-seed <n>',
      "seed of the optimizer's own random choices (default: --seed); vary it to repeat a search with the same simulations",
      intOption('--optimizer-seed'),
    );
  exploreOptions(cmd, { replications: '2' })
    .option(
      '--calibration-set <file>',
      'also report how likely the best configuration is to be the best under a calibration set (`e2ctwin calibrate-twin`): the top 5 feasible configurations simulated under every plausible parameter vector',
    )
    .addOption(
      new Option(
        '--pi-replications <n>',
        'with --calibration-set: replications per (plausible vector, configuration)',
      )
        .argParser(intOption('--pi-replications', 1))
        .default(1),
    )
    .addHelpText(
      'after',
      `
Objectives, constraints and parameters come from the flags or else the scenario's explore section. Metric keys
are the --json keys of simulate (responseTime.mean, responseTime.p95, throughput, gpuMemoryPeakGiB, energyJ,
cost, pools.<name>.utilization …). random, lhs, tpe, gp, sha and asha minimize the first objective (the others
are recorded, and with several objectives the Pareto front of everything evaluated is reported); nsga2 searches
the front of all objectives.

Outputs, in the study folder (--out): study.sqlite, history.csv (convergence: every evaluation and the best so
far), evaluations.csv, pareto.csv (several objectives), result.json.

Examples:
  e2ctwin optimize scenarios/plantnet.yaml --algorithm gp --budget 60
  e2ctwin optimize scenarios/plantnet.yaml -a tpe -b 80 -c "responseTime.p95 <= 4"
  e2ctwin optimize scenarios/plantnet.yaml -a nsga2 -b 120 --objective responseTime.mean --objective gpuMemoryPeakGiB
  e2ctwin optimize scenarios/plantnet.yaml -a asha -b 40 --fidelity 1000..16000`,
    )
    .action(async (file: string, flags: OptimizeFlags) => {
      const mf = MULTI_FIDELITY.has(flags.algorithm);
      const definition = {
        algorithm: flags.algorithm,
        budget: flags.budget,
        batch: flags.batch,
        objective: flags.objective,
        constraint: flags.constraint,
        ...(mf ? { fidelity: flags.fidelity, eta: flags.eta } : { requests: flags.requests }),
        optimizerSeed: flags.optimizerSeed,
      };
      await runStudy(
        () => startStudy('optimize', file, flags, definition, { replications: 2 }),
        async (s) => {
          const { study } = s;
          const objectives = objectivesFrom(flags.objective, study.scenario.explore);
          const constraints = constraintsFrom(flags.constraint, study.scenario.explore, study.scenario);
          const reps = study.replications;
          s.progress.plan(flags.budget * reps * (mf ? 2 : 1) + flags.confirm * flags.confirmReplications);
          const info = {
            scenario: study.scenario.name,
            algorithm: flags.algorithm,
            budget: flags.budget,
            batch: flags.batch,
            optimizerSeed: flags.optimizerSeed ?? study.rootSeed,
            rootSeed: study.rootSeed,
            seeds: study.seedMode,
            replications: reps,
            objectives: objectives.map(describeObjective),
            constraints: constraints.map((c) => c.text),
          };
          // The page follows the search: the objectives at once, then the result document so far after
          // every batch (the same shape as result.json, its best still to be confirmed).
          // Written at once: a page never takes this study for one without results so far (drawn as a sweep).
          const soFar = (r: OptimizeResult) =>
            s.progressFile.soFar(resultJson(study.space, r, objectives, info) as StudySoFar);
          s.progressFile.objectives(
            objectives.map((o) => ({ key: o.key, direction: o.sense === 'max' ? 'maximize' : 'minimize' })),
          );
          soFar({
            algorithm: flags.algorithm,
            history: [],
            evaluations: [],
            simulations: 0,
            cost: 0,
            pareto: [],
          });
          s.progressFile.write();
          const result = await optimize(study, {
            onBatch: (_rows, r) => soFar(r),
            algorithm: flags.algorithm,
            budget: flags.budget,
            batch: flags.batch,
            seed: flags.optimizerSeed ?? study.rootSeed,
            objectives,
            constraints,
            ...(mf ? { fidelity: { ...flags.fidelity, eta: flags.eta } } : { fullFidelity: flags.requests }),
            ...(flags.confirm > 0
              ? { confirm: { top: flags.confirm, replications: flags.confirmReplications } }
              : {}),
          });
          s.progress.stop();
          const doc = resultJson(study.space, result, objectives, info);
          const reportInfo = { ...info, constraintKeys: constraints.map((c) => c.key) };
          const files = [
            s.write('history.csv', historyCsv(study.space, result.history, objectives)),
            s.write(
              'evaluations.csv',
              sweepCsv(
                study.space,
                result.evaluations,
                objectives.map((o) => o.key),
              ),
            ),
            ...(objectives.length > 1
              ? [
                  s.write(
                    'pareto.csv',
                    sweepCsv(
                      study.space,
                      result.pareto,
                      objectives.map((o) => o.key),
                    ),
                  ),
                ]
              : []),
            s.write('result.json', json(doc)),
          ];
          const robust =
            flags.calibrationSet === undefined || !result.best
              ? undefined
              : await bestUnderSet(
                  file,
                  topConfigs(study.space, result, objectives[0]!, flags.set),
                  objectives[0]!,
                  flags.calibrationSet,
                  {
                    seed: study.rootSeed,
                    replications: flags.piReplications,
                    runner: s.runner,
                  },
                );
          if (flags.json)
            process.stdout.write(json(robust ? { ...(doc as object), underCalibrationSet: robust } : doc));
          else
            process.stdout.write(
              `${report(study.space, result, objectives, reportInfo, s.runner.description)}\n${robust ? robustReport(robust, objectives[0]!.key) : ''}`,
            );
          process.stderr.write(closingLine(s, files));
        },
      );
    });
}

function report(
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
        'responseTime.mean',
        'responseTime.p95',
        'throughput',
        'gpuMemoryPeakGiB',
        'energyJ',
        'cost',
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

function historyCsv(space: Space, history: readonly HistoryRow[], objectives: readonly Objective[]): string {
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

function resultJson(
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
function topConfigs(
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

function robustReport(
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
