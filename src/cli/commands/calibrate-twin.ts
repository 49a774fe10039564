import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  calibrateTwin,
  calibrationSetYaml,
  IDENTIFIED_BELOW,
  MeasurementError,
  MIN_VECTORS_FOR_VERDICT,
  NOT_IDENTIFIED_FROM,
  priorsOf,
  resolveMeasurements,
  type MeasuredRun,
  type MeasurementIssue,
  type TwinCalibration,
} from '../../calibrate/index.js';
import { loadScenarioOrThrow } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { formatIssues } from '../format-issues.js';
import { collect, intOption } from '../options.js';
import { progressBar } from '../progress.js';
import { readMeasuredRun, RunFolderError } from '../../run-folder/index.js';
import { gpEmulator, simBackend, trialRunner } from '../sim-backend.js';
import { num, table } from '../table.js';
import { pkg } from '../version.js';

interface Flags {
  set: string[];
  out?: string;
  budget: number;
  waves: number;
  samples: number;
  replications: number;
  workers?: number;
  seed?: number;
  json?: boolean;
  progress: boolean;
}

/** A run folder as a measurement (the edge reads files; the calibrate layer reads this). */
export function readRunForMeasurement(dir: string): MeasuredRun | string {
  let r: ReturnType<typeof readMeasuredRun>;
  try {
    r = readMeasuredRun(dir);
  } catch (e) {
    // A corrupt folder (no trace, bad JSON): its reason, located at the measurement that names it.
    if (e instanceof RunFolderError) return `${e.message} [${e.code}]`;
    throw e;
  }
  return typeof r === 'string'
    ? r
    : {
        overrides: r.overrides,
        durationS: r.durationS,
        warmupS: r.warmupS,
        metrics: r.metrics as MeasuredRun['metrics'],
      };
}

/** Located measurement issues, formatted like a scenario's. */
export function formatMeasurementIssues(issues: readonly MeasurementIssue[]): string {
  return formatIssues(issues as never).replace('in the scenario:', 'in the measurements:');
}

export function registerCalibrateTwin(program: Command): void {
  program
    .command('calibrate-twin')
    .description(
      'Calibrate the twin with uncertainty on every measured configuration of the scenario (calibrate.measurements): history matching in waves with Gaussian-process emulators, then a set of plausible parameter vectors, each checked by simulation. Prints per parameter the prior vs plausible range and whether the data identify it, and the fit at each measured configuration; writes the set (posterior samples with provenance) for --calibration-set.',
    )
    .argument(
      '<scenario>',
      'scenario YAML with calibrate.params (prior ranges {min, max, log}) and calibrate.measurements (a list or a file)',
    )
    .option(
      '-o, --out <file>',
      'calibration-set file to write (default: runs/<scenario name>.calibration-set.yaml)',
    )
    .option(
      '--budget <n>',
      'most simulations in all (design waves and the final check)',
      intOption('--budget', 10),
      600,
    )
    .option('--waves <n>', 'history-matching waves', intOption('--waves', 1), 3)
    .option('--samples <n>', 'plausible parameter vectors to draw and check', intOption('--samples', 5), 40)
    .option(
      '-r, --replications <n>',
      "replications per (parameter vector, measured configuration); ≥ 2, their spread is the simulator's noise",
      intOption('--replications', 2),
      2,
    )
    .option(
      '-w, --workers <n>',
      'worker threads running simulations (default: the cores; 0 runs them on the main thread)',
      intOption('--workers', 0),
    )
    .option(
      '--seed <n>',
      "root seed of the simulations and designs (default: the scenario's seed)",
      intOption('--seed'),
    )
    .option(
      '-s, --set <path=value>',
      'override a scenario field for every simulation (repeatable)',
      collect,
      [],
    )
    .option('--json', 'print the calibration set as JSON instead of the tables')
    .option('--no-progress', 'no progress bar (it only shows on a terminal anyway)')
    .addHelpText(
      'after',
      `
Measurements (in the scenario, or a file it names with calibrate.measurements: <file>):
  calibrate:
    params:
      cloud.engine.stages.extract.demand.mean: { min: 0.02, max: 0.2, log: true }
    measurements:
      - { name: baseline, set: { cloud.engine.pools.extract: 2 }, metrics: { responseTime.mean: { value: 0.66, ci95: 0.04 } } }
      - { name: live-x4, runs: [../runs/x4] }          # metrics and CIs from live run folders
    discrepancy: 0.02                                   # optional model discrepancy (relative sd)

Verdicts: the plausible set's 5–95 % range over the prior's (log scale for log priors): < ${IDENTIFIED_BELOW} identified,
≥ ${NOT_IDENTIFIED_FROM} not identified by these data, weakly identified between; none with fewer than ${MIN_VECTORS_FOR_VERDICT} plausible vectors.
Results depend only on the scenario, the measurements, --seed and the budget options, not on --workers.

Examples:
  e2ctwin calibrate-twin scenarios/plantnet.yaml -o calibration/plantnet/calibration-set.yaml
  e2ctwin simulate scenarios/plantnet.yaml --calibration-set calibration/plantnet/calibration-set.yaml`,
    )
    .action(async (file: string, f: Flags) => {
      try {
        await run(file, f);
      } catch (e) {
        if (e instanceof MeasurementError) {
          process.stderr.write(`${formatMeasurementIssues(e.issues)}\n`);
          process.exitCode = ExitCode.BAD_INPUT;
          return;
        }
        throw e;
      }
    });
}

