import { Command } from 'commander';
import { pkg } from './version.js';

/**
 * The e2ctwin command without its verbs: name, description, --version, help text, and usage errors thrown
 * (not exiting) so that they map to exit status 2. program.ts adds the verbs a command line needs; a
 * verb's own bundle (src/cli/verbs/) adds its verb alone.
 */
export function newProgram(): Command {
  return (
    new Command('e2ctwin')
      .description(
        'A digital twin for application workflows on the edge-to-cloud continuum.\nSimulate a scenario in seconds, explore what-ifs, run it live, calibrate the twin, see it in a browser.',
      )
      .version(pkg.version, '-V, --version')
      .showHelpAfterError('(run with --help for usage)')
      // Usage errors throw instead of exiting so that main.ts maps them to exit status 2 (bad input).
      .exitOverride()
      .addHelpText(
        'after',
        '\nExamples:\n  e2ctwin simulate scenarios/plantnet.yaml\n  e2ctwin validate scenarios/plantnet.yaml\n  e2ctwin schema > scenarios/scenario.schema.json\n\nDocumentation: README.md. Exit status: 0 ok, 1 run failure, 2 bad input.',
      )
  );
}
