import type { Command } from 'commander';
import { loadScenario, summarizeScenario } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { formatIssues } from '../format-issues.js';
import { ALLOW_DIR_HELP, collect, fileRoots } from '../options.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'Check scenario files and print their resolved summary, or every problem with file, line, column and field path.',
    )
    .argument('<files...>', 'scenario YAML files')
    .option(
      '-s, --set <path=value>',
      'override a field by its path (repeatable), e.g. --set cloud.engine.pools.extract=8',
      collect,
      [],
    )
    .option('--json', 'print the resolved scenario (or the issues) as JSON')
    .option('--allow-dir <dir>', ALLOW_DIR_HELP, collect, [])
    .action((files: string[], opts: { set: string[]; json?: boolean; allowDir: string[] }) => {
      let status: number = ExitCode.OK;
      for (const file of files) {
        const r = loadScenario(file, { overrides: opts.set, ...fileRoots(opts) });
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify(r.ok ? { file, ok: true, scenario: r.scenario } : { file, ok: false, issues: r.issues }, null, 2)}\n`,
          );
        } else if (r.ok) {
          process.stdout.write(`${file}: ok\n${summarizeScenario(r.scenario).replace(/^/gm, '  ')}\n`);
        } else {
          process.stderr.write(`${file}: ${formatIssues(r.issues)}\n`);
        }
        if (!r.ok) status = ExitCode.BAD_INPUT;
      }
      process.exitCode = status;
    });
}
