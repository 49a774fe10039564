import path from 'node:path';
import type { Command } from 'commander';
import { loadScenario } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { formatIssues } from '../format-issues.js';
import { DEFAULT_STARTER, StarterError, shippedScenarios, writeStarter } from '../starter-folder.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      "Write a starter folder: a shipped scenario, its editor schema, the model presets it uses (models/) and a README of next steps, so that you edit your own files, not the package's.",
    )
    .argument('[dir]', 'the folder to write (created if missing; must be empty unless --force)', '.')
    .option(
      '--scenario <name>',
      `the shipped scenario to start from (${shippedScenarios().join(', ')})`,
      DEFAULT_STARTER,
    )
    .option('--force', 'write into a non-empty folder, replacing the starter files there (others are kept)')
    .action((dir: string, opts: { scenario: string; force?: boolean }) => {
      let starter: ReturnType<typeof writeStarter>;
      try {
        starter = writeStarter({ dir, scenario: opts.scenario, force: opts.force });
      } catch (err) {
        if (!(err instanceof StarterError)) throw err;
        process.stderr.write(`e2ctwin init: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}\n`);
        process.exitCode = ExitCode.BAD_INPUT;
        return;
      }
      // The folder must stand on its own: its scenario loads from there, with only its own files.
      const shown = path.relative(process.cwd(), starter.scenarioFile) || starter.scenarioFile;
      const r = loadScenario(starter.scenarioFile, { allowedRoots: [path.dirname(starter.scenarioFile)] });
      if (!r.ok) {
        process.stderr.write(
          `e2ctwin init: the starter does not load on its own:\n${formatIssues(r.issues)}\n`,
        );
        process.exitCode = ExitCode.FAILURE;
        return;
      }
      const rel = (f: string) =>
        path.join(path.relative(process.cwd(), path.dirname(starter.scenarioFile)), f);
      process.stdout.write(
        `e2ctwin init: wrote ${starter.files.length} files (scenario ${opts.scenario}):\n${starter.files
          .map((f) => `  ${rel(f)}\n`)
          .join(
            '',
          )}Next: e2ctwin validate ${shown} && e2ctwin simulate ${shown}  (more in ${rel('README.md')})\n`,
      );
    });
}
