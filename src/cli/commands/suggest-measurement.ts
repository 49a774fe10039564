import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  CalibrationSetError,
  HeldOutError,
  latinHypercube,
  loadCalibrationSetOrThrow,
  loadHeldOutOrThrow,
  quantile,
  suggestMeasurement,
  type PredictConfig,
  type Question,
} from '../../calibrate/index.js';
import { Space } from '../../explore/space.js';
import { createStream } from '../../random/index.js';
import { loadScenarioOrThrow, suggest, type ResolvedScenario } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { formatIssues } from '../format-issues.js';
import { collect, intOption } from '../options.js';
import { progressBar } from '../progress.js';
import { simBackend, trialRunner } from '../sim-backend.js';
import { num, pct, table } from '../table.js';

interface Flags {
  calibrationSet: string;
  candidates: string;
  maxCandidates: number;
  question: string;
  replications: number;
  workers?: number;
  seed?: number;
  set: string[];
  json?: boolean;
  progress: boolean;
}

const badInput = (message: string) => Object.assign(new Error(message), { badInput: true });

/** Candidate configurations: a grid of the explore space thinned to the most spread-out, or a configs file. */
function candidatesOf(file: string, scenario: ResolvedScenario, f: Flags): PredictConfig[] {
  if (f.candidates !== 'explore') {
    const held = loadHeldOutOrThrow(f.candidates, file, f.set);
    return held.configs.map((c) => ({ name: c.name, overrides: [...f.set, ...c.set] }));
  }
  if (!scenario.explore)
    throw badInput(
      `${file} has no explore.params: give --candidates <configs.yaml> (configs: [{name, set: [path=value, …]}, …])`,
    );
  // A maximin Latin hypercube over the space (seeded, so the same candidates every time), snapped to
  // its levels: spread over the whole space, interior included (a maximin subset of a grid would be corners).
  const space = Space.from([], scenario.explore);
  const rng = createStream(f.seed ?? scenario.seed, 'suggest-measurement/candidates', 0);
  const seen = new Set<string>();
  return latinHypercube(
    f.maxCandidates,
    space.params.map(() => 0),
    space.params.map(() => 1),
    rng,
    200,
  )
    .map((u) => space.fromUnit(u))
    .filter((c) => (seen.has(space.key(c)) ? false : (seen.add(space.key(c)), true)))
    .map((c) => ({
      name: Object.entries(space.record(c))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
      overrides: [...f.set, ...space.overrides(c)],
    }));
}

/** `optimum` (the scenario's explore.objective over the candidates) or `<metric> at <path=value>[,<path=value>…]`. */
function questionOf(text: string, scenario: ResolvedScenario, baseOverrides: readonly string[]): Question {
  if (text === 'optimum') {
    const o = scenario.explore?.objective;
    if (!o)
      throw badInput(
        '--question optimum needs explore.objective ({minimize: metric} or {maximize: metric}) in the scenario',
      );
    return 'minimize' in o
      ? { kind: 'optimum', metric: o.minimize, direction: 'minimize' }
      : { kind: 'optimum', metric: o.maximize, direction: 'maximize' };
  }
  const m = /^\s*([A-Za-z][\w.]*)\s+at\s+(.+)$/.exec(text);
  if (!m)
    throw new InvalidArgumentError(
      `--question must be "optimum" or "<metric> at <path=value>[,<path=value>…]" (got "${text}")`,
    );
  const overrides = m[2]!.split(/[,\s]+/).filter((s) => s !== '');
  return {
    kind: 'metric',
    metric: m[1]!,
    config: { name: 'question', overrides: [...baseOverrides, ...overrides] },
  };
}

export function registerSuggestMeasurement(program: Command): void {
  program
    .command('suggest-measurement')
    .description(
      "Rank candidate configurations by how much measuring them would reduce the uncertainty that matters (the optimum's value, or a stated metric at a stated configuration), by a preposterior analysis over the plausible parameter vectors of a calibration set: each vector taken in turn as the truth, the set reweighted by the likelihood of the measurement it would give, the remaining variance averaged.",
    )
    .argument('<scenario>', 'the scenario the calibration set was made for')
    .requiredOption('--calibration-set <file>', 'the file `e2ctwin calibrate-twin` wrote')
    .option(
      '--candidates <explore|file>',
      'candidate configurations: "explore" (--max-candidates configurations of the scenario\'s explore.params, a maximin Latin hypercube snapped to their levels) or a configs file (configs: [{name, set: [path=value, …]}, …]); configurations infeasible under any plausible vector (GPU memory) are left out',
      'explore',
    )
    .option(
      '--max-candidates <n>',
      'candidates taken from the explore space',
      intOption('--max-candidates', 1),
      12,
    )
    .option(
      '--question <q>',
      '"optimum" (the best value of explore.objective over the candidates) or "<metric> at <path=value>[,<path=value>…]"',
      'optimum',
    )
    .option(
      '-r, --replications <n>',
      'replications per (plausible vector, candidate), on common random numbers',
      intOption('--replications', 1),
      1,
    )
    .option(
      '-w, --workers <n>',
      'worker threads running simulations (default: the cores; 0 runs them on the main thread)',
      intOption('--workers', 0),
    )
    .option('--seed <n>', "root seed of the simulations (default: the scenario's seed)", intOption('--seed'))
    .option(
      '-s, --set <path=value>',
      'override a scenario field for every simulation (repeatable)',
      collect,
      [],
    )
    .option('--json', 'print the ranking as JSON')
    .option('--no-progress', 'no progress bar (it only shows on a terminal anyway)')
    .addHelpText(
      'after',
      `
The noise of a new measurement of each metric is taken as the median relative uncertainty of the
measurements the set was calibrated on (its noise: section), plus its model discrepancy.

Examples:
  e2ctwin suggest-measurement scenarios/plantnet.yaml --calibration-set calibration/plantnet/calibration-set.yaml
  e2ctwin suggest-measurement scenarios/plantnet.yaml --calibration-set calibration/plantnet/calibration-set.yaml \\
    --question "responseTime.mean at cloud.engine.pools.extract=4,cloud.engine.pools.simsearch=60"`,
    )
    .action(async (file: string, f: Flags) => {
      try {
        await run(file, f);
      } catch (e) {
        if (e instanceof HeldOutError || e instanceof CalibrationSetError) {
          process.stderr.write(
            `${formatIssues(e.issues as never).replace('in the scenario:', e instanceof HeldOutError ? 'in the candidates:' : 'in the calibration set:')}\n`,
          );
          process.exitCode = ExitCode.BAD_INPUT;
          return;
        }
        const err = e as Error & { badInput?: boolean };
        if (err.badInput || err instanceof InvalidArgumentError) {
          process.stderr.write(`error: ${err.message}\n`);
          process.exitCode = ExitCode.BAD_INPUT;
          return;
        }
        throw e;
      }
    });
}

