import { Option, type Command } from 'commander';
import { checkMetricKey } from '../../explore/metrics.js';
import type { Evaluation } from '../../explore/evaluator.js';
import type { Space } from '../../explore/space.js';
import { sweepConfigs, type SweepDesign } from '../../explore/sweep.js';
import { intOption } from '../options.js';
import { num, table } from '../table.js';
import {
  closingLine,
  csv,
  exploreOptions,
  json,
  list,
  runStudy,
  startStudy,
  type ExploreFlags,
} from './explore-shared.js';
import { predictConfigsWithSet } from '../set-prediction.js';

interface SweepFlags extends ExploreFlags {
  design: SweepDesign;
  points?: number;
  levels: number;
  metrics: string[];
  calibrationSet?: string;
  piReplications: number;
}

export const DEFAULT_METRICS = ['responseTime.mean', 'responseTime.p95', 'throughput', 'gpuMemoryPeakGiB'];

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description(
      'Simulate a design of configurations (grid, random, Latin hypercube or Sobol) over scenario fields, in parallel worker threads, and tabulate the metrics with 95% CIs. Every finished trial is stored: an interrupted sweep resumes where it stopped.',
    )
    .argument('<scenario>', 'scenario YAML file (e.g. scenarios/plantnet.yaml)')
    .addOption(
      new Option(
        '-d, --design <kind>',
        'grid: every combination of the levels; random, lhs (maximin Latin hypercube), sobol: --points configurations',
      )
        .choices(['grid', 'random', 'lhs', 'sobol'])
        .default('grid'),
    )
    .option('-n, --points <n>', 'configurations of a random, lhs or sobol design', intOption('--points', 1))
    .option(
      '--levels <k>',
      'grid levels of continuous parameters (discrete ones use all their levels)',
      intOption('--levels', 1),
      5,
    )
    .option(
      '-m, --metrics <keys>',
      `metric keys to show, comma-separated (default: ${DEFAULT_METRICS.join(',')}); the files hold all of them`,
      list,
      [],
    );
  exploreOptions(cmd, { replications: "the scenario's run.replications" })
    .option(
      '--calibration-set <file>',
      'also predict every configuration over a calibration set (`e2ctwin calibrate-twin`): calibrated value and 90 % prediction interval of each shown metric',
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
Parameters come from --param flags or else the scenario's explore.params. Each configuration runs with
the same seeds (common random numbers, --seeds crn) unless --seeds independent.

Outputs, in the study folder (--out): study.sqlite (every trial), results.csv (one row per configuration:
parameters, then every metric's mean, and the 95% CI half-width of the shown metrics), results.json.

Examples:
  e2ctwin sweep scenarios/plantnet.yaml --param cloud.engine.pools.extract=1..8 -r 3
  e2ctwin sweep scenarios/plantnet.yaml -p cloud.engine.pools.extract=2..8:2 -p cloud.engine.pools.simsearch=10..60:10 --set run.duration=900
  e2ctwin sweep scenarios/plantnet.yaml --design lhs --points 64 --workers 2 --out runs/lhs64`,
    )
    .action(async (file: string, flags: SweepFlags) => {
      const metrics = flags.metrics.length > 0 ? flags.metrics : DEFAULT_METRICS;
      const definition = { design: flags.design, points: flags.points, levels: flags.levels };
      await runStudy(
        () => startStudy('sweep', file, flags, definition),
        async (s) => {
          const { study } = s;
          const configs = sweepConfigs(study, {
            design: flags.design,
            levels: flags.levels,
            ...(flags.points !== undefined ? { points: flags.points } : {}),
          });
          s.progress.plan(configs.length * study.replications);
          // One replication first: an unknown metric is reported before the whole design runs.
          const [first] = await study.evaluator.evaluate([{ config: configs[0]!, replications: 1 }]);
          for (const m of metrics) checkMetricKey(m, first!.summary.mean);
          const evaluations = await study.evaluator.evaluate(configs.map((config) => ({ config })));
          s.progress.stop();
          const doc = sweepJson(study.space, evaluations, {
            scenario: study.scenario.name,
            design: flags.design,
            rootSeed: study.rootSeed,
            seeds: study.seedMode,
            replications: study.replications,
          });
          const files = [
            s.write('results.csv', sweepCsv(study.space, evaluations, metrics)),
            s.write('results.json', json(doc)),
          ];
          const calibrated =
            flags.calibrationSet === undefined
              ? undefined
              : await predictConfigsWithSet(
                  file,
                  evaluations.map((e) => ({
                    name: study.space.key(e.config),
                    overrides: [...flags.set, ...study.space.overrides(e.config)],
                  })),
                  metrics,
                  flags.calibrationSet,
                  { seed: study.rootSeed, replications: flags.piReplications, runner: s.runner },
                );
          if (flags.json)
            process.stdout.write(
              json(
                calibrated
                  ? {
                      ...(doc as object),
                      calibrated: calibrated.predictions.map((p) =>
                        Object.fromEntries(
                          Object.entries(p.metrics).map(([k, x]) => [
                            k,
                            { point: x.point, lo90: x.lo, hi90: x.hi },
                          ]),
                        ),
                      ),
                    }
                  : doc,
              ),
            );
          else {
            process.stdout.write(
              `${study.scenario.name}: ${flags.design} sweep of ${evaluations.length} configurations × ${study.replications} replication${study.replications === 1 ? '' : 's'} (seed ${study.rootSeed}, ${study.seedMode === 'crn' ? 'common random numbers' : 'independent seeds'}), ${s.runner.description}\n\n`,
            );
            process.stdout.write(`${sweepTable(study.space, evaluations, metrics)}\n`);
            if (calibrated) {
              process.stdout.write(
                `\nCalibrated over ${calibrated.samples} plausible parameter vectors (value [90 % prediction interval]):\n`,
              );
              process.stdout.write(
                `${table([
                  [...study.space.params.map((p) => p.name), ...metrics],
                  ...evaluations.map((e, i) => [
                    ...e.config.map(String),
                    ...metrics.map((m) => {
                      const x = calibrated.predictions[i]!.metrics[m]!;
                      return `${num(x.point)} [${num(x.lo)} – ${num(x.hi)}]`;
                    }),
                  ]),
                ])}\n`,
              );
            }
          }
          process.stderr.write(closingLine(s, files));
        },
      );
    });
}

/** `mean ± half-width` of a metric (the CI only with two replications or more). */
export function withCi(e: Evaluation, key: string, digits = 4): string {
  const m = e.summary.mean[key];
  const h = e.summary.halfWidth[key];
  if (m === undefined) return '–';
  if (key === 'feasible') return m >= 1 ? 'yes' : 'no';
  return h !== undefined && Number.isFinite(h) && h > 1e-9 * Math.abs(m)
    ? `${num(m, digits)} ± ${num(h, 2)}`
    : num(m, digits);
}

export function sweepTable(space: Space, evals: readonly Evaluation[], metrics: readonly string[]): string {
  const anyInfeasible = evals.some((e) => (e.summary.mean.feasible ?? 1) < 1);
  const header = [...space.params.map((p) => p.name), ...metrics, ...(anyInfeasible ? ['feasible'] : [])];
  const rows = evals.map((e) => [
    ...e.config.map(String),
    ...metrics.map((m) => withCi(e, m)),
    ...(anyInfeasible ? [withCi(e, 'feasible')] : []),
  ]);
  // Parameter columns read better left-aligned like the first one: pad them as text.
  return table([header, ...rows]);
}

export function sweepCsv(space: Space, evals: readonly Evaluation[], ciKeys: readonly string[]): string {
  const keys = Object.keys(evals[0]?.summary.mean ?? {});
  const header = [
    ...space.params.map((p) => p.name),
    'seed',
    'replications',
    ...keys,
    ...ciKeys.map((k) => `${k}.ci95`),
  ];
  const rows = evals.map((e) => [
    ...e.config,
    e.seed,
    e.summary.n,
    ...keys.map((k) => e.summary.mean[k]),
    ...ciKeys.map((k) => e.summary.halfWidth[k]),
  ]);
  return csv(header, rows);
}

export function sweepJson(
  space: Space,
  evals: readonly Evaluation[],
  info: Record<string, unknown>,
): unknown {
  return {
    kind: 'sweep',
    ...info,
    params: space.params.map((p) => ({
      path: p.path,
      name: p.name,
      ...(p.levels ? { levels: p.levels } : { min: p.min, max: p.max }),
      log: p.log,
    })),
    results: evals.map((e) => ({
      config: space.record(e.config),
      seed: e.seed,
      replications: e.summary.n,
      mean: e.summary.mean,
      ci95: e.summary.halfWidth,
    })),
  };
}
