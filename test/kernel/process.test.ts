import { beforeEach, describe, expect, it } from 'vitest';
import {
  Env,
  Interrupt,
  KernelErrorCode,
  type SimEvent,
  type SimulationError,
  type ProcessGenerator,
} from '../../src/kernel/index.js';

let env: Env;
let log: unknown[][];
beforeEach(() => {
  env = new Env();
  log = [];
});

describe('generator processes', () => {
  it('env.process() runs a generator that yields timeouts', () => {
    env.process(function* pem() {
      log.push(['start', env.now]);
      yield env.timeout(2);
      log.push(['woke', env.now]);
      yield env.timeout(1.5);
      log.push(['done', env.now]);
    });
    env.run();
    expect(log).toEqual([
      ['start', 0],
      ['woke', 2],
      ['done', 3.5],
    ]);
  });

  it('yield returns the value of the event', () => {
    env.process(function* () {
      const v: string = yield env.timeout(1, 'hello');
      log.push([v, env.now]);
    });
    env.run();
    expect(log).toEqual([['hello', 1]]);
  });

  it('a process is an event: yielding it waits for its return value', () => {
    const child = function* (): ProcessGenerator<number> {
      yield env.timeout(3);
      return 42;
    };
    env.process(function* parent() {
      const result: number = yield env.process(child);
      log.push(['child returned', result, env.now]);
    });
    env.run();
    expect(log).toEqual([['child returned', 42, 3]]);
  });

  it('processes start before ordinary events scheduled for the same time', () => {
    env.schedule(0, () => log.push(['callback']));
    env.process(function* () {
      log.push(['process']);
      yield env.timeout(0);
    });
    env.run();
    expect(log).toEqual([['process'], ['callback']]);
  });

  it('yielding an already processed event resumes at once with its value', () => {
    const ev = env.timeout(1, 'x');
    env.process(function* () {
      yield env.timeout(5);
      const v: string = yield ev;
      log.push([v, env.now]);
    });
    env.run();
    expect(log).toEqual([['x', 5]]);
  });

  it('event.succeed() wakes every process waiting on it, in the order they waited', () => {
    const gate = env.event<string>();
    for (const name of ['a', 'b']) {
      env.process(function* () {
        const v: string = yield gate;
        log.push([name, v, env.now]);
      });
    }
    env.schedule(4, () => gate.succeed('open'));
    env.run();
    expect(log).toEqual([
      ['a', 'open', 4],
      ['b', 'open', 4],
    ]);
    expect(gate.state).toBe('processed');
  });

  it('event.succeed() twice throws E2C_ERR_KERNEL_EVENT_ALREADY_TRIGGERED', () => {
    const ev = env.event();
    expect(ev.state).toBe('pending');
    ev.succeed(1);
    expect(ev.state).toBe('triggered');
    expect(() => ev.succeed(2)).toThrow(
      expect.objectContaining({ code: KernelErrorCode.EVENT_ALREADY_TRIGGERED }),
    );
  });

  it('a failed event is thrown into the waiting process, which may catch it', () => {
    const ev = env.event();
    env.process(function* () {
      try {
        yield ev;
      } catch (err) {
        log.push(['caught', (err as Error).message, env.now]);
      }
    });
    env.schedule(1, () => ev.fail(new Error('nope')));
    env.run();
    expect(log).toEqual([['caught', 'nope', 1]]);
  });

  it('a process that throws fails; the parent yielding it receives the error', () => {
    env.process(function* parent() {
      try {
        yield env.process(function* child() {
          yield env.timeout(1);
          throw new Error('child broke');
        });
      } catch (err) {
        log.push(['parent caught', (err as Error).message, env.now]);
      }
    });
    env.run();
    expect(log).toEqual([['parent caught', 'child broke', 1]]);
  });

  it('an unhandled failed process crashes run() with E2C_ERR_KERNEL_EVENT_FAILED naming it', () => {
    const cause = new Error('lost');
    env.process(function* worker() {
      yield env.timeout(2);
      throw cause;
    });
    let caught: SimulationError | undefined;
    try {
      env.run();
    } catch (err) {
      caught = err as SimulationError;
    }
    expect(caught?.code).toBe(KernelErrorCode.EVENT_FAILED);
    expect(caught?.now).toBe(2);
    expect(caught?.cause).toBe(cause);
    expect(caught?.message).toMatch(/process 'worker' at simulated time 2 s: lost/);
  });

  it('a failed event nobody waits on crashes run() unless defused', () => {
    env.event().fail(new Error('ignored?'));
    expect(() => env.run()).toThrow(expect.objectContaining({ code: KernelErrorCode.EVENT_FAILED }));
    const env2 = new Env();
    const ev = env2.event();
    ev.addCallback((e) => {
      e.defused = true;
    });
    ev.fail(new Error('handled'));
    expect(() => env2.run()).not.toThrow();
  });

  it('process.interrupt() throws an Interrupt with its cause into the waiting process', () => {
    const victim = env.process(function* victim() {
      try {
        yield env.timeout(10);
        log.push(['not interrupted']);
      } catch (err) {
        expect(err).toBeInstanceOf(Interrupt);
        log.push(['interrupted', (err as Interrupt).cause, env.now]);
        yield env.timeout(1);
        log.push(['recovered', env.now]);
      }
    });
    env.process(function* () {
      yield env.timeout(3);
      victim.interrupt('go away');
    });
    env.run();
    expect(log).toEqual([
      ['interrupted', 'go away', 3],
      ['recovered', 4],
    ]);
    expect(env.now).toBe(10); // the abandoned timeout still fires, unobserved
  });

  it('an uncaught interrupt fails the process', () => {
    const victim = env.process(function* () {
      yield env.timeout(10);
    });
    env.process(function* () {
      yield env.timeout(1);
      victim.interrupt();
      try {
        yield victim;
      } catch (err) {
        log.push([(err as Error).name, env.now]);
      }
    });
    env.run();
    expect(log).toEqual([['Interrupt', 1]]);
  });

  it('process.interrupt() on a terminated process, or by itself, throws E2C_ERR_KERNEL_BAD_INTERRUPT', () => {
    const done = env.process(function* () {
      yield env.timeout(1);
    });
    env.run();
    expect(() => done.interrupt()).toThrow(expect.objectContaining({ code: KernelErrorCode.BAD_INTERRUPT }));
    const self = env.process(function* () {
      try {
        self.interrupt();
      } catch (err) {
        log.push([(err as SimulationError).code]);
      }
      yield env.timeout(0);
    });
    env.run();
    expect(log).toEqual([[KernelErrorCode.BAD_INTERRUPT]]);
  });

  it('yielding a non-event fails the process with E2C_ERR_KERNEL_BAD_YIELD at the yield', () => {
    env.process(function* () {
      try {
        yield 42 as unknown as SimEvent;
      } catch (err) {
        log.push([(err as SimulationError).code]);
      }
    });
    env.run();
    expect(log).toEqual([[KernelErrorCode.BAD_YIELD]]);
  });

  it('env.activeProcess is the running process inside it and null outside', () => {
    const p = env.process(function* () {
      log.push([env.activeProcess === p]);
      yield env.timeout(1);
    });
    env.run();
    expect(log).toEqual([[true]]);
    expect(env.activeProcess).toBeNull();
  });

  it('processes interleave deterministically like SimPy (clock example)', () => {
    function* clock(name: string, tick: number): ProcessGenerator {
      for (;;) {
        log.push([name, env.now]);
        yield env.timeout(tick);
      }
    }
    env.process(clock('fast', 0.5));
    env.process(clock('slow', 1));
    env.run({ until: 2 });
    expect(log).toEqual([
      ['fast', 0],
      ['slow', 0],
      ['fast', 0.5],
      ['slow', 1],
      ['fast', 1],
      ['fast', 1.5],
      ['slow', 2],
      ['fast', 2],
    ]);
  });
});
