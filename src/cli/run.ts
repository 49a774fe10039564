import { buildProgram } from './program.js';
import { runProgram } from './run-program.js';

/**
 * Runs one e2ctwin command line (`args`: the user's arguments, without node and the script) in this
 * process, with every verb available (each loaded when it runs; see program.ts and run-program.ts).
 */
export function runCommand(args: readonly string[]): Promise<void> {
  return runProgram(args, buildProgram);
}
