import type { ResolvedScenario } from '../../scenario/index.js';

/** A calibration parameter: a numeric scenario field with its prior range (uniform, on a log scale if asked). */
export interface Prior {
  path: string;
  min: number;
  max: number;
  log: boolean;
}

/** The priors of a scenario's `calibrate.params`, in file order. */
export function priorsOf(scenario: ResolvedScenario): Prior[] {
  return Object.entries(scenario.calibrate?.params ?? {}).map(([path, r]) => ({
    path,
    min: r.min,
    max: r.max,
    log: r.log,
  }));
}

/** The parameter's value at u ∈ [0, 1] of its prior range (geometric interpolation on a log scale). */
export function fromUnit(p: Prior, u: number): number {
  const t = Math.min(1, Math.max(0, u));
  return p.log
    ? Math.exp(Math.log(p.min) + t * (Math.log(p.max) - Math.log(p.min)))
    : p.min + t * (p.max - p.min);
}

/** Where a value lies in the prior range, as a fraction (the inverse of {@link fromUnit}). */
export function toUnit(p: Prior, v: number): number {
  return p.log
    ? (Math.log(v) - Math.log(p.min)) / (Math.log(p.max) - Math.log(p.min))
    : (v - p.min) / (p.max - p.min);
}

/** Values are written with 6 significant digits: the overrides, the output file and the tables agree. */
export const round6 = (x: number): number => Number(x.toPrecision(6));

/** A parameter vector in the unit cube as `path=value` overrides. */
export function vectorOverrides(priors: readonly Prior[], u: readonly number[]): string[] {
  return priors.map((p, i) => `${p.path}=${round6(fromUnit(p, u[i]!))}`);
}

/** A parameter vector in the unit cube as {path: value}. */
export function vectorValues(priors: readonly Prior[], u: readonly number[]): Record<string, number> {
  return Object.fromEntries(priors.map((p, i) => [p.path, round6(fromUnit(p, u[i]!))]));
}
