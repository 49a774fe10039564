import { randomBytes } from 'node:crypto';
import { release } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  CalibrateError,
  CalibrateErrorCode,
  HeldOutError,
  plotData,
  prepareValidation,
  loadCalibrationSetOrThrow,
  medianOverrides,
  readOrSkip,
  runValidation,
  type HeldOutConfig,
  type HeldOutIssue,
  type Measure,
  type PreparedValidation,
  type ValidationOutcome,
} from '../../calibrate/index.js';
import { LiveError } from '../../live/errors.js';
import { DEFAULT_STATE_ROOT } from '../../live/journal.js';
import { PACKAGE_ROOT } from '../../live/paths.js';
import { buildPlan } from '../../live/plan/build.js';
import { LiveRun } from '../../live/run/runner.js';
import { loadTestbed, type LoadedTestbed } from '../../live/testbed/load.js';
import {
  checkOutFolder,
  gitCommit,
  metricsJson,
  replaceFile,
  RunFolderError,
  validationFolder,
  type MeasuredRunFolder,
} from '../../run-folder/index.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { ALLOW_DIR_HELP, collect, fileRoots, intOption } from '../options.js';
import { validationTable } from '../validation-table.js';
import { coverageOverSet, coverageTable, type SetCoverage } from '../set-coverage.js';
import { pkg } from '../version.js';

interface Flags {
  calibrationSet?: string;
  piReplications: number;
  workers?: number;
  calibration?: string;
  configs: string;
  testbed?: string;
  liveRuns?: string;
  duration?: string;
  warmup?: string;
  repeat?: number;
  replications: number;
  seed?: number;
  set: string[];
  twinSet: string[];
  allowDir: string[];
  out?: string;
  json?: boolean;
  stateDir: string;
}

const rel = (p: string) => path.relative(process.cwd(), path.resolve(p)) || '.';
// In messages: relative when under the current folder, else absolute (a path that climbs out of it helps nobody).
const shown = (p: string) => (rel(p).startsWith('..') ? path.resolve(p) : rel(p));

export function registerValidateTwin(program: Command): void {
  program
    .command('validate-twin')
    .description(
      'Score the calibrated twin on held-out configurations: simulate each (scenario + calibration params, R replications) and measure it on the live testbed (or reuse measured run folders), then report per configuration predicted vs measured mean, p95 and throughput with 95 % CIs and the KS distance of the response-time distributions, and overall MAPE, bias, Spearman rank correlation and regret.',
    )
    .argument(
      '<scenario>',
      'the scenario as deployed (the live system; its own demands, no calibration include)',
    )
    .option(
      '--calibration <params.yaml>',
      'the params file `e2ctwin calibrate` wrote; applied to the twin only (as `calibration:`), never to the live runs. Without it, give --calibration-set: the twin is the scenario with the median of its plausible vectors',
    )
    .requiredOption(
      '--configs <held-out.yaml>',
      'held-out configurations: `configs: [{name, set: [path=value, …]}, …]` (see calibration/local-testbed/held-out.yaml); none may be a training run',
    )
    .option(
      '--testbed <file>',
      'measure configurations without a run folder live on this testbed (root for the local provider); their folders go to --live-runs (or <out>/runs)',
    )
    .option(
      '--live-runs <dir>',
      'folder of measured run folders, one per configuration name (<dir>/<name>/ with run.json, metrics.json, trace.jsonl or trace.jsonl.gz); reused as they are, so a shipped campaign is re-scored without root',
    )
    .option(
      '-d, --duration <s>',
      "live runs: seconds of workload per repetition (default: the scenario's run.duration)",
    )
    .option(
      '--warmup <s>',
      "live runs: seconds excluded from the metrics (default: the scenario's warm-up, scaled to --duration)",
    )
    .option(
      '--repeat <n>',
      'live runs: repetitions of the workload per configuration (confidence intervals over them)',
      intOption('--repeat', 1),
    )
    .option(
      '-r, --replications <n>',
      'twin: replications per configuration (each simulates the measured window: its duration and warm-up)',
      intOption('--replications', 1),
      10,
    )
    .option('--seed <n>', "twin: root seed (default: the scenario's)", intOption('--seed'))
    .option(
      '-s, --set <path=value>',
      'override a scenario field for every configuration, twin and live alike (repeatable)',
      collect,
      [],
    )
    .option(
      '--twin-set <path=value>',
      'override a field of the twin only, never of the live runs (repeatable): a model switch to score, e.g. run.tcpSlowStart=true; a run folder still matches its configuration',
      collect,
      [],
    )
    .option(
      '-o, --out <dir>',
      'write validation.json (the report), plot.json (per-configuration points and both response-time CDFs, for a browser view) and, with --testbed and no --live-runs, runs/<name>/; checked before anything runs: a new or empty folder, or one validate-twin wrote (validation.json or runs/), never another',
    )
    .option('--json', 'print the report (validation.json) instead of the table')
    .option(
      '--calibration-set <file>',
      'also predict each configuration over a calibration set (`e2ctwin calibrate-twin`, on top of --calibration) and report how many measured values fall inside the 90 % prediction intervals (coverage)',
    )
    .option(
      '--pi-replications <n>',
      'with --calibration-set: replications per plausible vector',
      intOption('--pi-replications', 1),
      2,
    )
    .option(
      '-w, --workers <n>',
      'with --calibration-set: worker threads (default: the cores; 0 the main thread)',
      intOption('--workers', 0),
    )
    .option('--state-dir <dir>', 'live runs: local state (journals, keys, sockets)', DEFAULT_STATE_ROOT)
    .option('--allow-dir <dir>', `${ALLOW_DIR_HELP}; the --calibration file is always allowed`, collect, [])
    .addHelpText(
      'after',
      `
Examples:
  # re-score the shipped campaign from its measured runs (no root needed)
  e2ctwin validate-twin scenarios/local-testbed.yaml --calibration calibration/local-testbed/params.yaml \\
    --configs calibration/local-testbed/held-out.yaml --live-runs calibration/local-testbed/runs/held-out
  # measure the held-out configurations live (root), 3 repetitions of 40 s each, then score them
  sudo e2ctwin validate-twin scenarios/local-testbed.yaml --calibration runs/params.yaml \\
    --configs calibration/local-testbed/held-out.yaml --testbed testbeds/local.yaml --duration 40 --repeat 3 --out runs/validation

Configurations that already have a successful run folder are not run again (an interrupted validation
resumes); a failed or interrupted live run leaves its configuration missing, the others are scored and
the report names the missing ones. A corrupt run folder (a missing or unparsable run.json, metrics.json
or trace, a field of the wrong type) is skipped, not fatal: the file and the problem are printed, the
report counts it among the missing as corrupt, and with --testbed that configuration is measured again.
Progress goes to stderr.
Exit status: 0 report written, 1 no configuration could be measured, 2 bad input (nothing ran).`,
    )
    .action(async (file: string, f: Flags) => {
      try {
        await validateTwin(file, f);
      } catch (e) {
        if (e instanceof HeldOutError) {
          process.stderr.write(`${formatHeldOutIssues(e.issues)}\n`);
          process.exitCode = ExitCode.BAD_INPUT;
          return;
        }
        const err = e as Error & { code?: string };
        if (
          (err instanceof CalibrateError && err.badInput) ||
          err instanceof LiveError ||
          err instanceof InvalidArgumentError ||
          err instanceof RunFolderError
        ) {
          process.stderr.write(
            `error: ${err.message}${err.code && !(err instanceof InvalidArgumentError) ? ` [${err.code}]` : ''}\n`,
          );
          process.exitCode = ExitCode.BAD_INPUT;
          return;
        }
        throw e;
      }
    });
}

