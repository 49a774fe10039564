import { InvalidArgumentError } from 'commander';
import { parse } from 'yaml';
import { RunSchema } from '../scenario/index.js';

/** The run fields that change the model only, never what a live run deploys or measures. */
const MODEL_SWITCHES = ['shortcuts', 'tcpFraming', 'tcpEfficiency', 'tcpSlowStart'] as const;

/**
 * `run.<switch>=<value>` overrides of the twin's model (calibrate --twin-set), applied to the scenarios
 * recorded in run folders — resolved data, where the loader's overrides no longer apply. Each value is
 * read as YAML and checked by the scenario's own RunSchema.
 * @throws InvalidArgumentError for another field or a value the schema refuses (exit 2)
 */
export function runSwitches(list: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : item;
    const field = key.startsWith('run.') ? key.slice(4) : '';
    if (eq < 0 || !(MODEL_SWITCHES as readonly string[]).includes(field))
      throw new InvalidArgumentError(
        `--twin-set ${item}: give run.<field>=<value> with one of ${MODEL_SWITCHES.map((f) => `run.${f}`).join(', ')} (model switches; the run folders fix everything else)`,
      );
    const value: unknown = parse(item.slice(eq + 1));
    const checked = RunSchema.safeParse({ duration: 1, [field]: value });
    if (!checked.success)
      throw new InvalidArgumentError(
        `--twin-set ${item}: ${checked.error.issues[0]!.message} for run.${field} (${RunSchema.shape[field as (typeof MODEL_SWITCHES)[number]].description?.split('. ')[0]}; docs/scenario-format.md)`,
      );
    out[field] = value;
  }
  return out;
}
