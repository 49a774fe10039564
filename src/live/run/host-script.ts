import { shellJoin } from '../shell.js';

// A host's share of a timed link change as one shell script: one remote execution, and each run of
// consecutive tc or nft commands given to one process (`tc -batch -`, `nft -f -`, fed by a
// here-document). A timed change must land at its time, and a loaded machine pays each process start:
// a cut was seven nft processes on one host, applied 1.7 s late under CI load. nft applies its file as
// one transaction, so a cut or a restore lands whole or not at all. The script stops at the first
// failure (`set -e`); tc names the failing line (`Command failed -:N`), nft the failing rule.

/** The here-document's end marker (no batch line can be it: each starts with a tc or nft keyword). */
const END = 'E2C_BATCH_END';

/**
 * Whether an argument reads the same in a batch line as in argv. tc splits its batch lines on
 * whitespace, with quotes, `#` comments and backslashes special; nft parses its argv joined by spaces
 * (as the CLI does), so only a line break would differ there.
 */
function batchable(tool: 'tc' | 'nft', arg: string): boolean {
  return tool === 'tc' ? !/[\s"'#\\]/.test(arg) && arg !== '' : !/[\n\r]/.test(arg);
}

/** The tool a command can be batched with, if any. */
function batchTool(argv: readonly string[]): 'tc' | 'nft' | undefined {
  const tool = argv[0];
  if (tool !== 'tc' && tool !== 'nft') return undefined;
  // Options before the subcommand (`tc -s …`, `nft -a …`) are not batch-line syntax.
  if (argv.length < 2 || argv[1]!.startsWith('-')) return undefined;
  return argv.slice(1).every((a) => batchable(tool, a)) ? tool : undefined;
}

/**
 * The commands, in order, as one POSIX shell script under `set -e` (it stops at the first failure, with
 * its exit status): a run of two or more tc (or nft) commands becomes one `tc -batch -` (or `nft -f -`)
 * reading them as lines; any other command runs as itself, quoted.
 */
export function hostScript(commands: readonly (readonly string[])[]): string {
  const lines = ['set -e'];
  for (let i = 0; i < commands.length; ) {
    const tool = batchTool(commands[i]!);
    let j = i + 1;
    if (tool) while (j < commands.length && batchTool(commands[j]!) === tool) j++;
    if (!tool || j - i === 1) lines.push(shellJoin(commands[i]!));
    else
      lines.push(
        `${tool === 'tc' ? 'tc -batch -' : 'nft -f -'} <<'${END}'`,
        ...commands.slice(i, j).map((c) => c.slice(1).join(' ')),
        END,
      );
    i = j;
  }
  return `${lines.join('\n')}\n`;
}