function formatHeldOutIssues(issues: readonly HeldOutIssue[]): string {
  const lines = [...issues]
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    .map(
      (i) =>
        `  ${i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file}${i.path ? ` ${i.path}:` : ''} ${i.message}${i.hint ? ` (${i.hint})` : ''}  [${i.code}]`,
    );
  return [
    `error: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the held-out configurations:`,
    ...lines,
  ].join('\n');
}

function seconds(name: string, v: string | undefined, zero = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (!zero && n === 0))
    throw new InvalidArgumentError(`${name} must be a number ${zero ? '≥' : '>'} 0 (got "${v}")`);
  return n;
}

async function validateTwin(file: string, f: Flags): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const durationS = seconds('--duration', f.duration);
  const warmupS = seconds('--warmup', f.warmup, true);
  // Everything is checked before anything runs: the output folder, files, the scenario with and without
  // the calibration, every configuration applied to it, the testbed and a plan of each live run.
  const out =
    f.out !== undefined ? checkOutFolder(f.out, { option: '--out', kind: validationFolder }) : undefined;
  const v = prepareValidation({
    scenarioFile: file,
    calibrationFile: f.calibration,
    // No params file: the calibration set's median vector is the twin (its intervals come on top).
    // --twin-set comes after either.
    ...(f.calibration === undefined && f.calibrationSet !== undefined
      ? {
          twinSet: {
            overrides: [...medianOverrides(loadCalibrationSetOrThrow(f.calibrationSet)), ...f.twinSet],
            from: f.twinSet.length > 0 ? `${f.calibrationSet} and --twin-set` : f.calibrationSet,
          },
        }
      : f.calibration !== undefined && f.twinSet.length > 0
        ? { twinSet: { overrides: f.twinSet, from: '--twin-set' } }
        : {}),
    configsFile: f.configs,
    set: f.set,
    roots: fileRoots(f),
    // Live runs go to --live-runs, else into the output folder; without a testbed only --live-runs counts.
    runsDir: f.liveRuns ?? (f.testbed && f.out ? path.join(f.out, 'runs') : undefined),
    canMeasure: f.testbed !== undefined,
    log,
    show: shown,
    record: rel,
  });
  let testbed: LoadedTestbed | undefined;
  if (f.testbed) {
    testbed = loadTestbed(f.testbed);
    for (const c of v.heldOut.configs)
      buildPlan(v.scenarioOf(c), testbed, planOptions(f, 'check', durationS, warmupS));
  }
  const tb = testbed;
  const measure: Measure | undefined = tb
    ? async ({ config, dir, tag }) => {
        log(`${tag}: live run (${config.set.join(' ') || 'the scenario as it is'}) → ${shown(dir)}`);
        return runLive({ v, config, flags: f, testbed: tb, dir, durationS, warmupS, log });
      }
    : undefined;

  let stop: string | undefined;
  const onSignal = (sig: string) => {
    stop = `not run: validation interrupted by ${sig}`;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let outcome: ValidationOutcome;
  try {
    outcome = await runValidation(v, {
      ...(measure ? { measure } : {}),
      replications: f.replications,
      ...(f.seed !== undefined ? { seed: f.seed } : {}),
      stopped: () => stop,
      ...(f.testbed ? { setup: { testbed: rel(f.testbed) } } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { samples } = outcome;
  // Calibration honesty: do the measured values fall inside the set's 90 % prediction intervals?
  let coverage: SetCoverage | undefined;
  if (f.calibrationSet && outcome.measured.length > 0) {
    log(
      `calibration set ${f.calibrationSet}: ${outcome.measured.length} configurations × its plausible vectors × ${f.piReplications} replications`,
    );
    coverage = await coverageOverSet(file, outcome.measured, f.calibrationSet, {
      seed: f.seed ?? v.deployed.seed,
      replications: f.piReplications,
      ...(f.workers !== undefined ? { workers: f.workers } : {}),
    });
  }
  const report = coverage ? { ...outcome.report, predictionIntervals: coverage } : outcome.report;
  if (out && f.out) {
    // Each file whole (renamed into place): an interrupted write never leaves half a report.
    replaceFile(path.join(out.path, 'validation.json'), metricsJson(report));
    replaceFile(path.join(out.path, 'plot.json'), metricsJson(plotData(report, samples)));
    log(`wrote ${shown(path.join(f.out, 'validation.json'))}, ${shown(path.join(f.out, 'plot.json'))}`);
  }
  if (outcome.corrupt > 0)
    log(
      `warning: ${outcome.corrupt} corrupt run folder${outcome.corrupt === 1 ? '' : 's'} skipped (named above and in the report's missing list)`,
    );
  process.stdout.write(
    f.json ? metricsJson(report) : `${validationTable(report)}\n${coverage ? coverageTable(coverage) : ''}`,
  );
  if (outcome.scored === 0) {
    log(
      `error: no configuration could be measured: nothing to score [${CalibrateErrorCode.NO_MEASUREMENTS}]`,
    );
    process.exitCode = ExitCode.FAILURE;
  }
}

/** Plan options of a live run (`check`: the plans built before anything runs, to catch placement problems). */
function planOptions(f: Flags, runId: string, durationS: number | undefined, warmupS: number | undefined) {
  return {
    runId,
    stateDir: path.join(f.stateDir, runId),
    ...(durationS !== undefined ? { durationS } : {}),
    ...(warmupS !== undefined ? { warmupS } : {}),
    ...(f.repeat !== undefined ? { repeat: f.repeat } : {}),
    localE2ctwin: [process.execPath, path.join(PACKAGE_ROOT, 'bin', 'e2ctwin.js')],
  };
}

/** One configuration live, its run folder written like `e2ctwin live --out`; a reason when it gave no measurement. */
async function runLive(o: {
  v: PreparedValidation;
  config: HeldOutConfig;
  flags: Flags;
  testbed: LoadedTestbed;
  dir: string;
  durationS: number | undefined;
  warmupS: number | undefined;
  log: (l: string) => void;
}): Promise<MeasuredRunFolder | string> {
  const { v, config: c, flags: f, testbed, dir, durationS, warmupS, log } = o;
  const overrides = [...f.set, ...c.set];
  const scenario: ResolvedScenario = v.scenarioOf(c);
  const runId = randomBytes(4).toString('hex').slice(0, 5);
  const plan = buildPlan(scenario, testbed, planOptions(f, runId, durationS, warmupS));
  const outcome = await new LiveRun({
    scenario,
    testbed,
    plan,
    stateRoot: f.stateDir,
    overrides,
    out: dir,
    log: (l) => log(`  ${l}`),
    versions: {
      e2ctwin: pkg.version,
      gitCommit: gitCommit() ?? null,
      node: process.version,
      kernel: release(),
      platform: process.platform,
    },
  }).execute();
  if (outcome.status !== 'ok')
    return `live run ${outcome.status}${outcome.failure ? `: ${outcome.failure}` : ''} (partial results in ${shown(dir)})`;
  return readOrSkip(dir, c.name, log);
}
