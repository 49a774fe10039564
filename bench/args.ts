/**
 * The benchmark's own arguments (`npm run bench -- …`), checked before any section runs: `--help` prints them,
 * and an unknown flag or section is an error (exit 2) rather than a silent full run of every section, which
 * takes tens of minutes and loads the machine.
 */
export const SECTIONS = [
  'kernel',
  'models',
  'dynamics',
  'explore',
  'calibrate',
  'queue',
  'scale',
  'startup',
] as const;
export type Section = (typeof SECTIONS)[number];

const USAGE = `usage: npm run bench -- [options]   (or: npx tsx bench/run.ts [options])

  --only=<section>          run one section: ${SECTIONS.join(', ')}
  --explore=sweep|optimizers  with the explore section: one part only
  --quick                   smaller sizes (checks that a section runs; not for figures)
  --against=<git ref>       with the models or start-up section: alternate with that commit's build
  --help                    this text

Figures, targets and how to read them: bench/README.md`;

export interface BenchArgs {
  quick: boolean;
  only?: Section;
}

/** Parses `argv` (after the script); returns the usage text's exit for --help or a bad argument. */
export function benchArgs(argv: readonly string[]): BenchArgs | { exit: 0 | 2; text: string } {
  if (argv.includes('--help') || argv.includes('-h')) return { exit: 0, text: USAGE };
  const known = /^--(quick|only=.*|explore=(sweep|optimizers)|against=.+)$/;
  const bad = argv.find((a) => !known.test(a));
  if (bad) return { exit: 2, text: `bench: unknown argument ${JSON.stringify(bad)}\n\n${USAGE}` };
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only !== undefined && !(SECTIONS as readonly string[]).includes(only))
    return { exit: 2, text: `bench: unknown section --only=${only} (one of: ${SECTIONS.join(', ')})` };
  return { quick: argv.includes('--quick'), ...(only ? { only: only as Section } : {}) };
}
