import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/model/index.js';
import { lockHeldChance } from '../../src/model/interpreter-lock.js';
import { loadScenario, type ResolvedScenario } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');

/**
 * A service of `processes` worker processes with `threads` request threads in all, sharing one interpreter
 * lock per process (app interpreterLock): a request runs Python for 1 s holding its process's lock (`py`),
 * then waits 0.1 s on I/O (`io`), taking the lock back `takeBacks` times. No network; arrivals from a trace.
 */
interface Options {
  processes: number;
  threads: number;
  binding: string;
  takeBacks: number;
  interval?: number;
  /** The interpreterLock's pool (default gil, the app's). */
  lockPool?: string;
}

function load(o: Options) {
  const text = `name: t
seed: 1
run: { duration: 10000, warmup: 0, replications: 1 }
layers:
  - name: s
    services:
      - name: app
        app:
          pools: { threads: ${o.threads}, gil: ${o.processes} }
          interpreterLock: { pool: ${o.lockPool ?? 'gil'}, threads: threads, binding: ${o.binding}, switchIntervalS: ${o.interval ?? 0.005} }
          stages:
            - { name: accept, resource: delay, demand: 0, pool: threads, hold: request }
            - { name: py, resource: delay, demand: 1, pool: gil }
            - { name: io, resource: delay, demand: 0.1, lockReacquires: ${o.takeBacks} }
  - name: c
    services:
      - name: load
        workload: { kind: trace, target: s.app, file: ../test/fixtures/traces/three.csv }
`;
  return loadScenario(path.join(root, 'scenarios/inline.yaml'), {
    text,
    extraRoots: [path.join(root, 'test/fixtures')],
  });
}

function scenario(o: Options): ResolvedScenario {
  const r = load(o);
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r.scenario;
}
const meanOf = (s: ResolvedScenario, arrivals: number[]) =>
  simulate(s, { replications: 1, traces: new Map([['c.load', Float64Array.from(arrivals)]]) }).result
    .responseTime.mean;

describe('the chance that a thread finds its process lock held by another thread', () => {
  it('matches hand counts', () => {
    expect(lockHeldChance(0, 4, 2)).toBe(0);
    expect(lockHeldChance(3, 4, 1)).toBe(0); // one thread per process: never another thread of its own
    expect(lockHeldChance(1, 1, 8)).toBe(1); // one process: held means held by another thread
    expect(lockHeldChance(1, 4, 2)).toBeCloseTo(1 / 7, 12); // the holder is one of the 7 other threads
    // Two holders in two processes: the first misses with 6/7, the second (among the 4 + 1 threads of the
    // three processes left) with 4/5.
    expect(lockHeldChance(2, 4, 2)).toBeCloseTo(1 - (6 / 7) * (4 / 5), 12);
    expect(lockHeldChance(4, 4, 2)).toBe(1); // every process holds its lock
  });
});

describe('interpreter lock: the convoy wait and requests bound to processes', () => {
  it('a thread taking the lock back while another holds it waits the switch interval per take-back', () => {
    // One process, two threads. A arrives at 0: py 0–1; B at 0.5 waits for the lock and takes it at 1, when
    // A starts io beside it: A waits 4 × 5 ms, io until 1.12. B: py 1–2, io alone 2–2.1 (answered 1.6 s
    // after it arrived). Mean (1.12 + 1.6) / 2; without the wait (interval 0) (1.1 + 1.6) / 2.
    for (const binding of ['threaded', 'none']) {
      const s = (interval: number) => scenario({ processes: 1, threads: 2, binding, takeBacks: 4, interval });
      expect(meanOf(s(0.005), [0, 0.5])).toBeCloseTo((1.12 + 1.6) / 2, 9);
      expect(meanOf(s(0), [0, 0.5])).toBeCloseTo((1.1 + 1.6) / 2, 9);
    }
  });

  it('no wait with one thread per process (sync workers): no other thread of the process holds its lock', () => {
    const s = scenario({ processes: 2, threads: 2, binding: 'threaded', takeBacks: 4 });
    // Two processes of one thread: A and B run py at once, each io alone.
    expect(meanOf(s, [0, 0.5])).toBeCloseTo((1.1 + 1.1) / 2, 9);
  });

  it('bound requests wait for their own process: half the pairs share one and the second waits', () => {
    // Two processes of two threads each; pairs of simultaneous requests 10 s apart. Unbound, a pair runs
    // its py at once; the first to start io finds the other's lock held, in its own process with chance 1/3
    // (1 − 2/(2 + 1)): it waits 4 × 5 ms × 1/3, so the mean is 1.1 + 0.02 / 3 / 2. Bound to a process drawn uniformly, a pair shares one with chance 1/2:
    // the second waits 1 s for the lock (and the first then takes it back beside it: 4 × 5 ms), so the mean
    // is 1.1 + 1/2 × (1 + 0.02) / 2 = 1.355, within the draws' noise (400 pairs: sd 0.013).
    const pairs = Array.from({ length: 400 }, (_, i) => [10 * i, 10 * i]).flat();
    expect(meanOf(scenario({ processes: 2, threads: 4, binding: 'none', takeBacks: 4 }), pairs)).toBeCloseTo(
      1.1 + 0.02 / 3 / 2,
      9,
    );
    const bound = meanOf(scenario({ processes: 2, threads: 4, binding: 'threaded', takeBacks: 4 }), pairs);
    expect(bound).toBeGreaterThan(1.355 - 0.05);
    expect(bound).toBeLessThan(1.355 + 0.05);
  });
});

describe('interpreterLock in a scenario file', () => {
  it('names pools of the app: a located error otherwise', () => {
    const r = load({ processes: 1, threads: 2, binding: 'none', takeBacks: 0, lockPool: 'gill' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.path, i.message])).toContainEqual([
      'layers[0].services[0].app.interpreterLock.pool',
      'no pool "gill" in the app',
    ]);
  });
});
