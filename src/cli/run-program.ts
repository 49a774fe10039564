import { type Command, CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';

/**
 * Runs one e2ctwin command line (`args`: the user's arguments, without node and the script) on the program
 * `build` makes for it, in this process: what it prints goes to process.stdout and process.stderr, its exit
 * status to process.exitCode. Usage errors give exit status 2, scenario errors are formatted (never a stack
 * trace), other failures print one line (set E2CTWIN_DEBUG=1 for the stack). The error classes are
 * imported only when there is a failure to report. Callers: run.ts (every verb, loaded on demand; main.ts
 * and the test suite) and the one-verb bundles of src/cli/verbs/.
 */
export async function runProgram(
  args: readonly string[],
  build: (args: readonly string[]) => Promise<Command>,
): Promise<void> {
  try {
    const program = await build(args);
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT;
    } else {
      await reportFailure(err);
    }
  }
}

async function reportFailure(err: unknown): Promise<void> {
  const [{ ScenarioError }, { RunFolderError }, { formatIssues }] = await Promise.all([
    import('../scenario/index.js'),
    import('../run-folder/index.js'),
    import('./format-issues.js'),
  ]);
  if (err instanceof ScenarioError) {
    process.stderr.write(`${formatIssues(err.issues)}\n`);
    process.exitCode = ExitCode.BAD_INPUT;
  } else if (err instanceof RunFolderError) {
    // A refused output path, or a run folder the user named that cannot be read: bad input.
    process.stderr.write(`error: ${err.message}  [${err.code}]\n`);
    process.exitCode = ExitCode.BAD_INPUT;
  } else {
    const e = err as Error & { code?: string };
    process.stderr.write(`error: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    if (process.env.E2CTWIN_DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exitCode = ExitCode.FAILURE;
  }
}
