import { z } from 'zod';
import { Document, isMap, isSeq } from 'yaml';
import type { ScenarioIssue } from '../../scenario/index.js';
import { YamlSource } from '../../scenario/yaml-source.js';
import { zodIssuesToScenarioIssues } from '../../scenario/zod-issues.js';

/**
 * A calibration with uncertainty (`e2ctwin calibrate-twin -o <file>`): the plausible parameter vectors
 * (posterior samples) with what they were fitted to, how, and how well. Other verbs read it with
 * `--calibration-set <file>` and predict with intervals over its samples.
 */
export const CalibrationSetSchema = z.looseObject({
  kind: z.literal('calibration-set').describe('Marks the file as a calibration with uncertainty.'),
  description: z.string().optional(),
  scenario: z.string().describe('The scenario calibrated (path relative to this file, informative).'),
  method: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('How the set was obtained (method, cut-off, waves, replications, seed, budget).'),
  priors: z
    .record(z.string(), z.strictObject({ min: z.number(), max: z.number(), log: z.boolean().default(false) }))
    .describe('The calibrated fields with their prior ranges.'),
  samples: z
    .array(z.record(z.string(), z.number()))
    .min(1)
    .describe('The plausible parameter vectors, each {field path: value}, equally weighted.'),
  measurements: z
    .array(z.unknown())
    .default([])
    .describe('The measurements fitted (name, overrides, metrics with 95 % half-widths).'),
  noise: z
    .record(z.string(), z.number())
    .default({})
    .describe(
      'Relative standard deviation of a new measurement of each metric (median of the measured ones), and of the simulator over the replications.',
    ),
  identification: z.unknown().optional(),
  fit: z.unknown().optional(),
  provenance: z.record(z.string(), z.unknown()).default({}),
});
export type CalibrationSet = z.output<typeof CalibrationSetSchema>;

export const CalibrationSetErrorCode = { INVALID: 'E2C_ERR_CALIBRATE_SET_INVALID' } as const;

/** Thrown by {@link loadCalibrationSetOrThrow}: every located problem of the file. */
export class CalibrationSetError extends Error {
  readonly code = CalibrationSetErrorCode.INVALID;
  constructor(readonly issues: ScenarioIssue[]) {
    super(`calibration set has ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
    this.name = 'CalibrationSetError';
  }
}

export function loadCalibrationSet(
  file: string,
): { ok: true; set: CalibrationSet } | { ok: false; issues: ScenarioIssue[] } {
  const src = YamlSource.read(file);
  if (!(src instanceof YamlSource)) return { ok: false, issues: [src] };
  const syntax = src.syntaxIssues();
  if (syntax.length > 0) return { ok: false, issues: syntax };
  const parsed = CalibrationSetSchema.safeParse(src.toJS());
  if (!parsed.success)
    return {
      ok: false,
      issues: zodIssuesToScenarioIssues(parsed.error.issues, CalibrationSetSchema, src.toJS(), src),
    };
  const issues: ScenarioIssue[] = [];
  const keys = Object.keys(parsed.data.priors);
  parsed.data.samples.forEach((s, i) => {
    const missing = keys.filter((k) => !(k in s));
    if (missing.length > 0)
      issues.push(
        src.issue(
          'E2C_ERR_SCENARIO_INVALID_VALUE',
          ['samples', i],
          `sample ${i} has no value for ${missing.join(', ')}`,
        ),
      );
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, set: parsed.data };
}

export function loadCalibrationSetOrThrow(file: string): CalibrationSet {
  const r = loadCalibrationSet(file);
  if (!r.ok) throw new CalibrationSetError(r.issues);
  return r.set;
}

/** The set's samples as `path=value` overrides, one list per sample. */
export function sampleOverrides(set: CalibrationSet): string[][] {
  return set.samples.map((s) => Object.keys(set.priors).map((k) => `${k}=${s[k]}`));
}

/**
 * The set's point as `path=value` overrides: each parameter's median over the plausible vectors (a
 * twin to score when the calibration is only this set: `validate-twin --calibration-set` alone).
 */
export function medianOverrides(set: CalibrationSet): string[] {
  return Object.keys(set.priors).map((k) => {
    const v = set.samples.map((s) => s[k]!).sort((a, b) => a - b);
    const n = v.length;
    const median = n % 2 === 1 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
    return `${k}=${Number(median.toPrecision(6))}`;
  });
}

/**
 * Per metric, the relative standard deviation of a measurement around the twin's value that the
 * calibration assumed when it judged vectors plausible: the measurement's noise (`noise.measurement.<metric>`,
 * the median relative standard error of the measured values) and the model's discrepancy
 * (`method.discrepancy`), combined in quadrature. Metrics with no measurement noise in the set are absent.
 */
export function measurementRelSd(set: CalibrationSet): Record<string, number> {
  const disc = typeof set.method.discrepancy === 'number' ? set.method.discrepancy : 0;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(set.noise))
    if (k.startsWith('measurement.') && Number.isFinite(v))
      out[k.slice('measurement.'.length)] = Math.hypot(v, disc);
  return out;
}

/** YAML text of a calibration set, with a header comment. */
export function calibrationSetYaml(set: CalibrationSet, header: string): string {
  const doc = new Document(set);
  // One line per sample and per measurement's metrics: the file stays readable with a hundred samples.
  const samples = doc.get('samples');
  if (isSeq(samples)) for (const item of samples.items) if (isMap(item)) item.flow = true;
  return `${header
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n')}\n${doc.toString({ lineWidth: 0, flowCollectionPadding: false })}`;
}
