import { Option, type Command } from 'commander';
import { intOption } from './options.js';

// Apart from set-prediction.ts: `simulate` registers these options on every run, and loads the prediction
// (the calibrate layer, the trial runners) only when --calibration-set is given.

/** The options a verb takes to predict over a calibration set (one flag name for every verb). */
export function calibrationSetOptions(cmd: Command): Command {
  return cmd
    .option(
      '--calibration-set <file>',
      "also predict over the plausible parameter vectors of a calibration set (`e2ctwin calibrate-twin`): a 90 % prediction interval beside the simulation's CI",
    )
    .addOption(
      new Option(
        '--pi-replications <n>',
        'with --calibration-set: replications per plausible vector (each its own random numbers)',
      )
        .argParser(intOption('--pi-replications', 1))
        .default(2),
    )
    .addOption(
      new Option(
        '-w, --workers <n>',
        'with --calibration-set: worker threads (default: the cores; 0 the main thread)',
      ).argParser(intOption('--workers', 0)),
    );
}
