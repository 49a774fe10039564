import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow, readTraces } from '../../src/scenario/index.js';
import { root, SHORT_RUNS, type ShortRun } from './shipped-runs.js';

// The shortcuts that change no number (src/model/shortcuts.ts): lazy-pop (the event queue's heap) and
// stall-odds (remembered loss odds). Every result must be byte-identical with and without each, on every
// shipped scenario and on a lossy Pl@ntNet run (where stall odds are drawn against on every WAN transfer).
const lossy: ShortRun = {
  name: 'plantnet lossy',
  file: 'scenarios/plantnet.yaml',
  overrides: ['run.duration=300', 'run.warmup=30', 'network.0.lossPercent=1'],
};

describe('lazy-pop and stall-odds: results byte-identical with and without', () => {
  for (const run of [...SHORT_RUNS, lossy]) {
    it(run.name, () => {
      const scenario = loadScenarioOrThrow(path.join(root, run.file), {
        overrides: [...run.overrides, 'run.replications=2'],
      });
      const traces = readTraces(scenario);
      const result = JSON.stringify(simulate(scenario, { traces }).result);
      for (const off of ['lazy-pop', 'stall-odds'] as const)
        expect(JSON.stringify(simulate(scenario, { traces, shortcutsOff: [off] }).result), off).toBe(result);
    });
  }
});