async function run(file: string, f: Flags): Promise<void> {
  const scenario = loadScenarioOrThrow(file, { overrides: f.set });
  const set = loadCalibrationSetOrThrow(f.calibrationSet);
  const seed = f.seed ?? scenario.seed;
  const candidates = candidatesOf(file, scenario, f);
  const question = questionOf(f.question, scenario, f.set);
  const measured = [
    ...new Set(
      (set.measurements as { metrics?: Record<string, unknown> }[]).flatMap((m) =>
        Object.keys(m.metrics ?? {}),
      ),
    ),
  ];
  if (measured.length === 0) throw badInput(`${f.calibrationSet} lists no measured metrics`);
  const runner = trialRunner(f.workers);
  try {
    const backend = simBackend(file, runner);
    const [sample] = await backend([{ overrides: f.set, seed, replication: 0 }]);
    if (!(question.metric in sample!))
      throw badInput(
        `unknown metric "${question.metric}" in --question${suggest(question.metric, Object.keys(sample!)) ? ` (${suggest(question.metric, Object.keys(sample!))})` : ''}`,
      );
    const total =
      (candidates.length + (question.kind === 'metric' ? 1 : 0)) * set.samples.length * f.replications;
    let done = 0;
    const bar = progressBar('simulating candidates', f.progress && process.stderr.isTTY === true);
    const noise = Object.fromEntries(measured.map((m) => [m, set.noise[`measurement.${m}`] ?? 0]));
    const s = await suggestMeasurement({
      backend,
      set,
      candidates,
      question,
      measuredMetrics: measured,
      noise,
      discrepancy: Number(set.method.discrepancy ?? 0),
      seed,
      replications: f.replications,
      onDone: () => bar.update(++done / total),
    });
    bar.stop();
    if (s.infeasible.length > 0)
      process.stderr.write(`left out (infeasible under some plausible vector): ${s.infeasible.join('; ')}\n`);
    if (f.json) {
      process.stdout.write(
        `${JSON.stringify({ question, infeasible: s.infeasible, now: { mean: s.mean, sd: Math.sqrt(s.variance), lo: quantile(s.q, 0.05), hi: quantile(s.q, 0.95) }, ranked: s.ranked }, null, 2)}\n`,
      );
      return;
    }
    const qText =
      question.kind === 'optimum'
        ? `the best ${question.metric} (${question.direction}) over ${candidates.length} candidates`
        : `${question.metric} at ${question.config.overrides.slice(f.set.length).join(', ')}`;
    process.stdout.write(`Quantity of interest: ${qText}\n`);
    process.stdout.write(
      `  now, over ${set.samples.length} plausible vectors: mean ${num(s.mean)}, sd ${num(Math.sqrt(s.variance), 3)}, 90 % ${num(quantile(s.q, 0.05))} – ${num(quantile(s.q, 0.95))}\n\n`,
    );
    const head = [
      'rank',
      'measure next',
      'expected sd after',
      'variance removed',
      ...(question.kind === 'optimum' ? ['P(best now)'] : []),
    ];
    process.stdout.write(
      `${table([head, ...s.ranked.map((r, i) => [String(i + 1), r.name, num(Math.sqrt(Math.max(0, r.expectedVariance)), 3), pct(r.reduction), ...(question.kind === 'optimum' ? [pct(r.best ?? 0, 0)] : [])])], '  ')}\n`,
    );
    process.stdout.write(
      `\nMeasured metrics assumed: ${measured.map((m) => `${m} ± ${pct(noise[m]!)} (1 sd)`).join(', ')}; set ${path.relative(process.cwd(), path.resolve(f.calibrationSet))}\n`,
    );
  } finally {
    await runner.close();
  }
}
