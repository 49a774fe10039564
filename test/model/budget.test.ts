import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Env } from '../../src/kernel/index.js';
import { BudgetExceededError, CHECK_EVERY, simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');
const load = (f: string, overrides: string[] = []) => loadScenarioOrThrow(path.join(root, f), { overrides });
const json = (x: unknown) => JSON.stringify(x);

describe('simulation budgets', () => {
  it('env.run({ maxEvents }) pauses after that many events and goes on where it paused', () => {
    const env = new Env();
    const seen: number[] = [];
    for (let i = 1; i <= 10; i++) env.schedule(i, (t) => seen.push(t as number), i);
    expect(env.run({ until: 100, maxEvents: 4 })).toBe(false);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(env.now).toBe(4);
    expect(env.run({ until: 100 })).toBe(true);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(env.now).toBe(100);
  });

  it('a budget that is not reached changes nothing: byte-identical results (slices of the run are invisible)', () => {
    // 120 s: about 4 × CHECK_EVERY events per replication, each replication paused and resumed 4 times
    // (300 s gave 10, for four times the CPU; the check needs only more than one).
    const s = load('scenarios/iot-camera-fog-cloud.yaml', [
      'run.duration=120',
      'run.warmup=5',
      'run.replications=2',
    ]);
    const free = simulate(s);
    const bounded = simulate(s, { maxEvents: 1e12, maxMemoryMiB: 1e6 });
    // result.events is the mean over the replications: on average paused and resumed more than twice each.
    expect(free.result.events).toBeGreaterThan(2 * CHECK_EVERY);
    expect(json(bounded.result)).toBe(json(free.result));
    expect(json(bounded.spans)).toBe(json(free.spans));
  });

  it('maxEvents stops the run exactly there, saying how far it got', () => {
    const s = load('scenarios/validation/mm1.yaml', ['run.requests=1000000', 'run.replications=3']);
    let err: unknown;
    try {
      simulate(s, { maxEvents: 150_000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BudgetExceededError);
    const stop = (err as BudgetExceededError).stop;
    expect(stop).toMatchObject({
      budget: 'events',
      limit: 150_000,
      used: 150_000,
      events: 150_000,
      replication: 0,
      replications: 3,
      phase: 'run',
    });
    expect(stop.simulatedTime).toBeGreaterThan(0);
    expect(stop.completed).toBeGreaterThan(0);
    expect((err as BudgetExceededError).code).toBe('E2C_ERR_MODEL_BUDGET_EXCEEDED');
    expect((err as Error).message).toMatch(
      /event budget of 150,000 events at simulated time [\d.]+ s in replication 1 of 3/,
    );
  });

  it('the events budget counts over all replications', () => {
    const s = load('scenarios/validation/mm1.yaml', ['run.requests=20000', 'run.replications=5']);
    const one = simulate(s, { replications: 1 }).result.events;
    let err: unknown;
    try {
      simulate(s, { maxEvents: Math.floor(one * 2.5) });
    } catch (e) {
      err = e;
    }
    expect((err as BudgetExceededError).stop.replication).toBe(2);
  });

  it('maxMemoryMiB stops a run whose process is over it (here: any process, 1 MiB)', () => {
    const s = load('scenarios/iot-camera-fog-cloud.yaml', [
      'run.duration=600',
      'edge.camera.quantity=5000',
      'fog.gateway.quantity=50',
    ]);
    let err: unknown;
    try {
      simulate(s, { maxMemoryMiB: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as BudgetExceededError).stop).toMatchObject({ budget: 'memory', limit: 1, phase: 'setup' });
    expect((err as BudgetExceededError).stop.used).toBeGreaterThan(1);
  });
});
