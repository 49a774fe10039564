import { beforeEach, describe, expect, it } from 'vitest';
import { Env } from '../../src/kernel/index.js';
import { ci95 } from '../../src/metrics/index.js';
import { createStream, sampler, type DistSpec } from '../../src/random/index.js';
import { PsServer, type PsServerOptions, ResourceErrorCode } from '../../src/resources/index.js';

let env: Env;
let log: unknown[][];
beforeEach(() => {
  env = new Env();
  log = [];
});

function job(server: PsServer, name: string, at: number, work: number): void {
  env.schedule(at, () => server.serve(work, () => log.push([name, env.now])));
}

/** Naive exact processor sharing: advance to the next arrival or departure, O(n) per step. */
/**
 * Serves `jobs` jobs (gaps and works drawn from `arrivals` and `works`) on a PsServer made with `options`,
 * checks every completion time against {@link referencePs} with the same `rate`, and returns the most jobs
 * the server held at once.
 */
function matchesReference(o: {
  arrivals: () => number;
  works: () => number;
  jobs: number;
  rate: (n: number) => number;
  options: PsServerOptions;
}): number {
  const e = new Env();
  const server = new PsServer(e, o.options);
  const jobs: { at: number; work: number }[] = [];
  let t = 0;
  for (let i = 0; i < o.jobs; i++) jobs.push({ at: (t += o.arrivals()), work: o.works() });
  let most = 0;
  const got = new Array<number>(jobs.length);
  jobs.forEach((j, i) =>
    e.schedule(j.at, () => {
      server.serve(j.work, () => (got[i] = e.now));
      most = Math.max(most, server.active);
    }),
  );
  e.run();
  const want = referencePs(jobs, o.rate);
  for (let i = 0; i < jobs.length; i++) expect(got[i]).toBeCloseTo(want[i] as number, 6);
  return most;
}

function referencePs(jobs: { at: number; work: number }[], rate: (n: number) => number): number[] {
  const done = new Array<number>(jobs.length).fill(NaN);
  const remaining = new Map<number, number>();
  let t = 0;
  let next = 0;
  while (next < jobs.length || remaining.size > 0) {
    const n = remaining.size;
    const perJob = n > 0 ? rate(n) / n : 0;
    let dtDepart = Infinity;
    for (const w of remaining.values()) dtDepart = Math.min(dtDepart, w / perJob);
    const dtArrive = next < jobs.length ? (jobs[next] as { at: number }).at - t : Infinity;
    const dt = Math.min(dtDepart, dtArrive);
    for (const [i, w] of remaining) remaining.set(i, w - perJob * dt);
    t += dt;
    for (const [i, w] of remaining) {
      if (w <= 1e-9) {
        done[i] = t;
        remaining.delete(i);
      }
    }
    while (next < jobs.length && (jobs[next] as { at: number }).at <= t) {
      remaining.set(next, (jobs[next] as { work: number }).work);
      next++;
    }
  }
  return done;
}

