import type { Command } from 'commander';
import { newProgram } from './program-base.js';
import { pkg } from './version.js';

export type Register = (program: Command) => void;

/**
 * The verb table, in --help order: each verb's module is imported only when that verb runs (or when the
 * full list is needed: --help, no verb, an unknown verb). Start-up time is part of every run, and a verb
 * must not pay for the server, live mode or the optimizers. A new verb is added here, not imported above.
 */
const VERBS: ReadonlyArray<readonly [verb: string, load: () => Promise<Register>]> = [
  ['validate', async () => (await import('./commands/validate.js')).registerValidate],
  ['simulate', async () => (await import('./commands/simulate.js')).registerSimulate],
  ['sweep', async () => (await import('./commands/sweep.js')).registerSweep],
  ['sensitivity', async () => (await import('./commands/sensitivity.js')).registerSensitivity],
  ['optimize', async () => (await import('./commands/optimize.js')).registerOptimize],
  ['capacity', async () => (await import('./commands/capacity.js')).registerCapacity],
  ['worker', async () => (await import('./commands/worker.js')).registerWorker],
  ['calibrate', async () => (await import('./commands/calibrate.js')).registerCalibrate],
  ['fit', async () => (await import('./commands/fit.js')).registerFit],
  ['calibrate-twin', async () => (await import('./commands/calibrate-twin.js')).registerCalibrateTwin],
  [
    'suggest-measurement',
    async () => (await import('./commands/suggest-measurement.js')).registerSuggestMeasurement,
  ],
  ['validate-twin', async () => (await import('./commands/validate-twin.js')).registerValidateTwin],
  ['schema', async () => (await import('./commands/schema.js')).registerSchema],
  ['live', async () => (await import('./commands/live.js')).registerLive],
  ['engine', async () => (await import('./commands/engine.js')).registerEngine],
  ['drive', async () => (await import('./commands/drive.js')).registerDrive],
  ['probe', async () => (await import('./commands/probe.js')).registerProbe],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['import', async () => (await import('./commands/import.js')).registerImport],
  ['export', async () => (await import('./commands/export.js')).registerExport],
  ['init', async () => (await import('./commands/init.js')).registerInit],
  ['doctor', async () => (await import('./commands/doctor.js')).registerDoctor],
];

/** The verbs a command line needs: its own verb, none for --version, all of them otherwise. */
function verbsFor(args: readonly string[] | undefined): ReadonlyArray<(typeof VERBS)[number]> {
  if (args === undefined) return VERBS;
  const first = args[0];
  if (first === '-V' || first === '--version') return [];
  const own = VERBS.filter(([verb]) => verb === first);
  return own.length > 0 ? own : VERBS;
}

/**
 * The e2ctwin command line: one verb per capability, each with its own --help. `args` (the user's
 * arguments, without node and the script) selects the verbs to load; without it every verb is registered.
 */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = newProgram();
  const registers = await Promise.all(verbsFor(args).map(([, load]) => load()));
  for (const register of registers) register(program);
  return program;
}

export { pkg };
