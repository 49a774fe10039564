import { Command } from 'commander';
import { pkg } from './version.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerFit } from './commands/fit.js';
import { registerCalibrateTwin } from './commands/calibrate-twin.js';
import { registerSuggestMeasurement } from './commands/suggest-measurement.js';
import { registerValidateTwin } from './commands/validate-twin.js';
import { registerSchema } from './commands/schema.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerSweep } from './commands/sweep.js';
import { registerSensitivity } from './commands/sensitivity.js';
import { registerOptimize } from './commands/optimize.js';
import { registerCapacity } from './commands/capacity.js';
import { registerValidate } from './commands/validate.js';
import { registerDrive } from './commands/drive.js';
import { registerEngine } from './commands/engine.js';
import { registerLive, registerProbe } from './commands/live.js';
import { registerImport } from './commands/import.js';
import { registerExport } from './commands/export.js';
import { registerInit } from './commands/init.js';
import { registerDoctor } from './commands/doctor.js';

/** The e2ctwin command line: one verb per capability, each with its own --help. */
export function buildProgram(): Command {
  const program = new Command('e2ctwin')
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
    );
  registerValidate(program);
  registerSimulate(program);
  registerSweep(program);
  registerSensitivity(program);
  registerOptimize(program);
  registerCapacity(program);
  registerCalibrate(program);
  registerFit(program);
  registerCalibrateTwin(program);
  registerSuggestMeasurement(program);
  registerValidateTwin(program);
  registerSchema(program);
  registerLive(program);
  registerEngine(program);
  registerDrive(program);
  registerProbe(program);
  registerServe(program);
  registerImport(program);
  registerExport(program);
  registerInit(program);
  registerDoctor(program);
  return program;
}

export { pkg };
