import path from 'node:path';
import { InvalidArgumentError } from 'commander';
// The budget module alone, not the model's index: every verb parses options, and `validate` must not load
// the simulator (the bundle would put the whole model chunk on its path).
import { maxMemoryCeilingMiB } from '../model/budget.js';

/** Accumulates a repeatable option (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses an integer option ≥ min (and ≤ max, when given), or fails with a clear message. */
export function intOption(name: string, min = 0, max?: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min} (got "${value}")`);
    if (max !== undefined && n > max)
      throw new InvalidArgumentError(
        `${name} must be ≤ ${max.toLocaleString('en-US')}, e2ctwin's limit (got "${value}")`,
      );
    return n;
  };
}

/** Parses a memory budget in MiB: ≥ 64 (the process itself needs that much), ≤ 3/4 of V8's heap limit. */
export function maxMemoryOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    const ceiling = maxMemoryCeilingMiB();
    if (!Number.isInteger(n) || n < 64)
      throw new InvalidArgumentError(`${name} must be an integer number of MiB ≥ 64 (got "${value}")`);
    if (n > ceiling)
      throw new InvalidArgumentError(
        `${name} ${n} is above ${ceiling} MiB, 3/4 of this Node's heap limit: V8 would stop the process first (raise the heap limit with NODE_OPTIONS=--max-old-space-size=<MiB>)`,
      );
    return n;
  };
}

/** Help of `--allow-dir`, the same on every command that loads a scenario. */
export const ALLOW_DIR_HELP =
  "also read files the scenario names (presets, calibration, traces) from this folder; by default only the scenario's folder and e2ctwin's models/, scenarios/ and calibration/ are allowed (repeatable)";

/** The load options of `--allow-dir` flags: extra roots, absolute. */
export function fileRoots(flags: { allowDir?: readonly string[] }): { extraRoots: string[] } {
  return { extraRoots: (flags.allowDir ?? []).map((d) => path.resolve(d)) };
}
