import { Option, type Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { currentLevel } from '../../explore/field.js';
import { objectivesFrom } from '../../explore/objectives.js';
import {
  morris,
  oat,
  oatCurves,
  sobol,
  type MorrisIndex,
  type OatResult,
} from '../../explore/sensitivity.js';
import { ExploreError, ExploreErrorCode } from '../../explore/errors.js';
import { checkMetricKey } from '../../explore/metrics.js';
import type { Config, Space } from '../../explore/space.js';
import { parseParamFlag } from '../../explore/space.js';
import { collect, intOption } from '../options.js';
import { num, table } from '../table.js';
import { morrisTable, oatTable, sobolTable } from './sensitivity-tables.js';
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
import { sweepCsv } from './sweep.js';
import { predictConfigsWithSet } from '../set-prediction.js';

type Method = 'oat' | 'morris' | 'sobol';
interface SensitivityFlags extends ExploreFlags {
  method: Method;
  metric: string[];
  at: string[];
  levels?: number;
  trajectories: number;
  samples: number;
  calibrationSet?: string;
  piReplications: number;
}

export function registerSensitivity(program: Command): void {
  const cmd = program
    .command('sensitivity')
    .description(
      'How much each scenario field moves a metric: one-at-a-time curves around a point, Morris elementary effects (μ*, σ) or Sobol first-order and total indices (Saltelli sampling) with 95% CIs, all with common random numbers.',
    )
    .argument('<scenario>', 'scenario YAML file (e.g. scenarios/plantnet.yaml)')
    .addOption(
      new Option(
        '--method <name>',
        'oat: one parameter at a time around --at; morris: r·(k+1) runs, screening; sobol: N·(k+2) runs, variance shares',
      )
        .choices(['oat', 'morris', 'sobol'])
        .default('morris'),
    )
    .option(
      '-m, --metric <keys>',
      "metric(s) to analyse, comma-separated or repeated (default: the scenario's explore objective, else responseTime.mean)",
      list,
      [],
    )
    .option(
      '--at <path=value>',
      "oat: the centre point (repeatable; default: the scenario's own values, snapped to the levels)",
      collect,
      [],
    )
    .option(
      '--levels <k>',
      'oat: values of continuous parameters (default 5); morris: grid levels p (even, default 4)',
      intOption('--levels', 2),
    )
    .option('--trajectories <r>', 'morris: trajectories', intOption('--trajectories', 2), 20)
    .option('-n, --samples <N>', 'sobol: base samples N (a power of 2)', intOption('--samples', 4), 256);
  exploreOptions(cmd, { replications: '1 (common random numbers keep the noise out of the comparisons)' })
    .addHelpText(
      'after',
      `
Morris: μ* ranks the factors by importance (metric units per unit of the factor's normalized range), σ comparable
to μ* flags non-linearity or interactions. Sobol: S1 is the share of the metric's variance a factor explains
alone, ST with its interactions; ST − S1 is the interaction share; Σ S1 near 1 means additive.

Outputs, in the study folder (--out): study.sqlite, indices.csv, points.csv (every simulated point), result.json.

Examples:
  e2ctwin sensitivity scenarios/plantnet.yaml --method oat
  e2ctwin sensitivity scenarios/plantnet.yaml --method morris --trajectories 20
  e2ctwin sensitivity scenarios/plantnet.yaml --method sobol -n 256 -p cloud.engine.pools.extract=1..8 -p cloud.engine.pools.simsearch=5..60`,
    )
    .option(
      '--calibration-set <file>',
      'oat: also predict every point of the curves over a calibration set (`e2ctwin calibrate-twin`): calibrated value and 90 % prediction interval',
    )
    .addOption(
      new Option(
        '--pi-replications <n>',
        'with --calibration-set: replications per (plausible vector, point)',
      )
        .argParser(intOption('--pi-replications', 1))
        .default(1),
    )
    .action(async (file: string, flags: SensitivityFlags, command: Command) => {
      if (flags.calibrationSet !== undefined && flags.method !== 'oat') {
        // Morris and Sobol indices over a set would be one index per plausible vector: not offered (yet).
        command.error(
          `error: --calibration-set applies to --method oat (the curves with their prediction intervals), not ${flags.method}`,
          { exitCode: ExitCode.BAD_INPUT },
        );
      }
      const definition = {
        method: flags.method,
        metric: flags.metric,
        at: flags.at,
        levels: flags.levels,
        trajectories: flags.trajectories,
        samples: flags.samples,
      };
      await runStudy(
        () => startStudy('sensitivity', file, flags, definition, { replications: 1 }),
        async (s) => {
          const { study } = s;
          const metrics =
            flags.metric.length > 0 ? flags.metric : [objectivesFrom([], study.scenario.explore)[0]!.key];
          const { space } = study;
          const header = `${study.scenario.name}: ${flags.method} sensitivity of ${metrics.join(', ')} to ${space.params.map((p) => p.name).join(', ')} · ${study.replications} replication${study.replications === 1 ? '' : 's'} per point, ${study.seedMode === 'crn' ? 'common random numbers' : 'independent seeds'} (seed ${study.rootSeed}), ${s.runner.description}`;
          // One replication of the space's middle first: an unknown metric is reported before the design runs.
          const [probe] = await study.evaluator.evaluate([
            { config: space.fromUnit(space.params.map(() => 0.5)), replications: 1 },
          ]);
          s.progress.plan(1);
          for (const m of metrics) checkMetricKey(m, probe!.summary.mean);
          let text: string;
          let doc: Record<string, unknown>;
          let indicesCsv: string;
          let evaluations: readonly import('../../explore/evaluator.js').Evaluation[];
          if (flags.method === 'oat') {
            const center = centerFrom(flags.at, space, study.scenario);
            const points = space.params.reduce(
              (n, _, i) => n + space.gridLevels(i, flags.levels ?? 5).length,
              0,
            );
            s.progress.plan(points * study.replications);
            // result.json's curves (a level's value is the one its point's configuration gives the parameter).
            const oatDoc = (results: Record<string, OatResult>) => ({
              center: space.record(center),
              curves: Object.fromEntries(
                metrics.map((m) => [
                  m,
                  results[m]!.curves.map((c) => {
                    const i = space.params.indexOf(c.param);
                    return {
                      param: c.param.path,
                      range: c.range,
                      bestLevel: c.bestLevel ?? null,
                      points: c.points.map((p) => ({ value: p.config[i], mean: p.mean, ci95: p.halfWidth })),
                    };
                  }),
                ]),
              ),
            });
            // The page follows the study: the curves over the points simulated so far, in the shape of
            // result.json's (`partial` says how far), from the same computation as the final ones.
            const soFar = (x: { done: number; of: number; results: Record<string, OatResult> }) =>
              s.progressFile.soFar({
                ...head(study, space, metrics, 'oat'),
                ...oatDoc(x.results),
                partial: { done: x.done, of: x.of, unit: 'points' },
              });
            const none = space.params.map(() => []);
            soFar({
              done: 0,
              of: points,
              results: Object.fromEntries(
                metrics.map((m) => [
                  m,
                  oatCurves({ space, center, plans: none, evaluations: [], metric: m }),
                ]),
              ),
            });
            s.progressFile.write();
            const r = await oat(study, {
              center,
              metrics,
              ...(flags.levels !== undefined ? { levels: flags.levels } : {}),
              onPoint: soFar,
            });
            const results = r.results;
            evaluations = r.evaluations;
            text = metrics.map((m) => oatTable(space, m, results[m]!)).join('\n\n');
            if (flags.calibrationSet !== undefined) {
              const calibrated = await predictConfigsWithSet(
                file,
                r.evaluations.map((e) => ({
                  name: space.key(e.config),
                  overrides: [...flags.set, ...space.overrides(e.config)],
                })),
                metrics,
                flags.calibrationSet,
                { seed: study.rootSeed, replications: flags.piReplications, runner: s.runner },
              );
              const rows = r.evaluations.map((e, i) => [
                ...e.config.map(String),
                ...metrics.map((m) => {
                  const x = calibrated.predictions[i]!.metrics[m]!;
                  return `${num(x.point)} [${num(x.lo)} – ${num(x.hi)}]`;
                }),
              ]);
              text += `\n\nCalibrated over ${calibrated.samples} plausible parameter vectors (value [90 % prediction interval]):\n${table([[...space.params.map((p) => p.name), ...metrics], ...rows])}`;
            }
            doc = oatDoc(results);
            indicesCsv = csv(
              ['metric', 'param', 'value', 'mean', 'ci95'],
              metrics.flatMap((m) =>
                results[m]!.curves.flatMap((c) =>
                  c.points.map((p) => [
                    m,
                    c.param.path,
                    p.config[space.params.indexOf(c.param)],
                    p.mean,
                    p.halfWidth,
                  ]),
                ),
              ),
            );
          } else if (flags.method === 'morris') {
            const p = flags.levels ?? 4;
            s.progress.plan(flags.trajectories * (space.dims + 1) * study.replications);
            const runs = flags.trajectories * (space.dims + 1);
            const morrisDoc = (indices: Record<string, readonly MorrisIndex[]>) => ({
              trajectories: flags.trajectories,
              levels: p,
              runs,
              indices: Object.fromEntries(Object.entries(indices).map(([m, idx]) => [m, idx.map(morrisRow)])),
            });
            // The page follows the study: the indices over the trajectories complete so far, in the shape
            // of result.json's (`partial` says how far), from the same computation as the final ones.
            // `complete`: the trajectories (by index in the design) the indices are over.
            const soFar = (complete: number[], indices: Record<string, readonly MorrisIndex[]>) =>
              s.progressFile.soFar({
                ...head(study, space, metrics, 'morris'),
                ...morrisDoc(indices),
                partial: { done: complete.length, of: flags.trajectories, unit: 'trajectories', complete },
              });
            soFar([], {});
            s.progressFile.write();
            const r = await morris(study, {
              metrics,
              trajectories: flags.trajectories,
              levels: p,
              onTrajectory: (x) => soFar(x.complete, x.indices),
            });
            evaluations = r.evaluations;
            text = `${metrics.map((m) => morrisTable(m, r.indices[m]!)).join('\n\n')}\n\n${r.runs} points (${flags.trajectories} trajectories × ${space.dims + 1}), p = ${p} levels, Δ = ${num(p / (2 * (p - 1)), 3)}`;
            doc = morrisDoc(r.indices);
            indicesCsv = csv(
              ['metric', 'param', 'mu_star', 'mu_star_ci95', 'mu', 'sigma'],
              metrics.flatMap((m) =>
                r.indices[m]!.map((x) => [m, x.param.path, x.muStar, x.muStarCi, x.mu, x.sigma]),
              ),
            );
          } else {
            const points = flags.samples * (space.dims + 2);
            s.progress.plan(points * study.replications);
            // Sobol indices need the whole design: the page is told how many of its points are in, and
            // shows them as a table (its store's trials) until the indices are computed at the end.
            let done = 0;
            const soFar = () =>
              s.progressFile.soFar({
                ...head(study, space, metrics, 'sobol'),
                samples: flags.samples,
                runs: points,
                partial: { done, of: points, unit: 'points' },
              });
            soFar();
            s.progressFile.write();
            const r = await sobol(study, {
              metrics,
              n: flags.samples,
              onPoint: () => {
                done++;
                soFar();
              },
            });
            evaluations = r.evaluations;
            const distinct = new Set(r.evaluations.map((e) => e.key)).size;
            text = `${metrics.map((m) => sobolTable(m, r.indices[m]!, r.variance[m]!)).join('\n\n')}\n\n${r.runs} points (N = ${flags.samples} × (k + 2) = ${space.dims + 2})${distinct < r.runs ? `, ${distinct} distinct configurations` : ''}; CIs: 1.96 × sd of 1000 bootstrap resamples`;
            doc = {
              samples: flags.samples,
              runs: r.runs,
              indices: Object.fromEntries(
                metrics.map((m) => [
                  m,
                  {
                    variance: r.variance[m],
                    sumS1: r.indices[m]!.reduce((a, x) => a + x.S1, 0),
                    params: r.indices[m]!.map((x) => ({
                      param: x.param.path,
                      S1: x.S1,
                      S1Ci95: x.S1Ci,
                      ST: x.ST,
                      STCi95: x.STCi,
                    })),
                  },
                ]),
              ),
            };
            indicesCsv = csv(
              ['metric', 'param', 'S1', 'S1_ci95', 'ST', 'ST_ci95'],
              metrics.flatMap((m) => r.indices[m]!.map((x) => [m, x.param.path, x.S1, x.S1Ci, x.ST, x.STCi])),
            );
          }
          s.progress.stop();
          const full = { ...head(study, space, metrics, flags.method), ...doc };
          const files = [
            s.write('indices.csv', indicesCsv),
            s.write('points.csv', sweepCsv(space, evaluations ?? [], metrics)),
            s.write('result.json', json(full)),
          ];
          if (flags.json) process.stdout.write(json(full));
          else process.stdout.write(`${header}\n\n${text}\n`);
          process.stderr.write(closingLine(s, files));
        },
      );
    });
}

/** What result.json (and the document so far) says of the study before its indices. */
function head(
  study: { scenario: { name: string }; rootSeed: number; seedMode: string; replications: number },
  space: Space,
  metrics: readonly string[],
  method: Method,
) {
  return {
    kind: 'sensitivity',
    method,
    scenario: study.scenario.name,
    metrics: [...metrics],
    rootSeed: study.rootSeed,
    seeds: study.seedMode,
    replications: study.replications,
    params: space.params.map((p) => ({ path: p.path, name: p.name })),
  };
}

/** A Morris index as result.json writes it. */
function morrisRow(x: MorrisIndex) {
  return { param: x.param.path, muStar: x.muStar, muStarCi95: x.muStarCi, mu: x.mu, sigma: x.sigma };
}

function centerFrom(
  at: readonly string[],
  space: Space,
  scenario: Parameters<typeof currentLevel>[0],
): Config {
  const given = new Map<string, string>();
  for (const a of at) {
    const eq = a.indexOf('=');
    if (eq <= 0)
      throw new ExploreError(ExploreErrorCode.BAD_PARAM, `--at "${a}" is not of the form path=value`, {
        at: a,
      });
    given.set(a.slice(0, eq).trim(), a);
  }
  for (const k of given.keys()) {
    if (!space.params.some((p) => p.path === k || p.name === k))
      throw new ExploreError(
        ExploreErrorCode.BAD_PARAM,
        `--at ${k}: not a parameter of the study`,
        { at: k },
        `parameters: ${space.params.map((p) => p.path).join(', ')}`,
      );
  }
  return space.params.map((p, i) => {
    const a = given.get(p.path) ?? given.get(p.name);
    if (a !== undefined) {
      const v = parseParamFlag(`${p.path}=${a.slice(a.indexOf('=') + 1)}`).levels?.[0];
      if (v === undefined)
        throw new ExploreError(ExploreErrorCode.BAD_PARAM, `--at ${a}: give one value`, { at: a });
      return space.snap(i, v);
    }
    return currentLevel(scenario, p, (v) => space.snap(i, v));
  });
}
