import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fitFactors,
  scaleDist,
  stageMeans,
  withCalibration,
  withFactors,
  type TrainingRun,
} from '../../src/calibrate/index.js';
import { simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import { repoRoot } from '../support/cli.js';

const file = path.join(repoRoot, 'scenarios/local-testbed.yaml');
const stage = (s: ReturnType<typeof loadScenarioOrThrow>, name: string) =>
  s.services.find((x) => x.id === 'cloud.engine')!.app!.stages.find((st) => st.name === name)!;

describe('factor fit (calibrate --fit-factors)', () => {
  it("scaleDist() scales a law's mean and keeps its shape", () => {
    expect(scaleDist(2, 1.5)).toBe(3);
    expect(scaleDist({ dist: 'lognormal', mean: 0.1, cv: 0.5 }, 2)).toEqual({
      dist: 'lognormal',
      mean: 0.2,
      cv: 0.5,
    });
    expect(scaleDist({ dist: 'uniform', min: 1, max: 3 }, 2)).toEqual({ dist: 'uniform', min: 2, max: 6 });
  });

  it('withCalibration() and withFactors() change the stages as the loader and the fit do, without touching the original', () => {
    const s = loadScenarioOrThrow(file);
    const cal = withCalibration(s, {
      provenance: {},
      services: { 'cloud.engine': { stages: { simsearch: { demand: { dist: 'exponential', mean: 0.3 } } } } },
    });
    expect(stage(cal, 'simsearch').demand).toEqual({ dist: 'exponential', mean: 0.3 });
    const f = withFactors(cal, { network: 2, compute: 0.5 });
    expect(stage(f, 'simsearch').demand).toEqual({ dist: 'exponential', mean: 0.15 });
    expect((stage(f, 'download').sizeBytes as { mean: number }).mean).toBe(700_000);
    expect(f.layers.find((l) => l.name === 'cloud')!.services[0]).toBe(
      f.services.find((x) => x.id === 'cloud.engine'),
    );
    expect((stage(s, 'simsearch').demand as { mean: number }).mean).toBe(0.05);
  });

  it('recovers the factors that made the "measured" runs: network sizes × 1.5 and compute × 0.8, from the nominal twin', () => {
    // The truth: the scenario with both factors applied, simulated at two loads with another seed.
    const runs: TrainingRun[] = ['edge.users.workload.users=3', 'edge.users.workload.users=9'].map((set) => {
      const s = loadScenarioOrThrow(file, {
        overrides: [set, 'run.duration=400', 'run.warmup=50', 'run.spanSample=50000'],
      });
      const truth = withFactors(s, { network: 1.5, compute: 0.8 });
      const { result, spans } = simulate(truth, { replications: 2, seed: 99 });
      return {
        name: set,
        scenario: s,
        measured: {
          mean: result.responseTime.mean,
          p95: result.responseTime.p95,
          throughput: result.throughput,
          stages: stageMeans(spans),
        },
      };
    });
    const fit = fitFactors(runs, { provenance: {}, services: {} }, { replications: 2, maxEvaluations: 50 });
    expect(fit.factors.network).toBeGreaterThan(1.4);
    expect(fit.factors.network).toBeLessThan(1.6);
    expect(fit.factors.compute).toBeGreaterThan(0.72);
    expect(fit.factors.compute).toBeLessThan(0.88);
    expect(fit.runs).toHaveLength(2);
    expect(
      Math.abs(fit.runs[1]!.simulated.mean - fit.runs[1]!.measured.mean) / fit.runs[1]!.measured.mean,
    ).toBeLessThan(0.05);
  });
});
