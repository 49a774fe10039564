/**
 * Stable JSON for the files of run, study and validation folders (and `--json` output): two-space
 * indented, a final newline, NaN and infinities written as null (JSON has no such numbers; a reader sees
 * "no estimate").
 */
export function metricsJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
