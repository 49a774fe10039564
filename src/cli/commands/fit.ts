import type { Command } from 'commander';
import { fitScenario } from '../../calibrate/index.js';
import { loadScenarioOrThrow } from '../../scenario/index.js';
import { ALLOW_DIR_HELP, collect, fileRoots, intOption } from '../options.js';
import { progressBar } from '../progress.js';
import { num, pct, table } from '../table.js';

export function registerFit(program: Command): void {
  program
    .command('fit')
    .description(
      'Fit the parameters a scenario marks as calibratable (its `calibrate:` section) so that it reproduces measured values (Nelder–Mead on simulations with fixed seeds).',
    )
    .argument('<scenario>', 'scenario YAML file with a calibrate: section')
    .option('-s, --set <path=value>', 'override a field by its path (repeatable)', collect, [])
    .option('--max-evaluations <n>', 'most simulations to run', intOption('--max-evaluations', 3), 60)
    .option('--json', 'print the fit as JSON')
    .option('--allow-dir <dir>', ALLOW_DIR_HELP, collect, [])
    .addHelpText('after', '\nExample:\n  e2ctwin fit scenarios/plantnet.yaml')
    .action(
      (
        file: string,
        flags: { set: string[]; allowDir: string[]; maxEvaluations: number; json?: boolean },
      ) => {
        const base = loadScenarioOrThrow(file, { overrides: flags.set, ...fileRoots(flags) });
        const bar = progressBar('fitting');
        const fit = fitScenario(file, base, {
          overrides: flags.set,
          roots: fileRoots(flags),
          maxEvaluations: flags.maxEvaluations,
          onEvaluation: (n) => bar.update(n / flags.maxEvaluations),
        });
        bar.stop();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(fit, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `${table([['parameter', 'fitted value'], ...Object.entries(fit.values).map(([k, v]) => [k, num(v, 5)])])}\n\n`,
        );
        process.stdout.write(
          `${table([['target', 'measured', 'simulated', 'rel. error'], ...Object.entries(fit.targets).map(([k, t]) => [k, num(t.measured, 5), num(t.simulated, 5), pct(t.relativeError, 2)])])}\n`,
        );
        process.stdout.write(
          `\n${fit.evaluations} simulations; apply with: ${Object.entries(fit.values)
            .map(([k, v]) => `--set ${k}=${Number(v.toPrecision(5))}`)
            .join(' ')}\n`,
        );
      },
    );
}
