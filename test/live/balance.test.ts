import { describe, expect, it } from 'vitest';
import { Balancer } from '../../src/live/app/balance.js';
import { InstanceSet } from '../../src/model/instances.js';
import type { ServiceHost } from '../../src/model/service-host.js';
import type { SimContext } from '../../src/model/sim-context.js';
import { createStream } from '../../src/random/index.js';
import type { BalancePolicy, ResolvedService } from '../../src/scenario/index.js';

const rng = (name = 'b') => createStream(1, `test:${name}`, 0);
const picks = (b: Balancer, n: number, hint = 0) => Array.from({ length: n }, () => b.pick(hint));
const counts = (xs: number[], n: number) => {
  const c = Array.from({ length: n }, () => 0);
  for (const x of xs) c[x]!++;
  return c;
};

/** The simulator's instance set of `n` instances, all up, with `inflight[i]` requests in progress on each. */
function simSet(policy: BalancePolicy, n: number, inflight: number[], weights?: number[]) {
  const sim = { env: { now: 0 } } as unknown as SimContext;
  const service = {
    id: 'cloud.engine',
    quantity: n,
    balance: { policy, ...(weights ? { weights } : {}) },
  } as unknown as ResolvedService;
  const set = new InstanceSet(
    sim,
    service,
    { make: (index) => ({ index, pools: [], gpus: [] }) as unknown as ServiceHost, marker: () => {} },
    rng('same'),
  );
  set.up.forEach((h, i) => {
    for (let k = 0; k < inflight[i]!; k++) h.inflight!.add({} as never);
  });
  return set;
}

describe('the live driver balance (src/live/app/balance.ts)', () => {
  it('round-robin takes the instances up in turn, skips one marked down, and takes it again once marked up', () => {
    const b = new Balancer({ policy: 'round-robin', instances: 3, rng: rng() });
    expect(picks(b, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(b.markDown(1)).toBe(true);
    expect(b.markDown(1)).toBe(false);
    expect(new Set(picks(b, 6))).toEqual(new Set([0, 2]));
    b.markUp(1);
    expect(b.up).toEqual([0, 1, 2]);
    expect(counts(picks(b, 9), 3)).toEqual([3, 3, 3]);
  });

  it('a scale: the instances from the new count up leave the balance at once; those brought back in take requests once marked up (probed)', () => {
    const b = new Balancer({ policy: 'round-robin', instances: 3, rng: rng() });
    expect(b.limit(1)).toBe(3);
    expect(b.up).toEqual([0]);
    expect(picks(b, 3)).toEqual([0, 0, 0]);
    // Not in the balance until its health check answers.
    expect(b.limit(3)).toBe(1);
    expect(b.up).toEqual([0]);
    b.markUp(2);
    b.markUp(1);
    expect(b.up).toEqual([0, 1, 2]);
    expect(counts(picks(b, 9), 3)).toEqual([3, 3, 3]);
    // Scaled in: a late probe answer does not bring a removed instance back.
    b.limit(2);
    b.markUp(2);
    expect(b.up).toEqual([0, 1]);
  });

  it('no instance up: −1 (the request fails at once); static keeps the client on its own instance, up or not', () => {
    const b = new Balancer({ policy: 'random', instances: 2, rng: rng() });
    b.markDown(0);
    b.markDown(1);
    expect(b.pick(0)).toBe(-1);
    const s = new Balancer({ policy: 'static', instances: 3, rng: rng() });
    s.markDown(1);
    expect([0, 1, 2, 3, 4].map((h) => s.pick(h))).toEqual([0, 1, 2, 0, 1]);
  });

  it('random is uniform over the instances up and the same for the same seed', () => {
    const a = picks(new Balancer({ policy: 'random', instances: 2, rng: rng('r') }), 20_000);
    const again = picks(new Balancer({ policy: 'random', instances: 2, rng: rng('r') }), 20_000);
    expect(again).toEqual(a);
    const other = picks(new Balancer({ policy: 'random', instances: 2, rng: rng('other') }), 20_000);
    expect(other).not.toEqual(a);
    // Binomial(20 000, 1/2): 5 standard deviations are ±354.
    const [c0] = counts(a, 2);
    expect(Math.abs(c0! - 10_000)).toBeLessThan(354);
    const b = new Balancer({ policy: 'random', instances: 3, rng: rng('r3') });
    b.markDown(0);
    expect(counts(picks(b, 1000), 3)[0]).toBe(0);
  });

  it('least-outstanding takes the instance with the fewest of its requests in progress, the lowest index on ties', () => {
    const b = new Balancer({ policy: 'least-outstanding', instances: 3, rng: rng() });
    expect(b.pick(0)).toBe(0);
    b.begin(0);
    expect(b.pick(0)).toBe(1);
    b.begin(1);
    b.begin(2);
    b.begin(2);
    expect(b.pick(0)).toBe(0);
    b.begin(0);
    expect(b.pick(0)).toBe(1);
    b.end(2);
    b.end(2);
    expect(b.pick(0)).toBe(2);
    b.markDown(2);
    expect(b.pick(0)).toBe(1);
  });

  it('power-of-two takes the less busy of two drawn; weighted splits in proportion to the weights of the instances up', () => {
    const p = new Balancer({ policy: 'power-of-two', instances: 2, rng: rng() });
    p.begin(1);
    expect(new Set(picks(p, 50))).toEqual(new Set([0]));
    p.markDown(0);
    expect(new Set(picks(p, 5))).toEqual(new Set([1]));
    const w = new Balancer({ policy: 'weighted', instances: 3, weights: [3, 1, 4], rng: rng('w') });
    const c = counts(picks(w, 40_000), 3);
    // Binomial shares 3/8, 1/8, 4/8 of 40 000: within 5 standard deviations (≤ 500).
    expect(Math.abs(c[0]! - 15_000)).toBeLessThan(500);
    expect(Math.abs(c[1]! - 5_000)).toBeLessThan(500);
    w.markDown(2);
    const d = counts(picks(w, 40_000), 3);
    expect(d[2]).toBe(0);
    expect(Math.abs(d[0]! - 30_000)).toBeLessThan(500);
  });

  it('draws as the simulator does: the same choices as InstanceSet.pick for the same random stream and requests in progress', () => {
    const cases: [BalancePolicy, number[], number[]?][] = [
      ['round-robin', [0, 0, 0]],
      ['random', [0, 0, 0]],
      ['least-outstanding', [2, 1, 1]],
      ['power-of-two', [3, 0, 1]],
      ['weighted', [0, 0, 0], [2, 5, 1]],
    ];
    for (const [policy, inflight, weights] of cases) {
      const set = simSet(policy, 3, inflight, weights);
      const b = new Balancer({ policy, instances: 3, rng: rng('same'), ...(weights ? { weights } : {}) });
      inflight.forEach((k, i) => {
        for (let j = 0; j < k; j++) b.begin(i);
      });
      const sim = Array.from({ length: 200 }, () => set.pick(0)!.index);
      expect(picks(b, 200), policy).toEqual(sim);
    }
  });
});
