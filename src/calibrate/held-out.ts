import { z } from 'zod';
import { loadScenario, type FileRoots, type ScenarioIssue } from '../scenario/index.js';
import { YamlSource } from '../scenario/yaml-source.js';
import { zodIssuesToScenarioIssues } from '../scenario/zod-issues.js';
import { CalibrateErrorCode } from './errors.js';

/**
 * A held-out configurations file: the configurations a twin is validated on, each a named list of
 * `--set`-style overrides of one scenario. They must differ from the runs the twin was calibrated on
 * (validate-twin cannot know which those were; the file says so in its own words, `description`).
 *
 * ```yaml
 * description: five loads from light to saturation, pools the training runs did not use
 * configs:
 *   - name: u1
 *     set: [edge.users.workload.users=1]
 *   - { name: u12-x3, set: [edge.users.workload.users=12, cloud.engine.pools.extract=3] }
 * ```
 */
export const HeldOutSchema = z.strictObject({
  description: z
    .string()
    .optional()
    .describe('What the configurations are and how they differ from the training runs.'),
  configs: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][\w.-]*$/, 'use letters, digits, ".", "-" and "_" (it names a run folder)')
          .describe('Configuration name, unique; names its run folder.'),
        description: z.string().optional().describe('What this configuration is (informative).'),
        set: z
          .array(z.string().regex(/^[^=\s][^=]*=.+$/, 'write each override as path=value'))
          .default([])
          .describe('Overrides of the scenario, as `--set` takes them (e.g. edge.users.workload.users=4).'),
      }),
    )
    .min(1)
    .describe('The held-out configurations, in the order they run.'),
});
export type HeldOut = z.output<typeof HeldOutSchema>;
export type HeldOutConfig = HeldOut['configs'][number];

/** Error codes of held-out files (entries of the calibrate layer's table, errors.ts). */
export const HeldOutErrorCode = {
  INVALID: CalibrateErrorCode.HELD_OUT_INVALID,
  DUPLICATE: CalibrateErrorCode.HELD_OUT_DUPLICATE,
  CONFIG: CalibrateErrorCode.HELD_OUT_CONFIG,
} as const;

/** A located problem of a held-out file (or of a configuration applied to the scenario). */
export interface HeldOutIssue extends Omit<ScenarioIssue, 'code'> {
  code: string;
}

/** Thrown by {@link loadHeldOutOrThrow}: every problem at once, each with file, line, column and field path. */
export class HeldOutError extends Error {
  readonly code = HeldOutErrorCode.INVALID;
  constructor(readonly issues: HeldOutIssue[]) {
    super(`held-out configurations have ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
    this.name = 'HeldOutError';
  }
}

/**
 * Reads and checks a held-out file: its own shape (unknown keys with "did you mean", duplicate names),
 * then each configuration applied to the scenario (with `baseOverrides` first), so that a configuration
 * that does not make a valid scenario is reported before anything runs, located at its line.
 */
export function loadHeldOut(
  file: string,
  scenarioFile: string,
  baseOverrides: readonly string[] = [],
  options: { text?: string; roots?: FileRoots } = {},
): { ok: true; heldOut: HeldOut } | { ok: false; issues: HeldOutIssue[] } {
  const src = options.text !== undefined ? YamlSource.fromText(options.text, file) : YamlSource.read(file);
  if (!(src instanceof YamlSource))
    return {
      ok: false,
      issues: [
        { ...src, code: HeldOutErrorCode.INVALID, message: `held-out configurations: ${src.message}` },
      ],
    };
  const syntax = src.syntaxIssues();
  if (syntax.length > 0) return { ok: false, issues: syntax };
  const raw = src.toJS();
  const parsed = HeldOutSchema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, issues: zodIssuesToScenarioIssues(parsed.error.issues, HeldOutSchema, raw, src) };
  const issues: HeldOutIssue[] = [];
  const seen = new Map<string, number>();
  parsed.data.configs.forEach((c, i) => {
    const first = seen.get(c.name);
    if (first !== undefined)
      issues.push(
        src.issue(
          HeldOutErrorCode.DUPLICATE as never,
          ['configs', i, 'name'],
          `configuration "${c.name}" is already defined at configs[${first}]`,
        ),
      );
    else seen.set(c.name, i);
    const r = loadScenario(scenarioFile, { overrides: [...baseOverrides, ...c.set], ...options.roots });
    if (r.ok) return;
    for (const issue of r.issues) {
      // An override's problem points at the override's line in this file; a problem of the scenario
      // itself keeps its own location, named by the configuration that produced it.
      // (The loader names the override in the message, "(from --set path=value)", or in the path.)
      const j =
        issue.file === '--set'
          ? c.set.findIndex(
              (s) => issue.message.includes(`--set ${s})`) || s.split('=')[0]!.trim() === issue.path,
            )
          : -1;
      if (issue.file === '--set' && j >= 0) {
        issues.push({
          ...src.issue(
            HeldOutErrorCode.CONFIG as never,
            ['configs', i, 'set', j],
            `configuration "${c.name}": ${issue.message}`,
            issue.hint,
          ),
          code: HeldOutErrorCode.CONFIG,
        });
      } else {
        issues.push({ ...issue, code: issue.code, message: `configuration "${c.name}": ${issue.message}` });
      }
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, heldOut: parsed.data };
}

/** Like {@link loadHeldOut} but throws a {@link HeldOutError} carrying every issue. */
export function loadHeldOutOrThrow(
  file: string,
  scenarioFile: string,
  baseOverrides: readonly string[] = [],
  roots: FileRoots = {},
): HeldOut {
  const r = loadHeldOut(file, scenarioFile, baseOverrides, { roots });
  if (!r.ok) throw new HeldOutError(r.issues);
  return r.heldOut;
}
