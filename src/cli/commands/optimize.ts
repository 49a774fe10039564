import { InvalidArgumentError, Option, type Command } from 'commander';
import { constraintsFrom, describeObjective, objectivesFrom } from '../../explore/objectives.js';
import { optimize, type OptimizeResult } from '../../explore/optimize.js';
import { ALGORITHMS, MULTI_FIDELITY, type Algorithm } from '../../explore/optimizers/index.js';
import type { StudySoFar } from '../../explore/study-progress.js';
import { collect, intOption } from '../options.js';
import {
  closingLine,
  exploreOptions,
  json,
  runStudy,
  startStudy,
  type ExploreFlags,
} from './explore-shared.js';
import { sweepCsv } from './sweep.js';
import { bestUnderSet } from '../set-prediction.js';
import { historyCsv, report, resultJson, robustReport, topConfigs } from './optimize-report.js';

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
