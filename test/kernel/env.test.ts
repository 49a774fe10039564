import { describe, expect, it } from 'vitest';
import { Env, KernelErrorCode, PRIORITY_URGENT, SimulationError } from '../../src/kernel/index.js';

function logger(env: Env, log: [string, number][]) {
  return (name: string) => log.push([name, env.now]);
}

describe('Env', () => {
  it('env.run() processes events in time order and advances now', () => {
    const env = new Env();
    const log: [string, number][] = [];
    const at = logger(env, log);
    env.schedule(3, at, 'c');
    env.schedule(1, at, 'a');
    env.schedule(2, at, 'b');
    env.run();
    expect(log).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(env.now).toBe(3);
    expect(env.eventsProcessed).toBe(3);
  });

  it('env.schedule() orders same-time events by priority, then FIFO by insertion', () => {
    const env = new Env();
    const log: string[] = [];
    const push = (s: string) => log.push(s);
    env.schedule(1, push, 'n1');
    env.schedule(1, push, 'late-prio', 5);
    env.schedule(1, push, 'n2');
    env.schedule(1, push, 'urgent', PRIORITY_URGENT);
    env.schedule(0.5, push, 'earlier', 99);
    env.schedule(1, push, 'n3');
    env.run();
    expect(log).toEqual(['earlier', 'urgent', 'n1', 'n2', 'n3', 'late-prio']);
  });

  it('env.schedule() keeps FIFO order among thousands of same-time events across heap growth', () => {
    const env = new Env();
    const log: number[] = [];
    for (let i = 0; i < 5000; i++) env.schedule(i % 2 === 0 ? 1 : 2, (k: number) => log.push(k), i);
    env.run();
    const expected = [...Array(5000).keys()]
      .filter((i) => i % 2 === 0)
      .concat([...Array(5000).keys()].filter((i) => i % 2 === 1));
    expect(log).toEqual(expected);
  });

  it('env.schedule() from a handler at delay 0 runs after the events already due now', () => {
    const env = new Env();
    const log: string[] = [];
    env.schedule(1, () => {
      log.push('first');
      env.schedule(0, () => log.push('spawned'));
    });
    env.schedule(1, () => log.push('second'));
    env.run();
    expect(log).toEqual(['first', 'second', 'spawned']);
  });

  it('env.scheduleAt() schedules at an absolute time', () => {
    const env = new Env();
    const log: [string, number][] = [];
    env.schedule(1, () => env.scheduleAt(4.5, logger(env, log), 'x'));
    env.run();
    expect(log).toEqual([['x', 4.5]]);
  });

  it('env.cancel() removes a pending event and returns false for stale ids', () => {
    const env = new Env();
    const log: string[] = [];
    const a = env.schedule(1, () => log.push('a'));
    const b = env.schedule(2, () => log.push('b'));
    expect(a).toBeGreaterThan(0);
    expect(env.cancel(a)).toBe(true);
    expect(env.cancel(a)).toBe(false);
    expect(env.pending).toBe(1);
    env.run();
    expect(log).toEqual(['b']);
    expect(env.cancel(b)).toBe(false); // already ran
    expect(env.eventsProcessed).toBe(1);
  });

  it('env.cancel() of a stale id never cancels the event that reuses its slot', () => {
    const env = new Env();
    const log: string[] = [];
    const first = env.schedule(1, () => log.push('first'));
    env.run();
    const second = env.schedule(1, () => log.push('second')); // reuses the freed slot
    expect(second).not.toBe(first);
    expect(env.cancel(first)).toBe(false);
    env.run();
    expect(log).toEqual(['first', 'second']);
  });

  it('env.cancel() of an unknown id is a no-op', () => {
    const env = new Env();
    expect(env.cancel(0)).toBe(false);
    expect(env.cancel(-5)).toBe(false);
    expect(env.cancel(123456789)).toBe(false);
  });

  it('env.run({ until }) processes events at until, stops before later ones, and sets now = until', () => {
    const env = new Env();
    const log: [string, number][] = [];
    const at = logger(env, log);
    env.schedule(1, at, 'a');
    env.schedule(5, at, 'b');
    env.schedule(6, at, 'c');
    env.run({ until: 5 });
    expect(log).toEqual([
      ['a', 1],
      ['b', 5],
    ]);
    expect(env.now).toBe(5);
    env.run({ until: 5.5 });
    expect(env.now).toBe(5.5);
    env.run();
    expect(log.at(-1)).toEqual(['c', 6]);
  });

  it('env.run({ until }) advances now to until when the queue empties first', () => {
    const env = new Env();
    env.schedule(1, () => {});
    env.run({ until: 10 });
    expect(env.now).toBe(10);
  });

  it('env.run({ until }) before now throws E2C_ERR_KERNEL_BAD_UNTIL', () => {
    const env = new Env();
    env.run({ until: 3 });
    expect(() => env.run({ until: 2 })).toThrow(expect.objectContaining({ code: KernelErrorCode.BAD_UNTIL }));
  });

  it('env.stop() from a handler ends the run after that handler', () => {
    const env = new Env();
    const log: string[] = [];
    env.schedule(1, () => {
      log.push('a');
      env.stop();
    });
    env.schedule(1, () => log.push('b'));
    env.schedule(2, () => log.push('c'));
    env.run({ until: 10 });
    expect(log).toEqual(['a']);
    expect(env.now).toBe(1); // stopped: now stays at the stopping event
    env.run();
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('env.peek() returns the next live event time, skipping cancelled ones', () => {
    const env = new Env();
    expect(env.peek()).toBe(Infinity);
    const a = env.schedule(1, () => {});
    env.schedule(2, () => {});
    env.cancel(a);
    expect(env.peek()).toBe(2);
  });

  it('env.step() processes exactly one event', () => {
    const env = new Env();
    const log: string[] = [];
    env.schedule(1, () => log.push('a'));
    env.schedule(2, () => log.push('b'));
    expect(env.step()).toBe(true);
    expect(log).toEqual(['a']);
    expect(env.now).toBe(1);
    expect(env.step()).toBe(true);
    expect(env.step()).toBe(false);
  });

  it('a throwing handler stops run() with E2C_ERR_KERNEL_HANDLER_FAILED carrying now and the cause', () => {
    const env = new Env();
    const boom = new Error('boom');
    const log: string[] = [];
    env.schedule(2.5, () => {
      throw boom;
    });
    env.schedule(3, () => log.push('later'));
    let caught: unknown;
    try {
      env.run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SimulationError);
    const error = caught as SimulationError;
    expect(error.code).toBe(KernelErrorCode.HANDLER_FAILED);
    expect(error.now).toBe(2.5);
    expect(error.cause).toBe(boom);
    expect(error.message).toMatch(/simulated time 2\.5 s: boom/);
    // The run can resume: the failed event is gone, the rest is intact.
    env.run();
    expect(log).toEqual(['later']);
  });

  it.each([
    ['negative', -1],
    ['NaN', NaN],
    ['infinite', Infinity],
  ])('env.schedule() with a %s delay throws E2C_ERR_KERNEL_BAD_DELAY', (_, delay) => {
    const env = new Env();
    expect(() => env.schedule(delay, () => {})).toThrow(
      expect.objectContaining({ code: KernelErrorCode.BAD_DELAY, details: { delay } }),
    );
  });

  it('env.scheduleAt() in the past throws E2C_ERR_KERNEL_BAD_DELAY saying so', () => {
    const env = new Env();
    env.run({ until: 5 });
    expect(() => env.scheduleAt(4, () => {})).toThrow(/time 4 is in the past \(now = 5 s\)/);
  });

  it('env.run() from inside a handler throws E2C_ERR_KERNEL_RUN_REENTERED', () => {
    const env = new Env();
    env.schedule(1, () => env.run());
    expect(() => env.run()).toThrow(expect.objectContaining({ code: KernelErrorCode.RUN_REENTERED }));
  });

  it('env.schedule() recycles slots: a long chain keeps the queue small', () => {
    const env = new Env();
    let n = 0;
    const tick = () => {
      if (++n < 100_000) env.schedule(0.001, tick);
    };
    env.schedule(0, tick);
    env.run();
    expect(n).toBe(100_000);
    expect(env.capacity).toBe(64); // never grew beyond the initial capacity
  });

  it('the same schedule gives the same event trace (determinism)', () => {
    const trace = () => {
      const env = new Env();
      const log: number[] = [];
      let x = 1;
      const tick = (k: number) => {
        log.push(k, env.now);
        x = (x * 48271) % 2147483647;
        if (log.length < 2000) env.schedule((x % 7) / 4, tick, k + 1, x % 3);
      };
      for (let i = 0; i < 5; i++) env.schedule(0, tick, i * 1000);
      env.run();
      return log;
    };
    expect(trace()).toEqual(trace());
  });
});

describe('env.reschedule()', () => {
  it('moves a pending event as if cancelled and scheduled again (same handler, new id, ordered as new)', () => {
    const env = new Env();
    const log: [string, number][] = [];
    const a = env.schedule(5, (x: string) => log.push([x, env.now]), 'a');
    env.schedule(2, (x: string) => log.push([x, env.now]), 'b');
    env.schedule(2, () => {
      const moved = env.reschedule(a, 0); // to now = 2, after the already scheduled 'c' at 2
      expect(moved).not.toBe(a);
      expect(env.cancel(a)).toBe(false); // the old id is stale
    });
    env.schedule(2, (x: string) => log.push([x, env.now]), 'c');
    env.run();
    expect(log).toEqual([
      ['b', 2],
      ['c', 2],
      ['a', 2],
    ]);
  });

  it('returns 0 for an event that already ran or was cancelled, and cancel() removes entries at once', () => {
    const env = new Env();
    const id = env.schedule(1, () => {});
    env.run();
    expect(env.reschedule(id, 1)).toBe(0);
    const ids = Array.from({ length: 100 }, (_, i) => env.schedule(i + 1, () => {}));
    for (const x of ids.slice(0, 99)) env.cancel(x);
    expect(env.pending).toBe(1);
    expect(env.peek()).toBe(env.now + 100);
  });
});

describe('env.claim()', () => {
  // A handler that owns a stream of happenings at `times`: it claims each next one, and schedules an event
  // for it when the claim is refused. The trace must be the one of scheduling every happening.
  function stream(env: Env, times: number[], log: [string, number][], useClaim: boolean): void {
    let i = 0;
    const fire = (): void => {
      for (;;) {
        log.push([`s${i}`, env.now]);
        i++;
        if (i === times.length) return;
        if (!useClaim || !env.claim(times[i]!)) {
          env.scheduleAt(times[i]!, fire);
          return;
        }
      }
    };
    env.scheduleAt(times[0]!, fire);
  }

  function trace(
    useClaim: boolean,
    until?: number,
  ): { log: [string, number][]; events: number; now: number } {
    const env = new Env();
    const log: [string, number][] = [];
    stream(env, [1, 1.5, 2, 2.5, 3, 4, 6, 7], log, useClaim);
    env.schedule(2, (x: string) => log.push([x, env.now]), 'other at 2'); // ties with s2: scheduled first, runs first
    env.schedule(5, (x: string) => log.push([x, env.now]), 'other at 5');
    env.run(until === undefined ? {} : { until });
    return { log, events: env.eventsProcessed, now: env.now };
  }

  it('goes on at a later time exactly when that event would have run next: same order, same count', () => {
    const claimed = trace(true);
    expect(claimed).toEqual(trace(false));
    expect(claimed.log.map(([x]) => x)).toEqual([
      's0',
      's1',
      'other at 2',
      's2',
      's3',
      's4',
      's5',
      'other at 5',
      's6',
      's7',
    ]);
  });

  it('stays within run({ until })', () => {
    const claimed = trace(true, 3.5);
    expect(claimed).toEqual(trace(false, 3.5));
    expect(claimed.log.at(-1)).toEqual(['s4', 3]);
  });

  it('refuses outside a handler, in the past, after stop(), and when an event is due at that time', () => {
    const env = new Env();
    expect(env.claim(1)).toBe(false);
    const seen: boolean[] = [];
    env.schedule(2, () => {
      seen.push(env.claim(1)); // in the past
      seen.push(env.claim(3)); // an event is due at 3
      seen.push(env.claim(2.5)); // free
      expect(env.now).toBe(2.5);
      env.stop();
      seen.push(env.claim(2.75)); // stopped
    });
    env.schedule(3, () => {});
    env.run();
    expect(seen).toEqual([false, false, true, false]);
    expect(env.now).toBe(2.5);
    expect(env.eventsProcessed).toBe(2);
  });
});

describe('env.post()', () => {
  // A model whose handlers schedule more events at drawn delays (many at equal times, to exercise FIFO ties),
  // some of which are cancelled; `usePost` posts every event whose id is not kept. The log must not change.
  function trace(usePost: boolean): string[] {
    const env = new Env();
    const log: string[] = [];
    let x = 7;
    const draw = (): number => {
      x = (x * 48271) % 2147483647;
      return x % 5 === 0 ? 0 : (x % 4) * 0.5;
    };
    let left = 2000;
    const handler = (name: number): void => {
      log.push(`${name}@${env.now}`);
      if (--left <= 0) return;
      const doomed = env.schedule(draw(), handler, -name);
      if (usePost) env.post(draw(), handler, name + 1);
      else env.schedule(draw(), handler, name + 1);
      if (name % 3 === 0) env.cancel(doomed);
    };
    for (let i = 0; i < 4; i++)
      usePost ? env.post(i * 0.5, handler, i * 1000) : env.schedule(i * 0.5, handler, i * 1000);
    env.run();
    return log;
  }

  it('env.post() gives the same event log as env.schedule() (ties, cancels of other events and heap growth included)', () => {
    const scheduled = trace(false);
    expect(scheduled.length).toBeGreaterThan(2000);
    expect(trace(true)).toEqual(scheduled);
  });

  it('env.post() rejects a negative or non-finite delay like env.schedule()', () => {
    const env = new Env();
    for (const d of [-1, Number.NaN, Infinity])
      expect(() => env.post(d, () => {})).toThrow(
        expect.objectContaining({ code: KernelErrorCode.BAD_DELAY }),
      );
  });
});
