import { fromUnit, type Prior } from './priors.js';
import { quantile } from './stats.js';

/** How well the measurements pin a parameter down. */
export type Verdict =
  | 'identified'
  | 'weakly identified'
  | 'not identified by these data'
  | 'undetermined: too few plausible vectors';

/**
 * Thresholds of the verdict, on the ratio of the plausible set's 5–95 % range to the prior's, both
 * measured in the prior's scale (log where the prior is log-uniform): below 0.5 the data halved the
 * range at least ("identified"); from 0.8 up they barely narrowed it ("not identified by these data").
 */
export const IDENTIFIED_BELOW = 0.5;
export const NOT_IDENTIFIED_FROM = 0.8;
/** Below this many plausible vectors their range says nothing reliable: no verdict. */
export const MIN_VECTORS_FOR_VERDICT = 10;

export interface Identification {
  path: string;
  prior: { min: number; max: number; log: boolean };
  /** The plausible set's 5 %, 50 % and 95 % quantiles, in the parameter's unit. */
  posterior: { q05: number; median: number; q95: number };
  /** (q95 − q05) of the plausible set over (q95 − q05) of the prior, in the prior's scale. */
  ratio: number;
  verdict: Verdict;
}

export function verdictOf(ratio: number): Verdict {
  return ratio < IDENTIFIED_BELOW
    ? 'identified'
    : ratio < NOT_IDENTIFIED_FROM
      ? 'weakly identified'
      : 'not identified by these data';
}

/** The identification of each parameter from the plausible set's unit-cube coordinates. */
export function identify(priors: readonly Prior[], unitSamples: readonly number[][]): Identification[] {
  return priors.map((p, k) => {
    const us = unitSamples.map((u) => u[k]!);
    const q05 = quantile(us, 0.05);
    const q95 = quantile(us, 0.95);
    const ratio = (q95 - q05) / 0.9;
    const verdict =
      unitSamples.length < MIN_VECTORS_FOR_VERDICT
        ? 'undetermined: too few plausible vectors'
        : verdictOf(ratio);
    return {
      path: p.path,
      prior: { min: p.min, max: p.max, log: p.log },
      posterior: { q05: fromUnit(p, q05), median: fromUnit(p, quantile(us, 0.5)), q95: fromUnit(p, q95) },
      ratio,
      verdict,
    };
  });
}
