import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { ALLOW_DIR_HELP, collect } from '../options.js';

/** `e2ctwin export e2clab <scenario> -o <dir>`: a scenario → an E2Clab scenario folder. */
export function registerExport(program: Command): void {
  const exp = program
    .command('export')
    .description("Write a scenario as another tool's experiment files (e2clab: an E2Clab scenario folder).");
  exp
    .command('e2clab')
    .description(
      "Write layers_services.yaml, network.yaml and a workflow.yaml skeleton that E2Clab deploys (e.g. on Grid'5000), plus e2ctwin.yaml with the twin's own fields, so that import e2clab of the folder gives back the same resolved scenario. Prints what E2Clab's files cannot hold (see docs/e2clab.md).",
    )
    .argument('<scenario>', 'scenario YAML file')
    .requiredOption('-o, --out <dir>', 'folder to write (replaced only if an earlier export wrote it)')
    .option('--allow-dir <dir>', ALLOW_DIR_HELP, collect, [])
    .action(async (file: string, opts: { out: string; allowDir: string[] }) => {
      const { runExport } = await import('./export-run.js');
      process.exitCode = runExport(file, opts) ? ExitCode.OK : ExitCode.BAD_INPUT;
    });
}
