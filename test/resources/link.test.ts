import { beforeEach, describe, expect, it } from 'vitest';
import { Env } from '../../src/kernel/index.js';
import { Link, ResourceErrorCode } from '../../src/resources/index.js';

let env: Env;
let log: unknown[][];
beforeEach(() => {
  env = new Env();
  log = [];
});

const MB = 1.25e6; // bytes sent in 1 s at 10 Mbps

describe('Link', () => {
  it('link.transfer() takes size/rate plus the propagation delay', () => {
    const link = new Link(env, { rateMbps: 10, delayMs: 50 });
    link.transfer(MB, () => log.push(['done', env.now]));
    env.run();
    expect(log).toEqual([['done', 1.05]]);
    expect(link.bytes).toBe(MB);
  });

  it('two concurrent equal transfers share the bandwidth and take twice as long, plus the delay', () => {
    const link = new Link(env, { rateMbps: 10, delayMs: 50 });
    link.transfer(MB, () => log.push(['a', env.now]));
    link.transfer(MB, () => log.push(['b', env.now]));
    env.run();
    expect(log).toEqual([['a', 2.05], ['b', 2.05]]);
    expect(link.meanActive(2.05)).toBeCloseTo((2 * 2) / 2.05, 12);
    expect(link.utilization(4)).toBeCloseTo(0.5, 12); // transmitting on [0, 2)
  });

  it('a transfer starting later gets half the bandwidth while it overlaps', () => {
    const link = new Link(env, { rateMbps: 10 });
    link.transfer(MB, () => log.push(['first', env.now]));
    env.schedule(0.5, () => link.transfer(MB / 4, () => log.push(['small', env.now])));
    env.run();
    // From 0.5 s each gets 5 Mbps: the small one needs 0.5 s; the first then finishes alone.
    expect(log).toEqual([['small', 1], ['first', 1.25]]);
  });

  it('a transfer alone that is joined mid-way shares the wire for the rest, with exact timings and statistics', () => {
    const link = new Link(env, { rateMbps: 10, delayMs: 100 });
    link.transfer(MB, () => log.push(['a', env.now]));
    env.schedule(0.5, () => link.transfer(MB, () => log.push(['b', env.now])));
    env.schedule(0.75, () => log.push(['active', link.active]));
    env.run();
    // a: 0.5 s alone, then its last half at half rate (1 s) → bytes out at 1.5, arrives at 1.6.
    // b: half at half rate until 1.5, then the rest alone (0.5 s) → bytes out at 2.0, arrives at 2.1.
    expect(log.map(([k, t]) => [k, typeof t === 'number' ? Math.round(t * 1e9) / 1e9 : t])).toEqual([['active', 2], ['a', 1.6], ['b', 2.1]]);
    expect(link.utilization(2)).toBeCloseTo(1, 9);
    expect(link.meanActive(2)).toBeCloseTo(1.5, 9); // one transfer for 1 s, two for 1 s
    expect(link.utilization(4)).toBeCloseTo(0.5, 9);
  });

  it('a transfer of zero bytes takes only the propagation delay', () => {
    const link = new Link(env, { rateMbps: 10, delayMs: 30 });
    link.transfer(0, () => log.push(['done', env.now]));
    env.run();
    expect(log).toEqual([['done', 0.03]]);
    expect(link.utilization(1)).toBe(0);
  });

  it('loss inflates the bytes on the wire to size/(1 − p)', () => {
    const link = new Link(env, { rateMbps: 10, lossPercent: 20 });
    link.transfer(MB, () => log.push(['done', env.now]));
    env.run();
    expect(log[0]?.[1]).toBeCloseTo(1.25, 12);
    expect(link.wireBytes).toBeCloseTo(MB / 0.8, 6);
  });

  it('with rtoMs, a transfer that loses a packet stalls once, decided by one uniform draw', () => {
    const draws = [0.0, 0.99]; // 1 packet, p = 0.2: first draw loses (0 < 0.2), second does not
    const link = new Link(env, { rateMbps: 10, lossPercent: 20, rtoMs: 200, mssBytes: 1460, rng: () => draws.shift() ?? 1 });
    link.transfer(1000, () => log.push(['stalled', env.now]));
    env.schedule(1, () => link.transfer(1000, () => log.push(['clean', env.now])));
    env.run();
    const wire = (1000 / 0.8) * 8 / 10e6;
    expect(log[0]?.[1]).toBeCloseTo(wire + 0.2, 12);
    expect(log[1]?.[1]).toBeCloseTo(1 + wire, 12);
    expect(link.stalls).toBe(1);
  });

  it('link.transferEvent() is an event for generator processes', () => {
    const link = new Link(env, { rateMbps: 10, delayMs: 10 });
    env.process(function* () {
      yield link.transferEvent(MB / 10);
      log.push(['arrived', env.now]);
    });
    env.run();
    expect(log[0]?.[1]).toBeCloseTo(0.11, 12);
  });

  it.each([
    [{ rateMbps: 0 }, 'rateMbps'],
    [{ rateMbps: 1, delayMs: -1 }, 'delayMs'],
    [{ rateMbps: 1, lossPercent: 100 }, 'lossPercent'],
    [{ rateMbps: 1, lossPercent: 1, rtoMs: 200 }, 'rng'],
  ])('new Link(env, %j) throws E2C_ERR_RESOURCE_BAD_OPTION for %s', (options, option) => {
    expect(() => new Link(env, options)).toThrow(
      expect.objectContaining({ code: ResourceErrorCode.BAD_OPTION, details: expect.objectContaining({ option }) }),
    );
  });
});
