import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulationResult } from '../model/index.js';
import { replaceFolder } from '../run-folder/index.js';
import type { ResolvedScenario } from '../scenario/index.js';
import { toChromeTrace, traceToJsonl, type SpanRecord } from '../trace/index.js';
import { pkg } from './version.js';

/** The commit of the e2ctwin checkout that ran, when it is a git checkout. */
export function gitCommit(): string | undefined {
  try {
    const dir = fileURLToPath(new URL('../..', import.meta.url));
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Stable JSON for metrics files: NaN and infinities are written as null. */
export function metricsJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/**
 * Writes a run folder: what ran (resolved scenario, seed, overrides, version, commit), what it measured
 * (metrics.json), and a bounded sample of request spans in the project's trace format plus their
 * Chrome trace export (opens in Perfetto), plus `extra` files (name, text) of the caller. The folder is
 * replaced whole (written beside it, then renamed into place): a previous run's files never remain
 * beside the new ones, and a failed write leaves the previous folder as it was.
 */
export function writeRunFolder(dir: string, run: { scenario: ResolvedScenario; overrides: readonly string[]; result: SimulationResult; spans: readonly SpanRecord[]; sampledRequests: number; wallSeconds: number }, extra: readonly (readonly [string, string])[] = []): string[] {
  const files: (readonly [string, string])[] = [
    ['scenario.resolved.json', metricsJson(run.scenario)],
    ['run.json', metricsJson({
      kind: 'simulation',
      scenario: run.scenario.name,
      scenarioFile: run.scenario.source.file,
      overrides: run.overrides,
      seed: run.result.seed,
      replications: run.result.replications,
      e2ctwinVersion: pkg.version,
      gitCommit: gitCommit() ?? null,
      node: process.version,
      finishedAt: new Date().toISOString(),
      wallSeconds: run.wallSeconds,
    })],
    ['metrics.json', metricsJson(run.result)],
    ['trace.jsonl', traceToJsonl({ format: 'e2ctwin-trace', version: 1, source: 'simulation', scenario: run.scenario.name, seed: run.result.seed, replication: 0, sampledRequests: run.sampledRequests }, run.spans)],
    ['chrome-trace.json', `${JSON.stringify(toChromeTrace(run.spans))}\n`],
    ...extra,
  ];
  replaceFolder(dir, (tmp) => {
    for (const [name, text] of files) writeFileSync(path.join(tmp, name), text);
  });
  return files.map(([name]) => path.join(dir, name));
}
