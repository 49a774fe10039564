import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedScenario } from './resolved.js';

/**
 * Reads the arrival times of the scenario's trace workloads (CSV with a header row), sorted and scaled,
 * by service id. The simulator receives plain numbers; only this layer reads files.
 * @throws Error `E2C_ERR_SCENARIO_TRACE` naming the file and line of a bad row
 */
export function readTraces(scenario: ResolvedScenario): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const s of scenario.services) {
    const w = s.workload;
    if (w?.kind !== 'trace') continue;
    const file = path.resolve(scenario.source.dir, w.file);
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    const header = (lines[0] ?? '').split(',').map((h) => h.trim());
    const col = header.indexOf(w.column);
    if (col < 0) throw Object.assign(new Error(`${w.file}: no column "${w.column}" in the header (${header.join(', ')})`), { code: 'E2C_ERR_SCENARIO_TRACE' });
    const times: number[] = [];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      const t = Number(line.split(',')[col]);
      if (!Number.isFinite(t) || t < 0) throw Object.assign(new Error(`${w.file}:${i + 1}: "${line}" has no valid time ≥ 0 in column ${w.column}`), { code: 'E2C_ERR_SCENARIO_TRACE' });
      times.push(t * w.timeScale);
    }
    out.set(s.id, Float64Array.from(times).sort());
  }
  return out;
}
