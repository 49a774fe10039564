import { readdirSync } from 'node:fs';
import path from 'node:path';
import { simulate, type SimulationResult } from '../../src/model/index.js';
import { loadScenarioOrThrow, readTraces } from '../../src/scenario/index.js';

export const root = path.join(import.meta.dirname, '../..');

/** A short run of a shipped scenario: its file (repo-relative) and the overrides that shorten it. */
export interface ShortRun {
  /** Unique name (the golden file's name). */
  name: string;
  file: string;
  overrides: string[];
}

const validation = readdirSync(path.join(root, 'scenarios/validation'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/**
 * Every shipped scenario (scenarios/*.yaml, scenarios/validation/*.yaml), shortened so that the golden and
 * equivalence tests together stay within about a minute on a busy 2-core machine. Replications are set by
 * the tests that need them (≥ 10 for a comparison of confidence intervals).
 */
export const SHORT_RUNS: readonly ShortRun[] = [
  { name: 'plantnet', file: 'scenarios/plantnet.yaml', overrides: ['run.duration=400', 'run.warmup=60'] },
  // Long enough to climb towards the spring peak's users (and their abandonments) without its 6 hours.
  {
    name: 'plantnet-spring-peak',
    file: 'scenarios/plantnet-spring-peak.yaml',
    overrides: ['run.duration=900', 'run.warmup=60'],
  },
  // The autoscaled spring peak, compressed: the peak and the engine failure at 15 min, over 25 min.
  {
    name: 'plantnet-spring-peak-autoscale',
    file: 'scenarios/plantnet-spring-peak-autoscale.yaml',
    overrides: [
      'run.duration=1500',
      'run.warmup=60',
      'events.0.at=900',
      'edge.users.workload.population.peakAt=900',
      'edge.users.workload.population.widthS=300',
    ],
  },
  { name: 'local-testbed', file: 'scenarios/local-testbed.yaml', overrides: [] },
  // Third-party nginx: its TCP options (framing, slow start on new connections, keepAliveS) on.
  { name: 'nginx-static', file: 'scenarios/nginx-static.yaml', overrides: [] },
  { name: 'image-service', file: 'scenarios/image-service.yaml', overrides: [] },
  {
    name: 'iot-camera-fog-cloud',
    file: 'scenarios/iot-camera-fog-cloud.yaml',
    overrides: ['run.duration=40', 'run.warmup=7', 'edge.camera.quantity=200', 'fog.gateway.quantity=4'],
  },
  ...validation.map((f) => ({
    name: `validation-${f.replace(/\.yaml$/, '')}`,
    file: `scenarios/validation/${f}`,
    overrides: ['run.requests=20000', 'run.warmup=50'],
  })),
];

/** The scenario files the table must cover: every shipped one. */
export function shippedScenarioFiles(): string[] {
  const top = readdirSync(path.join(root, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `scenarios/${f}`);
  return [...top, ...validation.map((f) => `scenarios/validation/${f}`)].sort();
}

/** Simulates `file` with `overrides` (in-process, as `e2ctwin simulate` does). */
export function runScenario(file: string, overrides: readonly string[]): SimulationResult {
  const scenario = loadScenarioOrThrow(path.join(root, file), { overrides: [...overrides] });
  return simulate(scenario, { traces: readTraces(scenario) }).result;
}

/** What `e2ctwin simulate --json` prints for a result (the per-replication metrics left out). */
export function cliJson(result: SimulationResult): string {
  const { perReplication: _omit, ...rest } = result;
  return `${JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