async function run(file: string, f: Flags): Promise<void> {
  const scenario = loadScenarioOrThrow(file, { overrides: f.set });
  const seed = f.seed ?? scenario.seed;
  const runner = trialRunner(f.workers);
  try {
    const backend = simBackend(file, runner);
    // Nothing to calibrate, or nothing to calibrate on: said before anything is simulated.
    if (
      Object.keys(scenario.calibrate?.params ?? {}).length === 0 ||
      (scenario.calibrate?.measurements ?? []).length === 0
    ) {
      const r = resolveMeasurements(file, scenario, {
        baseOverrides: f.set,
        metricKeys: [],
        readRun: readRunForMeasurement,
      });
      if (!r.ok) throw new MeasurementError(r.issues);
    }
    // The metric keys the simulator produces (a measurement naming another is an error): one replication.
    const [sample] = await backend([{ overrides: f.set, seed, replication: 0 }]);
    const resolved = resolveMeasurements(file, scenario, {
      baseOverrides: f.set,
      metricKeys: Object.keys(sample!),
      readRun: readRunForMeasurement,
    });
    if (!resolved.ok) throw new MeasurementError(resolved.issues);
    const out = f.out ?? path.join('runs', `${scenario.name}.calibration-set.yaml`);
    const bar = progressBar('calibrating', f.progress && process.stderr.isTTY === true);
    const cal = await calibrateTwin({
      scenarioRef: path.relative(path.dirname(path.resolve(out)), path.resolve(file)),
      priors: priorsOf(scenario),
      configs: resolved.configs,
      backend,
      emulator: gpEmulator,
      seed,
      replications: f.replications,
      budget: f.budget,
      waves: f.waves,
      samples: f.samples,
      discrepancy: scenario.calibrate?.discrepancy ?? 0,
      version: pkg.version,
      onProgress: bar.update,
    });
    bar.stop();
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileSync(
      out,
      calibrationSetYaml(
        cal.set,
        `written by e2ctwin calibrate-twin ${path.relative(process.cwd(), path.resolve(file))}${f.set.map((s) => ` --set ${s}`).join('')} (seed ${seed}, budget ${f.budget})`,
      ),
    );
    if (f.json) process.stdout.write(`${JSON.stringify(cal.set, null, 2)}\n`);
    else process.stdout.write(report(cal));
    process.stderr.write(
      `calibration set: ${path.resolve(out)} (${cal.set.samples.length} plausible vectors, ${cal.result.simulations} simulations)\n`,
    );
  } finally {
    await runner.close();
  }
}

/** The tables: waves, parameters (prior vs plausible, verdict), fit at each measured configuration. */
export function report(cal: TwinCalibration): string {
  const r = cal.result;
  const lines: string[] = [];
  lines.push('History matching (implausibility cut 3):');
  lines.push(
    table(
      [
        ['wave', 'vectors', 'simulations', 'not ruled out', 'emulator share'],
        ...r.waves.map((w) => [
          String(w.wave),
          String(w.designPoints),
          String(w.simulations),
          `${num(w.notRuledOut * 100, 3)} % of the prior`,
          num(w.emulatorShare, 2),
        ]),
      ],
      '  ',
    ),
  );
  lines.push(
    `  final check: ${r.samples.length + r.rejectedByCheck} vectors drawn, ${r.samples.length} plausible by simulation, ${r.rejectedByCheck} dropped`,
  );
  if (r.warning) lines.push(`  warning: ${r.warning}`);
  const asked = Number(cal.set.method.samplesDrawn ?? r.samples.length);
  if (r.samples.length < asked)
    lines.push(
      `  warning: only ${r.samples.length} of the ${asked} plausible vectors asked for within the budget: the emulators are loose here; raise --budget for a fuller set${r.samples.length < MIN_VECTORS_FOR_VERDICT ? ' (too few for verdicts)' : ''}`,
    );
  lines.push('', 'Parameters (plausible = 5–95 % of the plausible set):');
  lines.push(
    table(
      [
        ['parameter', 'prior', 'plausible', 'median', 'ratio', 'verdict'],
        ...cal.identification.map((i) => [
          i.path,
          `${num(i.prior.min, 3)} – ${num(i.prior.max, 3)}${i.prior.log ? ' (log)' : ''}`,
          `${num(i.posterior.q05, 3)} – ${num(i.posterior.q95, 3)}`,
          num(i.posterior.median, 3),
          num(i.ratio, 2),
          i.verdict,
        ]),
      ],
      '  ',
    ),
  );
  lines.push('', 'Fit at the measured configurations (predicted = 5–95 % over the plausible set):');
  lines.push(
    table(
      [
        ['measurement', 'metric', 'measured ± 95 %', 'predicted mean', 'predicted 90 %', 'inside'],
        ...r.fit.map((x) => [
          x.measurement,
          x.metric,
          `${num(x.measured)} ± ${num(x.ci95, 2)}`,
          num(x.predicted.mean),
          `${num(x.predicted.lo)} – ${num(x.predicted.hi)}`,
          x.measured + x.ci95 >= x.predicted.lo && x.measured - x.ci95 <= x.predicted.hi ? 'yes' : 'NO',
        ]),
      ],
      '  ',
    ),
  );
  return `${lines.join('\n')}\n`;
}
