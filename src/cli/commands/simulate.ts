import path from 'node:path';
import type { Command } from 'commander';
import { simulate } from '../../model/index.js';
import { loadScenarioOrThrow, readTraces } from '../../scenario/index.js';
import { collect, intOption } from '../options.js';
import { progressBar } from '../progress.js';
import { metricsJson, writeRunFolder } from '../run-folder.js';
import { summaryTable } from '../summary-table.js';
import { calibrationSetOptions, predictWithSet, setPredictionTable } from '../set-prediction.js';

interface SimulateFlags { set: string[]; seed?: number; replications?: number; json?: boolean; out?: string; progress: boolean; calibrationSet?: string; piReplications: number; workers?: number }

export function registerSimulate(program: Command): void {
  const cmd = program
    .command('simulate')
    .description('Simulate a scenario: response time (mean, p50, p95, p99 with 95% CIs), throughput, rejections, abandonments, pool utilization and queues, GPU memory, energy and cost.')
    .argument('<scenario>', 'scenario YAML file (e.g. scenarios/plantnet.yaml)')
    .option('-s, --set <path=value>', 'override a field by its path (repeatable), e.g. --set cloud.engine.pools.extract=8', collect, [])
    .option('--seed <n>', 'root seed of the random streams (default: the scenario\'s seed)', intOption('--seed'))
    .option('-r, --replications <n>', 'independent replications (default: the scenario\'s run.replications)', intOption('--replications', 1))
    .option('--json', 'print the metrics as JSON (stable keys) instead of the table')
    .option('-o, --out <dir>', 'write a run folder: resolved scenario, run info, metrics.json, trace.jsonl, chrome-trace.json')
    .option('--no-progress', 'no progress bar (it only shows on a terminal anyway)');
  calibrationSetOptions(cmd)
    .addHelpText('after', '\nExamples:\n  e2ctwin simulate scenarios/plantnet.yaml\n  e2ctwin simulate scenarios/plantnet.yaml --set cloud.engine.pools.extract=4 --json\n  e2ctwin simulate scenarios/validation/mmc.yaml -r 10 --out runs/mmc\n  e2ctwin simulate scenarios/plantnet.yaml --calibration-set calibration/plantnet/calibration-set.yaml')
    .action(async (file: string, flags: SimulateFlags) => {
      const scenario = loadScenarioOrThrow(file, { overrides: flags.set });
      const traces = readTraces(scenario);
      const bar = progressBar(`simulating ${scenario.name}`, flags.progress && process.stderr.isTTY === true);
      const t0 = performance.now();
      const { result, spans, sampledRequests } = simulate(scenario, {
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.replications !== undefined ? { replications: flags.replications } : {}),
        traces,
        onProgress: bar.update,
      });
      bar.stop();
      const wallSeconds = (performance.now() - t0) / 1000;
      const { perReplication: _omit, ...rest } = result;
      const setBar = progressBar('predicting over the calibration set', flags.progress && process.stderr.isTTY === true);
      const pred = flags.calibrationSet === undefined ? undefined : await predictWithSet(file, flags.set, flags.calibrationSet, {
        seed: flags.seed ?? scenario.seed, replications: flags.piReplications, ...(flags.workers !== undefined ? { workers: flags.workers } : {}), onProgress: setBar.update,
      });
      setBar.stop();
      if (flags.json) {
        process.stdout.write(metricsJson(pred ? { ...rest, calibrated: Object.fromEntries(Object.entries(pred.metrics).map(([k, p]) => [k, { point: p.point, lo90: p.lo, hi90: p.hi }])) } : rest));
      } else {
        process.stdout.write(`${summaryTable(scenario, result)}\n`);
        if (pred) process.stdout.write(setPredictionTable(rest, pred));
      }
      if (flags.out) {
        const files = writeRunFolder(flags.out, { scenario, overrides: flags.set, result, spans, sampledRequests, wallSeconds });
        process.stderr.write(`run folder: ${path.resolve(flags.out)} (${files.map((f) => path.basename(f)).join(', ')})\n`);
      }
    });
}
