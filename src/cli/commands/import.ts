import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';

/** First line of every file `import` writes: only such a file is replaced by a later import. */
export const IMPORT_HEADER = 'Written by `e2ctwin import e2clab`';

/** `e2ctwin import e2clab <dir>`: an E2Clab scenario folder → a scenario (and a testbed file). */
export function registerImport(program: Command): void {
  const imp = program
    .command('import')
    .description(
      "Translate another tool's experiment files into a scenario (e2clab: E2Clab's scenario folder).",
    );
  imp
    .command('e2clab')
    .description(
      'Read an E2Clab scenario folder (layers_services.yaml, network.yaml, optional workflow.yaml) and write a scenario that validates: repeat: N gives N+1 services, "10ms"/"1gbit"/"0.5%" become numbers, symmetric is written explicitly (E2Clab\'s default is false, the twin\'s true). What E2Clab does not say (app models, a workload, the run length) is a marked placeholder listed in a printed checklist; every field not mapped is a warning with file:line:column. See docs/e2clab.md.',
    )
    .argument('<scenario-dir>', "E2Clab's SCENARIO_DIR")
    .requiredOption(
      '-o, --out <scenario.yaml>',
      'scenario file to write (replaced only if an earlier import wrote it)',
    )
    .option(
      '--testbed-out <testbed.yaml>',
      'testbed file to write when services name their hosts (servers:): an ssh testbed with those hosts',
    )
    .action(async (dir: string, opts: { out: string; testbedOut?: string }) => {
      const { runImport } = await import('./import-run.js');
      process.exitCode = runImport(dir, opts) ? ExitCode.OK : ExitCode.BAD_INPUT;
    });
}
