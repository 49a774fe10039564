import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../src/model/index.js';
import { multiplier, withSteps } from '../../src/model/profile.js';
import { NO_SHORTCUTS, planShortcuts, sleepsIdleUsers } from '../../src/model/shortcuts.js';
import { loadScenario, type ResolvedScenario } from '../../src/scenario/index.js';
import { closedStation } from './closed-station.js';

// The idle-users shortcut (src/model/shortcuts.ts): closed-loop users beyond the active population sleep
// until the population may change instead of looking again every think time. Exact in distribution only
// (the think-time stream is drawn less often), so the two paths are compared with confidence intervals,
// on a run where the wake-up delay matters: the population switches between 1 and 0.25 every 20 s while
// users think 9 s on average, so a user woken at the change itself (not a think time after it) would
// send a quarter more requests.
const here = path.join(import.meta.dirname, 'idle-users.yaml');

function scenario(think: string, overrides: string[] = []): ResolvedScenario {
  const loads: [number, number][] = [];
  for (let t = 20; t < 4000; t += 20) loads.push([t, (t / 20) % 2 === 1 ? 0.25 : 1]);
  const text = closedStation({
    name: 'idle-users',
    seed: 5,
    run: '{ duration: 4000, warmup: 100, replications: 20, spanSample: 0 }',
    quantity: 10,
    users: 4,
    think,
    demand: '{ dist: exponential, mean: 1 }',
    loads,
  });
  const r = loadScenario(here, { text, overrides });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.scenario;
}
const EXPONENTIAL = '{ dist: exponential, mean: 9 }';

describe('idle-users: when it applies', () => {
  it('a population is stepwise with no profile, with or without load steps; not with a varying profile', () => {
    expect(multiplier(undefined, 100).nextChange!(5)).toBe(Infinity);
    const stepped = withSteps(multiplier(undefined, 100), [
      [10, 2],
      [30, 0.5],
    ]);
    expect([0, 9.9, 10, 29, 30, 1e6].map((t) => stepped.nextChange!(t))).toEqual([
      10,
      10,
      30,
      30,
      Infinity,
      Infinity,
    ]);
    const ramp = multiplier({ kind: 'ramp', from: 1, to: 2, start: 0, end: 50 }, 100);
    expect(ramp.nextChange).toBeUndefined();
    expect(withSteps(ramp, [[10, 2]]).nextChange).toBeUndefined();
  });

  it('needs an exponential think time and the shortcut on', () => {
    const plan = planShortcuts(scenario(EXPONENTIAL));
    expect(sleepsIdleUsers(plan, { exponentialThink: true, populationStepwise: true })).toBe(true);
    expect(sleepsIdleUsers(plan, { exponentialThink: false, populationStepwise: true })).toBe(false);
    expect(sleepsIdleUsers(plan, { exponentialThink: true, populationStepwise: false })).toBe(false);
    expect(sleepsIdleUsers(NO_SHORTCUTS, { exponentialThink: true, populationStepwise: true })).toBe(false);
    expect(planShortcuts(scenario(EXPONENTIAL), ['idle-users']).idleUsers).toBe(false);
  });
});

function overlap(fast: SimulationResult, plain: SimulationResult, key: string): void {
  const a = fast.ci95[key]!;
  const b = plain.ci95[key]!;
  expect(a.halfWidth, key).toBeGreaterThan(0);
  expect(a.lo! <= b.hi! && b.lo! <= a.hi!, `${key}: [${a.lo}, ${a.hi}] vs [${b.lo}, ${b.hi}]`).toBe(true);
}

describe('idle-users: the same system with fewer events', () => {
  it('sleeping and looking every think time give the same throughput and response time (95 % CIs)', () => {
    const s = scenario(EXPONENTIAL);
    const fast = simulate(s).result;
    const plain = simulate(s, { shortcutsOff: ['idle-users'] }).result;
    // A user woken at the change itself rather than a think time after it gives 3.10 req/s against the
    // looking path's 2.50 (tried): far outside these intervals (±0.01 req/s).
    for (const key of ['throughput', 'completed', 'responseTime.mean']) overlap(fast, plain, key);
    console.log(
      `idle users: ${fast.throughput.toFixed(3)} req/s sleeping, ${plain.throughput.toFixed(3)} looking; ${(plain.events - fast.events).toFixed(0)} events fewer`,
    );
    // 30 of the 40 users are idle in 99 phases of 20 s; looking every 9 s, each finds itself idle at its
    // next send after the change and then looks about once more before the phase ends: roughly 30 × 99
    // × 1.3 ≈ 4,000 looks a replication (measured 3,981) that a sleeping user does not make.
    expect(plain.events - fast.events).toBeGreaterThan(2000);
  });

  it('leaves a non-exponential think time on the looking path: results identical with and without', () => {
    const s = scenario('{ dist: uniform, min: 4, max: 14 }');
    const on = simulate(s).result;
    const off = simulate(s, { shortcutsOff: ['idle-users'] }).result;
    expect(JSON.stringify(on)).toBe(JSON.stringify(off));
  });
});
