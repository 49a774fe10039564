import path from 'node:path';
import type { Command } from 'commander';
import { simulate } from '../../model/index.js';
import { checkOutFolder, runFolderKind } from '../../run-folder/index.js';
import { loadScenarioOrThrow, readTraces } from '../../scenario/index.js';
import { ALLOW_DIR_HELP, collect, fileRoots, intOption } from '../options.js';
import { progressBar } from '../progress.js';
import { metricsJson, writeRunFolder } from '../run-folder.js';
import { summaryTable } from '../summary-table.js';

interface SimulateFlags { set: string[]; allowDir: string[]; seed?: number; replications?: number; json?: boolean; out?: string; progress: boolean }

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('Simulate a scenario: response time (mean, p50, p95, p99 with 95% CIs), throughput, rejections, abandonments, pool utilization and queues, GPU memory, energy and cost.')
    .argument('<scenario>', 'scenario YAML file (e.g. scenarios/plantnet.yaml)')
    .option('-s, --set <path=value>', 'override a field by its path (repeatable), e.g. --set cloud.engine.pools.extract=8', collect, [])
    .option('--seed <n>', 'root seed of the random streams (default: the scenario\'s seed)', intOption('--seed'))
    .option('-r, --replications <n>', 'independent replications (default: the scenario\'s run.replications)', intOption('--replications', 1))
    .option('--json', 'print the metrics as JSON (stable keys) instead of the table')
    .option('-o, --out <dir>', 'write a run folder: resolved scenario, run info, metrics.json, trace.jsonl, chrome-trace.json; checked before the run, it replaces a previous simulation run folder whole and refuses any other non-empty folder')
    .option('--no-progress', 'no progress bar (it only shows on a terminal anyway)')
    .option('--allow-dir <dir>', ALLOW_DIR_HELP, collect, [])
    .addHelpText('after', '\nExamples:\n  e2ctwin simulate scenarios/plantnet.yaml\n  e2ctwin simulate scenarios/plantnet.yaml --set cloud.engine.pools.extract=4 --json\n  e2ctwin simulate scenarios/validation/mmc.yaml -r 10 --out runs/mmc')
    .action((file: string, flags: SimulateFlags) => {
      // Checked before the simulation: a bad --out must not cost the run (exit 2, nothing ran).
      const out = flags.out !== undefined ? checkOutFolder(flags.out, { option: '--out', kind: runFolderKind('simulation') }) : undefined;
      const scenario = loadScenarioOrThrow(file, { overrides: flags.set, ...fileRoots(flags) });
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
      if (flags.json) {
        const { perReplication: _omit, ...rest } = result;
        process.stdout.write(metricsJson(rest));
      } else {
        process.stdout.write(`${summaryTable(scenario, result)}\n`);
      }
      if (out && flags.out) {
        const files = writeRunFolder(out.path, { scenario, overrides: flags.set, result, spans, sampledRequests, wallSeconds });
        process.stderr.write(`run folder: ${path.resolve(flags.out)} (${files.map((f) => path.basename(f)).join(', ')})\n`);
      }
    });
}
