import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');
const load = (f: string, overrides: string[] = []) => loadScenarioOrThrow(path.join(root, f), { overrides });
const json = (x: unknown) => JSON.stringify(x);

describe('determinism', () => {
  it('the same scenario, overrides and seed give byte-identical metrics', () => {
    const s = load('scenarios/plantnet.yaml', ['run.duration=400', 'run.warmup=50', 'run.replications=2']);
    const a = simulate(s);
    const b = simulate(s);
    expect(json(a.result)).toBe(json(b.result));
    expect(json(a.spans)).toBe(json(b.spans));
  });

  it('reporting progress does not change the result', () => {
    const s = load('scenarios/iot-camera-fog-cloud.yaml', [
      'run.duration=30',
      'run.warmup=5',
      'run.replications=1',
      'edge.camera.quantity=100',
    ]);
    const seen: number[] = [];
    const withProgress = simulate(s, { onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(10);
    expect(json(withProgress.result)).toBe(json(simulate(s).result));
  });

  it('another seed gives other numbers', () => {
    const s = load('scenarios/validation/mm1.yaml', ['run.requests=20000', 'run.replications=1']);
    expect(simulate(s, { seed: 1 }).result.responseTime.mean).not.toBe(
      simulate(s, { seed: 2 }).result.responseTime.mean,
    );
  });

  it('replications differ from each other (independent streams)', () => {
    const s = load('scenarios/validation/mm1.yaml', ['run.requests=20000', 'run.replications=3']);
    const means = simulate(s).result.perReplication.map((r) => r.responseTime.mean);
    expect(new Set(means).size).toBe(3);
  });
});
