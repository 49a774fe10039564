import { beforeEach, describe, expect, it } from 'vitest';
import { Env } from '../../src/kernel/index.js';
import { createStream, streamSeed } from '../../src/random/index.js';
import { Link, LinkRoster, ResourceErrorCode } from '../../src/resources/index.js';

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
    expect(log).toEqual([
      ['a', 2.05],
      ['b', 2.05],
    ]);
    expect(link.meanActive(2.05)).toBeCloseTo((2 * 2) / 2.05, 12);
    expect(link.utilization(4)).toBeCloseTo(0.5, 12); // transmitting on [0, 2)
  });

  it('a transfer starting later gets half the bandwidth while it overlaps', () => {
    const link = new Link(env, { rateMbps: 10 });
    link.transfer(MB, () => log.push(['first', env.now]));
    env.schedule(0.5, () => link.transfer(MB / 4, () => log.push(['small', env.now])));
    env.run();
    // From 0.5 s each gets 5 Mbps: the small one needs 0.5 s; the first then finishes alone.
    expect(log).toEqual([
      ['small', 1],
      ['first', 1.25],
    ]);
  });

  it('a transfer alone that is joined mid-way shares the wire for the rest, with exact timings and statistics', () => {
    const link = new Link(env, { rateMbps: 10, delayMs: 100 });
    link.transfer(MB, () => log.push(['a', env.now]));
    env.schedule(0.5, () => link.transfer(MB, () => log.push(['b', env.now])));
    env.schedule(0.75, () => log.push(['active', link.active]));
    env.run();
    // a: 0.5 s alone, then its last half at half rate (1 s) → bytes out at 1.5, arrives at 1.6.
    // b: half at half rate until 1.5, then the rest alone (0.5 s) → bytes out at 2.0, arrives at 2.1.
    expect(log.map(([k, t]) => [k, typeof t === 'number' ? Math.round(t * 1e9) / 1e9 : t])).toEqual([
      ['active', 2],
      ['a', 1.6],
      ['b', 2.1],
    ]);
    expect(link.utilization(2)).toBeCloseTo(1, 9);
    expect(link.meanActive(2)).toBeCloseTo(1.5, 9); // one transfer for 1 s, two for 1 s
    expect(link.utilization(4)).toBeCloseTo(0.5, 9);
  });

  it('transfers started at one instant finish as under fair sharing: the smallest first, each at Σ smaller + (n − i + 1)·wᵢ', () => {
    const link = new Link(env, { rateMbps: 10, delayMs: 10 });
    // Works alone 0.5 s, 1 s and 2 s, given largest first.
    link.transfer(2 * MB, () => log.push(['big', env.now]));
    link.transfer(MB, () => log.push(['mid', env.now]));
    link.transfer(MB / 2, () => log.push(['small', env.now]));
    env.schedule(1, () => log.push(['active', link.active]));
    env.run();
    // 3 share until small is out (3 × 0.5 = 1.5), 2 share for mid's other 0.5 (1 s → 2.5), big alone for its last 1 s (3.5).
    const round = (t: unknown) => (typeof t === 'number' ? Math.round(t * 1e9) / 1e9 : t);
    expect(log.map(([k, t]) => [k, round(t)])).toEqual([
      ['active', 3],
      ['small', 1.51],
      ['mid', 2.51],
      ['big', 3.51],
    ]);
    expect(link.utilization(3.5)).toBeCloseTo(1, 9);
    expect(link.meanActive(3.5)).toBeCloseTo((1.5 + 2.5 + 3.5) / 3.5, 9);
  });

  it('a burst joined later moves its unfinished transfers to the shared wire with the work they have left', () => {
    const link = new Link(env, { rateMbps: 10 });
    link.transfer(MB / 2, () => log.push(['a', env.now])); // 0.5 s alone
    link.transfer(2 * MB, () => log.push(['b', env.now])); // 2 s alone
    env.schedule(1.5, () => link.transfer(MB / 4, () => log.push(['c', env.now])));
    env.run();
    // a out at 1.0 (two sharing); b has 1.5 s left at 1, alone until 1.5 (1 s left), then shares with c
    // (0.25 s): c out at 2.0, b's remaining 0.75 s alone → 2.75.
    const round = (t: unknown) => (typeof t === 'number' ? Math.round(t * 1e9) / 1e9 : t);
    expect(log.map(([k, t]) => [k, round(t)])).toEqual([
      ['a', 1],
      ['c', 2],
      ['b', 2.75],
    ]);
    expect(link.meanActive(2.75)).toBeCloseTo((1 + 2.75 + 0.5) / 2.75, 9);
    expect(link.utilization(5.5)).toBeCloseTo(0.5, 9);
  });

  it('statistics reset in the middle of a burst count only what follows', () => {
    const link = new Link(env, { rateMbps: 10 });
    link.transfer(MB, () => undefined);
    link.transfer(MB, () => undefined); // both out at 2.0
    env.schedule(1, () => link.resetStats());
    env.run();
    expect(link.utilization(3)).toBeCloseTo(0.5, 9); // busy on [1, 2) of [1, 3)
    expect(link.meanActive(3)).toBeCloseTo(1, 9); // two transfers for 1 s over 2 s
  });

  it('a lead (the delay of the request that asked for the bytes) is paid as latency before delivery', () => {
    const link = new Link(env, { rateMbps: 10, delayMs: 20 });
    link.transfer(MB, () => log.push(['asked', env.now]), undefined, 0.03);
    env.run();
    expect(log.map(([k, t]) => [k, Math.round((t as number) * 1e9) / 1e9])).toEqual([['asked', 1.05]]);
    expect(link.utilization(1)).toBeCloseTo(1, 9);
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
    const link = new Link(env, {
      rateMbps: 10,
      lossPercent: 20,
      rtoMs: 200,
      mssBytes: 1460,
      rng: () => draws.shift() ?? 1,
    });
    link.transfer(1000, () => log.push(['stalled', env.now]));
    env.schedule(1, () => link.transfer(1000, () => log.push(['clean', env.now])));
    env.run();
    const wire = ((1000 / 0.8) * 8) / 10e6;
    expect(log[0]?.[1]).toBeCloseTo(wire + 0.2, 12);
    expect(log[1]?.[1]).toBeCloseTo(1 + wire, 12);
    expect(link.stalls).toBe(1);
  });

  it('with a stream seed instead of an rng, stalls follow the same draws as that stream would give', () => {
    const seed = streamSeed(7, 'loss:test', 0);
    const stallsWith = (options: { rng?: () => number; stream?: string }) => {
      const e = new Env();
      // 30 packets at 2 % loss: P(stall) = 1 − 0.98^30 ≈ 45 %, so 200 transfers make a pattern to compare.
      const link = new Link(e, { rateMbps: 100, lossPercent: 2, rtoMs: 200, ...options });
      const ends: number[] = [];
      for (let i = 0; i < 200; i++) e.schedule(i, () => link.transfer(30 * 1460, () => ends.push(e.now)));
      e.run();
      return { ends, stalls: link.stalls };
    };
    const own = stallsWith({ stream: seed });
    expect(own).toEqual(stallsWith({ rng: createStream(7, 'loss:test', 0) }));
    expect(own.stalls).toBeGreaterThan(60);
    expect(own.stalls).toBeLessThan(120);
    expect(stallsWith({ stream: streamSeed(8, 'loss:test', 0) }).ends).not.toEqual(own.ends);
  });

  it('without loss a link with a stall stream still takes one draw per transfer, so the stalls after a change of loss are those of the stream', () => {
    // 100 transfers at 0 % (a link whose loss only a timed event sets), then 200 at 2 %: the lossy ones
    // must meet draws 101..300 of the stream, as the formula on every transfer would give them.
    const e = new Env();
    const link = new Link(e, {
      rateMbps: 100,
      lossPercent: 0,
      rtoMs: 200,
      stream: streamSeed(7, 'loss:test', 0),
    });
    const stalled: boolean[] = [];
    const send = (t: number, lossy: boolean) =>
      e.schedule(t, () => link.transfer(30 * 1460, () => lossy && stalled.push(e.now - t > 0.1)));
    for (let i = 0; i < 100; i++) send(i, false);
    e.schedule(150, () => link.setConditions({ delayMs: 0, rateMbps: 100, lossPercent: 2 }));
    for (let i = 0; i < 200; i++) send(200 + i, true);
    e.run();
    const p = 1 - Math.exp(30 * Math.log(1 - 2 / 100));
    const pattern = (skip: number) => {
      const draw = createStream(7, 'loss:test', 0);
      for (let i = 0; i < skip; i++) draw();
      return Array.from({ length: 200 }, () => draw() < p);
    };
    expect(stalled).toEqual(pattern(100));
    expect(stalled).not.toEqual(pattern(0));
    expect(link.stalls).toBe(stalled.filter(Boolean).length);
    expect(link.stalls).toBeGreaterThan(60);
  });

  it('every transfer is delivered once, to its own argument, when textbook fair sharing says, however bursts, the wire and delays interleave', () => {
    // Transfer records are reused after arrival: a record reused too early would deliver twice or to
    // another transfer's argument. Many overlapping transfers on links with and without delay exercise it.
    const rng = createStream(3, 'link-records', 0);
    const links = [
      new Link(env, { rateMbps: 10 }),
      new Link(env, { rateMbps: 10, delayMs: 20 }),
      new Link(env, { rateMbps: 50, delayMs: 3 }),
    ];
    const delivered = new Map<number, number>();
    const sent: { id: number; at: number; link: number; bytes: number }[] = [];
    for (let id = 0; id < 2000; id++) {
      const at = Math.floor(rng() * 200) / 10; // many transfers start at the same instant: bursts
      const link = Math.floor(rng() * links.length);
      const bytes = rng() < 0.1 ? 0 : Math.floor(rng() * 200_000);
      sent.push({ id, at, link, bytes });
      env.schedule(at, () =>
        links[link]!.transfer(
          bytes,
          (got) => {
            delivered.set(got as number, (delivered.get(got as number) ?? 0) + 1);
            log.push([got, env.now]);
          },
          id,
        ),
      );
    }
    env.run();
    expect(delivered.size).toBe(2000);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    const end = new Map(log.map(([id, t]) => [id as number, t as number]));
    // The reference: textbook processor sharing, link by link, stepped from event to event.
    links.forEach((l, k) => {
      const mine = sent.filter((t) => t.link === k).sort((a, b) => a.at - b.at || a.id - b.id);
      const left = new Map<number, number>(); // id → seconds of work alone still to do
      let now = 0;
      let next = 0;
      while (next < mine.length || left.size > 0) {
        const arrival = next < mine.length ? mine[next]!.at : Infinity;
        const least = Math.min(...left.values());
        const done = left.size > 0 ? now + least * left.size : Infinity;
        const t = Math.min(arrival, done);
        for (const [id, w] of left) left.set(id, w - (t - now) / left.size);
        now = t;
        for (const [id, w] of left) {
          if (w <= 1e-12) {
            left.delete(id);
            expect(end.get(id)!).toBeCloseTo(now + l.delayMs / 1000, 9);
          }
        }
        while (next < mine.length && mine[next]!.at === now) {
          const s = mine[next++]!;
          if (s.bytes === 0) expect(end.get(s.id)!).toBeCloseTo(now + l.delayMs / 1000, 9);
          else left.set(s.id, (s.bytes * 8) / (l.rateMbps * 1e6));
        }
      }
    });
  });

  describe('link.book() (an owner delivers its own bytes)', () => {
    it('gives the arrival time of bytes starting later, and counts them as a transfer started then', () => {
      const link = new Link(env, { rateMbps: 10, delayMs: 50 });
      expect(link.book(MB, 2, Infinity)).toBeCloseTo(3.05, 12);
      expect([link.bytes, link.transfers, link.active]).toEqual([0, 0, 0]); // not started yet
      expect(link.utilization(1)).toBe(0); // the bytes go out on [2, 3)
      env.run({ until: 2.5 });
      expect([link.bytes, link.transfers, link.active]).toEqual([MB, 1, 1]);
      expect(link.utilization(2.5)).toBeCloseTo(0.5 / 2.5, 12);
      env.run({ until: 4 });
      expect(link.utilization(4)).toBeCloseTo(0.25, 12);
      expect(link.meanActive(4)).toBeCloseTo(0.25, 12);
    });

    it('is refused, booking nothing, when the arrival would be after `latest` or the link is busy at the start', () => {
      const link = new Link(env, { rateMbps: 10, delayMs: 50 });
      expect(link.book(MB, 0, 1)).toBe(-1); // arrives at 1.05
      expect(link.transfers).toBe(0);
      link.transfer(MB, () => log.push(['sent', env.now]));
      expect(link.book(MB, 2, Infinity)).toBe(-1); // the transfer's bytes are on the wire until 1
      env.run({ until: 1 });
      expect(link.book(MB, 1, Infinity)).toBeCloseTo(2.05, 12);
      expect(link.book(MB, 3, Infinity)).toBe(-1); // its own booked bytes are out only at 2
      env.run({ until: 2 });
      expect(link.book(MB, 2, Infinity)).toBeCloseTo(3.05, 12);
      env.run({ until: 4 });
      expect(log).toEqual([['sent', 1.05]]);
      expect(link.transfers).toBe(3);
      expect(link.utilization(4)).toBeCloseTo(0.75, 12);
    });

    it('a statistics window restarted before booked bytes start counts them; one restarted after does not', () => {
      const link = new Link(env, { rateMbps: 10 });
      link.book(MB, 2, Infinity);
      env.run({ until: 1 });
      link.resetStats();
      env.run({ until: 4 });
      expect([link.bytes, link.transfers]).toEqual([MB, 1]);
      expect(link.utilization(4)).toBeCloseTo(1 / 3, 12);
      link.book(MB, 5, Infinity);
      env.run({ until: 5.5 });
      link.resetStats();
      expect([link.bytes, link.transfers]).toEqual([0, 0]);
      env.run({ until: 7 });
      expect(link.utilization(7)).toBeCloseTo(0.5 / 1.5, 12);
      expect([link.bytes, link.transfers]).toEqual([0, 0]);
    });

    it('a transfer that would share the wire with booked bytes is an error', () => {
      const link = new Link(env, { rateMbps: 10 });
      link.book(MB, 0, Infinity);
      env.run({ until: 0.5 });
      expect(() => link.transfer(MB, () => undefined)).toThrowError(
        expect.objectContaining({ code: ResourceErrorCode.BOOKED }),
      );
    });

    it('a booking refused after its loss draw leaves the draw to the next transfer (refusals do not lose stalls)', () => {
      const draws = [0.0, 0.99]; // 1 packet, p = 0.2: the first draw loses, the second does not
      const link = new Link(env, {
        rateMbps: 10,
        lossPercent: 20,
        rtoMs: 200,
        rng: () => draws.shift() ?? 1,
      });
      const wire = ((1000 / 0.8) * 8) / 10e6;
      expect(link.book(1000, 0, 0.1)).toBe(-1); // stalled: arrives at wire + 0.2 > 0.1
      link.transfer(1000, () => log.push(['stalled', env.now]));
      env.run();
      expect(log[0]?.[1]).toBeCloseTo(wire + 0.2, 12);
      expect(link.stalls).toBe(1);
      expect(link.book(1000, 1, Infinity)).toBeCloseTo(1 + wire, 12); // the next draw
    });

    it('a LinkRoster books an idle link on its numbers as link.book() books, draws and statistics included', () => {
      const options = {
        rateMbps: 2,
        delayMs: 3,
        lossPercent: 5,
        rtoMs: 200,
        stream: streamSeed(7, 'loss', 0),
      };
      const a = new Link(env, options);
      const b = new Link(env, options);
      expect([a.idle, new Link(env, { ...options, stream: undefined, rng: () => 0.5 }).idle]).toEqual([
        true,
        false,
      ]); // an rng of its own: not by numbers
      const roster = new LinkRoster();
      const i = roster.add(b);
      const arrivals: [number, number][] = [];
      // Sizes and latest bounds that give accepted, refused (their draw kept) and stalled bookings, each
      // made a little before its start.
      for (let k = 0; k < 40; k++) {
        const bytes = 20_000 + 7_000 * (k % 5);
        const start = 0.5 * k + 0.25;
        const latest = k % 7 === 3 ? start + 0.05 : Infinity;
        env.schedule(0.5 * k, () =>
          arrivals.push([a.book(bytes, start, latest), roster.book(i, bytes, start, latest, env.now)]),
        );
      }
      env.run({ until: 30 });
      for (const [x, y] of arrivals) expect(y).toBe(x);
      expect(arrivals.some(([x]) => x < 0)).toBe(true);
      expect([b.bytes, b.transfers, b.stalls, b.utilization(), b.meanActive()]).toEqual([
        a.bytes,
        a.transfers,
        a.stalls,
        a.utilization(),
        a.meanActive(),
      ]);
      expect(a.stalls).toBeGreaterThan(0);
    });
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
      expect.objectContaining({
        code: ResourceErrorCode.BAD_OPTION,
        details: expect.objectContaining({ option }),
      }),
    );
  });
});