describe('PsServer', () => {
  it('with one core, two equal jobs arriving together both finish at twice the work', () => {
    const cpu = new PsServer(env, { cores: 1 });
    job(cpu, 'a', 0, 1.5);
    job(cpu, 'b', 0, 1.5);
    env.run();
    expect(log).toEqual([
      ['a', 3],
      ['b', 3],
    ]);
  });

  it('with one core, a short job overtaking a long one shares the core while both are present', () => {
    const cpu = new PsServer(env, { cores: 1 });
    job(cpu, 'long', 0, 2); // alone on [0,1): 1 s done; shared on [1,2): 0.5 more; alone: 0.5 more
    job(cpu, 'short', 1, 0.5); // shared on [1,2) at rate 1/2
    env.run();
    expect(log).toEqual([
      ['short', 2],
      ['long', 2.5],
    ]);
  });

  it('with k cores, n ≤ k jobs each run at rate 1 and n > k jobs at rate k/n', () => {
    const cpu = new PsServer(env, { cores: 2 });
    job(cpu, 'solo', 0, 1);
    env.run();
    expect(log).toEqual([['solo', 1]]);
    log = [];
    job(cpu, 'a', 0, 1);
    job(cpu, 'b', 0, 1);
    job(cpu, 'c', 0, 1);
    env.run();
    expect(log).toEqual([
      ['a', 2.5],
      ['b', 2.5],
      ['c', 2.5],
    ]); // 1 + 1/(2/3)
  });

  it('with k cores, jobs beyond k share the cores from then on with the work they have left, and the server goes back to full-rate jobs once empty', () => {
    const server = new PsServer(env, { cores: 2 });
    job(server, 'a', 0, 2);
    job(server, 'b', 0, 1);
    job(server, 'c', 0.5, 1); // three jobs on two cores: each at 2/3 until b is done
    job(server, 'd', 3, 1); // alone again: rate 1
    env.run();
    // At 0.5: a has 1.5 left, b 0.5, c 1. b is done after 0.5/(2/3) = 0.75 s; then a (1 left) and c (0.5 left) at rate 1.
    expect(log.map(([k, t]) => [k, Math.round((t as number) * 1e9) / 1e9])).toEqual([
      ['b', 1.25],
      ['c', 1.75],
      ['a', 2.25],
      ['d', 4],
    ]);
    expect(server.utilization(4)).toBeCloseTo((0.5 * 1 + 0.75 * 1 + 0.5 * 1 + 0.5 * 0.5 + 1 * 0.5) / 4, 9);
    expect(server.meanConcurrency(4)).toBeCloseTo((0.5 * 2 + 0.75 * 3 + 0.5 * 2 + 0.5 * 1 + 1 * 1) / 4, 9);
  });

  it('a rate curve gives each of n jobs rate(n)/n', () => {
    const gpu = new PsServer(env, { rate: (n) => [0, 1, 1.6, 2][Math.min(n, 3)] as number });
    job(gpu, 'a', 0, 1.6);
    job(gpu, 'b', 0, 1.6);
    env.run();
    expect(log).toEqual([
      ['a', 2],
      ['b', 2],
    ]); // each at 0.8
  });

  it('completion times match a naive processor-sharing reference on random workloads', () => {
    const arrivals = sampler({ dist: 'exponential', mean: 1 }, createStream(1, 'ps-ref/a', 0));
    const works = sampler({ dist: 'lognormal', mean: 2, cv: 1.5 }, createStream(1, 'ps-ref/w', 0));
    const threeCores = (n: number) => Math.min(n, 3);
    // The same law as `cores: 3` (full-rate jobs, turned into shared ones beyond 3) and as a rate curve.
    for (const [rate, options] of [
      [threeCores, { cores: 3 }],
      [threeCores, { rate: threeCores }],
      [(n: number) => Math.sqrt(n), { rate: Math.sqrt }],
    ] as const)
      matchesReference({ arrivals, works, jobs: 400, rate, options });
  });

  it('matches the reference with dozens of jobs at once (per-job rates cached beyond the first 16)', () => {
    // Arrivals twice as fast as the server drains them: the number in service climbs past 16 and back.
    const arrivals = sampler({ dist: 'exponential', mean: 0.5 }, createStream(2, 'ps-many/a', 0));
    const works = sampler({ dist: 'exponential', mean: 2 }, createStream(2, 'ps-many/w', 0));
    for (const [rate, options] of [
      [(n: number) => Math.min(n, 2), { cores: 2 }],
      [(n: number) => Math.sqrt(n), { rate: Math.sqrt }],
    ] as const)
      expect(matchesReference({ arrivals, works, jobs: 200, rate, options })).toBeGreaterThan(16);
  });

  it('an M/G/1-PS queue has mean response E[S]/(1 − ρ), whatever the service law', () => {
    const means: number[] = [];
    const law: DistSpec = { dist: 'lognormal', mean: 1, cv: 2 };
    for (let rep = 0; rep < 10; rep++) {
      const e = new Env();
      const cpu = new PsServer(e, { cores: 1 });
      const arrival = sampler({ dist: 'exponential', mean: 2 }, createStream(7, 'mg1ps/arrivals', rep)); // ρ = 0.5
      const work = sampler(law, createStream(7, 'mg1ps/work', rep));
      let sum = 0;
      let count = 0;
      let arrived = 0;
      const arrive = () => {
        const t0 = e.now;
        cpu.serve(work(), () => {
          sum += e.now - t0;
          count++;
        });
        if (++arrived < 40_000) e.schedule(arrival(), arrive);
      };
      e.schedule(0, arrive);
      e.run();
      means.push(sum / count);
    }
    const r = ci95(means);
    expect(Math.abs(r.mean - 2)).toBeLessThan(Math.max(r.halfWidth, 0.02 * 2)); // analytic 1/(1 − 0.5)
    expect(r.halfWidth / r.mean).toBeLessThan(0.05);
  });

  it('psServer.utilization() is min(n, k)/k time-weighted for cores', () => {
    const cpu = new PsServer(env, { cores: 2 });
    job(cpu, 'a', 0, 2);
    env.run({ until: 4 });
    expect(cpu.utilization()).toBeCloseTo(0.25, 12); // 1/2 busy for 2 s of 4
    expect(cpu.meanConcurrency()).toBeCloseTo(0.5, 12);
    expect(cpu.completed).toBe(1);
  });

  it('psServer.utilization() is the fraction of time with work for a rate curve', () => {
    const gpu = new PsServer(env, { rate: (n) => Math.min(n, 4) * 0.9 });
    job(gpu, 'a', 0, 0.9);
    job(gpu, 'b', 0, 0.9);
    env.run({ until: 4 });
    expect(gpu.utilization()).toBeCloseTo(0.25, 12);
    expect(gpu.meanConcurrency()).toBeCloseTo(0.5, 12);
  });

  it('an onDone callback may start new work at once', () => {
    const cpu = new PsServer(env, { cores: 1 });
    cpu.serve(1, () => {
      log.push(['first', env.now]);
      cpu.serve(1, () => log.push(['second', env.now]));
    });
    env.run();
    expect(log).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
    expect(env.pending).toBe(0);
  });

  it('psServer.serveEvent() is an event for generator processes', () => {
    const cpu = new PsServer(env, { cores: 1 });
    env.process(function* () {
      yield cpu.serveEvent(2);
      log.push(['served', env.now]);
    });
    env.run();
    expect(log).toEqual([['served', 2]]);
  });

  it('psServer.serve() with negative work throws E2C_ERR_RESOURCE_BAD_AMOUNT', () => {
    const cpu = new PsServer(env, { cores: 1 });
    expect(() => cpu.serve(-1, () => {})).toThrow(
      expect.objectContaining({ code: ResourceErrorCode.BAD_AMOUNT }),
    );
  });

  it('a rate curve returning 0 throws E2C_ERR_RESOURCE_BAD_RATE', () => {
    const gpu = new PsServer(env, { rate: () => 0 });
    expect(() => gpu.serve(1, () => {})).toThrow(
      expect.objectContaining({ code: ResourceErrorCode.BAD_RATE }),
    );
  });

  it('new PsServer() needs exactly one of cores and rate', () => {
    expect(() => new PsServer(env, {})).toThrow(
      expect.objectContaining({ code: ResourceErrorCode.BAD_OPTION }),
    );
    expect(() => new PsServer(env, { cores: 2, rate: (n) => n })).toThrow(
      expect.objectContaining({ code: ResourceErrorCode.BAD_OPTION }),
    );
  });
});
