import path from 'node:path';
import type { Command } from 'commander';
import {
  BudgetExceededError,
  DEFAULT_MAX_EVENTS,
  defaultMaxMemoryMiB,
  simulate,
  simulateWithSeries,
  type SimulationSeries,
} from '../../model/index.js';
// The run folder's writer (its zod schemas, the trace formats) is loaded only with --out; --json needs the
// stable JSON alone.
import { metricsJson } from '../../run-folder/stable-json.js';
import { LIMITS, loadScenarioOrThrow, readTraces } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { ALLOW_DIR_HELP, collect, fileRoots, intOption, maxMemoryOption } from '../options.js';
import { progressBar } from '../progress.js';
import { summaryTable } from '../summary-table.js';
import { calibrationSetOptions } from '../set-options.js';

interface SimulateFlags {
  set: string[];
  allowDir: string[];
  seed?: number;
  replications?: number;
  json?: boolean;
  out?: string;
  progress: boolean;
  shortcuts: boolean;
  maxEvents: number;
  maxMemory: number;
  calibrationSet?: string;
  piReplications: number;
  workers?: number;
}

export function registerSimulate(program: Command): void {
  const cmd = program
    .command('simulate')
    .description(
      'Simulate a scenario: response time (mean, p50, p95, p99 with 95% CIs), throughput, rejections, abandonments, pool utilization and queues, GPU memory, energy and cost.',
    )
    .argument('<scenario>', 'scenario YAML file (e.g. scenarios/plantnet.yaml)')
    .option(
      '-s, --set <path=value>',
      'override a field by its path (repeatable), e.g. --set cloud.engine.pools.extract=8',
      collect,
      [],
    )
    .option(
      '--seed <n>',
      "root seed of the random streams (default: the scenario's seed)",
      intOption('--seed'),
    )
    .option(
      '-r, --replications <n>',
      "independent replications (default: the scenario's run.replications)",
      intOption('--replications', 1, LIMITS.replications),
    )
    .option('--json', 'print the metrics as JSON (stable keys) instead of the table')
    .option(
      '-o, --out <dir>',
      'write a run folder: resolved scenario, run info, metrics.json, series.json (every measured response time, levels over time), trace.jsonl, chrome-trace.json; checked before the run, it replaces a previous simulation run folder whole and refuses any other non-empty folder',
    )
    .option('--no-progress', 'no progress bar (it only shows on a terminal anyway)')
    .option(
      '--no-shortcuts',
      "simulate on the plain event path alone, without the model's exact speed-ups (the same as --set run.shortcuts=false; slower, for checking)",
    )
    .option('--allow-dir <dir>', ALLOW_DIR_HELP, collect, [])
    .option(
      '--max-events <n>',
      'stop the run (exit 1) after this many simulated events over all replications; 0 for no limit',
      intOption('--max-events'),
      DEFAULT_MAX_EVENTS,
    )
    .option(
      '--max-memory <MiB>',
      "stop the run (exit 1) when the process uses more resident memory than this, MiB; the default is half of Node's heap limit, at most 2048",
      maxMemoryOption('--max-memory'),
      defaultMaxMemoryMiB(),
    );
  calibrationSetOptions(cmd)
    .addHelpText(
      'after',
      '\nExamples:\n  e2ctwin simulate scenarios/plantnet.yaml\n  e2ctwin simulate scenarios/plantnet.yaml --set cloud.engine.pools.extract=4 --json\n  e2ctwin simulate scenarios/validation/mmc.yaml -r 10 --out runs/mmc\n  e2ctwin simulate scenarios/plantnet.yaml --calibration-set calibration/plantnet/calibration-set.yaml',
    )
    .action(async (file: string, flags: SimulateFlags) => {
      // Checked before the simulation: a bad --out must not cost the run (exit 2, nothing ran).
      const runFolder = flags.out !== undefined ? await import('../../run-folder/index.js') : undefined;
      const out =
        flags.out !== undefined && runFolder
          ? runFolder.checkOutFolder(flags.out, {
              option: '--out',
              kind: runFolder.runFolderKind('simulation'),
            })
          : undefined;
      // --no-shortcuts is an override like any other (the run folder records it).
      if (!flags.shortcuts) flags.set = [...flags.set, 'run.shortcuts=false'];
      const scenario = loadScenarioOrThrow(file, { overrides: flags.set, ...fileRoots(flags) });
      const traces = readTraces(scenario);
      const bar = progressBar(`simulating ${scenario.name}`, flags.progress && process.stderr.isTTY === true);
      const t0 = performance.now();
      const options = {
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.replications !== undefined ? { replications: flags.replications } : {}),
        traces,
        onProgress: bar.update,
        ...(flags.maxEvents > 0 ? { maxEvents: flags.maxEvents } : {}),
        maxMemoryMiB: flags.maxMemory,
      };
      // With --out, the run also keeps every measured request's response time and the levels per window
      // (series.json); the metrics are the same byte for byte.
      const run = withinBudget(
        (): ReturnType<typeof simulate> & { series?: SimulationSeries } =>
          out ? simulateWithSeries(scenario, options) : simulate(scenario, options),
        () => bar.stop(),
      );
      if (!run) return;
      const { result, spans, sampledRequests, series } = run;
      const wallSeconds = (performance.now() - t0) / 1000;
      const { perReplication: _omit, ...rest } = result;
      const setBar = progressBar(
        'predicting over the calibration set',
        flags.progress && process.stderr.isTTY === true,
      );
      // The prediction module (calibrate layer, trial runners) is loaded only when a set is given.
      const setPrediction =
        flags.calibrationSet === undefined ? undefined : await import('../set-prediction.js');
      const pred =
        flags.calibrationSet === undefined || setPrediction === undefined
          ? undefined
          : await setPrediction.predictWithSet(file, flags.set, flags.calibrationSet, {
              seed: flags.seed ?? scenario.seed,
              replications: flags.piReplications,
              ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
              onProgress: setBar.update,
            });
      setBar.stop();
      if (flags.json) {
        process.stdout.write(
          metricsJson(
            pred
              ? {
                  ...rest,
                  calibrated: Object.fromEntries(
                    Object.entries(pred.metrics).map(([k, p]) => [
                      k,
                      {
                        point: p.point,
                        lo90: p.lo,
                        hi90: p.hi,
                        ...(p.measured ? { measuredLo90: p.measured.lo, measuredHi90: p.measured.hi } : {}),
                      },
                    ]),
                  ),
                }
              : rest,
          ),
        );
      } else {
        process.stdout.write(`${summaryTable(scenario, result)}\n`);
        if (pred && setPrediction) process.stdout.write(setPrediction.setPredictionTable(rest, pred));
      }
      if (out && flags.out && series && runFolder) {
        const files = runFolder.writeSimulationRun(out.path, {
          scenario,
          overrides: flags.set,
          result,
          spans,
          sampledRequests,
          wallSeconds,
          series,
        });
        process.stderr.write(
          `run folder: ${path.resolve(flags.out)} (${files.map((f) => path.basename(f)).join(', ')})\n`,
        );
      }
    });
}

/**
 * Runs `fn`; a run stopped by its budget prints which budget, how far it got and the option that raises
 * it, and exits 1 (undefined is returned). `finally` runs either way (the progress bar).
 */
function withinBudget<T>(fn: () => T, always: () => void): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof BudgetExceededError)) throw err;
    const option = err.stop.budget === 'events' ? '--max-events <n> (0: no limit)' : '--max-memory <MiB>';
    process.stderr.write(
      `error: simulation stopped: ${err.message}; raise the budget with ${option} or shorten the run  [${err.code}]\n`,
    );
    process.exitCode = ExitCode.FAILURE;
    return undefined;
  } finally {
    always();
  }
}
