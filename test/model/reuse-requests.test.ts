import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, Simulation } from '../../src/model/index.js';
import { loadScenarioOrThrow, readTraces } from '../../src/scenario/index.js';
import { root, SHORT_RUNS, type ShortRun } from './shipped-runs.js';

// The reuse-requests shortcut (src/model/request-pool.ts) changes which object a request lives in, nothing
// else: every result must be byte-identical with and without it, on every shipped scenario and on runs made
// to take the paths where a request ends while something may still hold it (refused items whose siblings
// still run, failures and retries, abandonments, batches forwarded to instances that stop).

const extra: ShortRun[] = [
  // Gateways refuse frames (a short queue) and forward batches: refusals, batches, settled answers.
  {
    name: 'iot refusing',
    file: 'scenarios/iot-camera-fog-cloud.yaml',
    overrides: [
      'run.duration=40',
      'run.warmup=7',
      'edge.camera.quantity=400',
      'fog.gateway.quantity=2',
      'fog.gateway.pools={workers: {size: 8, queueLimit: 5}}',
    ],
  },
  // Images (per-item tasks) refused by a short extract queue while their siblings still run.
  {
    name: 'plantnet refusing items',
    file: 'scenarios/plantnet.yaml',
    overrides: ['run.duration=300', 'run.warmup=30', 'cloud.engine.pools.extract={size: 7, queueLimit: 2}'],
  },
  // The engine's failure with retries: failed requests are retried (they must not be reused), users give up.
  {
    name: 'spring peak autoscaled, retrying',
    file: 'scenarios/plantnet-spring-peak-autoscale.yaml',
    overrides: [
      ...SHORT_RUNS.find((r) => r.name === 'plantnet-spring-peak-autoscale')!.overrides,
      'edge.users.workload.retry={attempts: 2, backoffS: 0.5}',
    ],
  },
];

function load(run: ShortRun) {
  return loadScenarioOrThrow(path.join(root, run.file), {
    overrides: [...run.overrides, 'run.replications=2'],
  });
}

describe('reuse-requests: results byte-identical with and without reused request objects', () => {
  for (const run of [...SHORT_RUNS, ...extra]) {
    it(run.name, () => {
      const scenario = load(run);
      const traces = readTraces(scenario);
      const result = simulate(scenario, { traces }).result;
      const fresh = simulate(scenario, { traces, shortcutsOff: ['reuse-requests'] }).result;
      expect(JSON.stringify(result)).toBe(JSON.stringify(fresh));
      // The runs made for a path take it.
      if (run.name.includes('refusing')) expect(result.rejected).toBeGreaterThan(0);
      if (run.name.includes('retrying')) expect(result.dynamics?.retries).toBeGreaterThan(0);
    });
  }

  it('reuses objects where the condition holds, and none when switched off', () => {
    const scenario = load(extra[0]!);
    const on = new Simulation(scenario, { seed: 1, replication: 0, spanSample: 0 });
    on.run();
    const off = new Simulation(scenario, {
      seed: 1,
      replication: 0,
      spanSample: 0,
      shortcutsOff: ['reuse-requests'],
    });
    off.run();
    expect(on.requestsReused).toBeGreaterThan(0.9 * on.collector.completed);
    expect(off.requestsReused).toBe(0);
    // The gateways' answered batches are kept to be filled again, emptied of their tasks; none when off.
    const spare = (sim: Simulation) => sim.spareBatches.flat();
    expect(spare(on).length).toBeGreaterThan(0);
    expect(spare(on).every((batch) => batch.length === 5 && batch.every((t) => t === null))).toBe(true);
    expect(spare(off)).toEqual([]);
  });
});
