import path from 'node:path';
import { InvalidArgumentError } from 'commander';

/** Accumulates a repeatable option (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses a non-negative integer option, or fails with a clear message. */
export function intOption(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min} (got "${value}")`);
    return n;
  };
}

/** Help of `--allow-dir`, the same on every command that loads a scenario. */
export const ALLOW_DIR_HELP = 'also read files the scenario names (presets, calibration, traces) from this folder; by default only the scenario\'s folder and e2ctwin\'s models/, scenarios/ and calibration/ are allowed (repeatable)';

/** The load options of `--allow-dir` flags: extra roots, absolute. */
export function fileRoots(flags: { allowDir?: readonly string[] }): { extraRoots: string[] } {
  return { extraRoots: (flags.allowDir ?? []).map((d) => path.resolve(d)) };
}
