/**
 * A reader that stops early (`e2ctwin … --help | head`) closes the pipe: the rest of the output has
 * nowhere to go, and that is not an error of this command. Node ignores SIGPIPE, so without this the
 * next write throws EPIPE with a stack trace; end quietly instead, as a Unix tool would. Called once by
 * each process entry (main.ts, the one-verb bundles of src/cli/verbs/).
 */
export function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
}
