import { endQuietlyOnClosedPipe } from '../closed-pipe.js';
import { newProgram } from '../program-base.js';
import type { Register } from '../program.js';
import { runProgram } from '../run-program.js';

/**
 * The process entry of a one-verb bundle: the command line with `register`'s verb alone, as program.ts
 * builds it when that verb runs (same options, help and errors). bin/e2ctwin.js loads the bundle with
 * V8's code cache and calls the returned function with the user's arguments.
 */
export function oneVerb(register: Register): (args: readonly string[]) => Promise<void> {
  return (args) => {
    endQuietlyOnClosedPipe();
    return runProgram(args, async () => {
      const program = newProgram();
      register(program);
      return program;
    });
  };
}
