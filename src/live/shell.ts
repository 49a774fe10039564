/**
 * POSIX shell quoting. Remote commands travel over SSH as one string that the remote shell parses, so
 * every argument is single-quoted: nothing inside single quotes is special except the quote itself,
 * written '\''. Scenario and testbed values never reach a shell unquoted.
 */
export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv array as one shell command line, each argument quoted. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Environment variable names that may be set on a host (no shell syntax, no `=`). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
