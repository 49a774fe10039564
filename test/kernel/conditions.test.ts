import { beforeEach, describe, expect, it } from 'vitest';
import { Env, KernelErrorCode } from '../../src/kernel/index.js';

let env: Env;
let log: unknown[][];
beforeEach(() => {
  env = new Env();
  log = [];
});

describe('conditions', () => {
  it('env.allOf() succeeds when every event has, with their values in order', () => {
    env.process(function* () {
      const a = env.timeout(1, 'a');
      const b = env.timeout(3, 'b');
      const values: Map<unknown, unknown> = yield env.allOf([a, b]);
      log.push([env.now, [...values.values()]]);
    });
    env.run();
    expect(log).toEqual([[3, ['a', 'b']]]);
  });

  it('env.anyOf() succeeds with the first event', () => {
    env.process(function* () {
      const fast = env.timeout(1, 'fast');
      const slow = env.timeout(3, 'slow');
      const values: Map<unknown, unknown> = yield env.anyOf([slow, fast]);
      log.push([env.now, values.has(fast), values.has(slow)]);
    });
    env.run();
    expect(log).toEqual([[1, true, false]]);
  });

  it('env.anyOf() with a timeout implements patience', () => {
    const service = env.event<string>();
    env.schedule(5, () => service.succeed('served'));
    env.process(function* () {
      const patience = env.timeout(2);
      const r: Map<unknown, unknown> = yield env.anyOf([service, patience]);
      log.push([r.has(service) ? 'served' : 'gave up', env.now]);
    });
    env.run();
    expect(log).toEqual([['gave up', 2]]);
  });

  it('env.allOf([]) and env.anyOf([]) succeed at once', () => {
    env.process(function* () {
      yield env.allOf([]);
      yield env.anyOf([]);
      log.push(['empty', env.now]);
    });
    env.run();
    expect(log).toEqual([['empty', 0]]);
  });

  it('a condition over already processed events succeeds', () => {
    const a = env.timeout(1, 'a');
    env.process(function* () {
      yield env.timeout(2);
      const r: Map<unknown, unknown> = yield env.allOf([a]);
      log.push([env.now, r.get(a)]);
    });
    env.run();
    expect(log).toEqual([[2, 'a']]);
  });

  it('a condition fails with the first failing event, defusing it', () => {
    const bad = env.event();
    env.schedule(1, () => bad.fail(new Error('bad')));
    env.process(function* () {
      try {
        yield env.allOf([bad, env.timeout(5)]);
      } catch (err) {
        log.push([(err as Error).message, env.now]);
      }
    });
    env.run();
    expect(log).toEqual([['bad', 1]]);
  });

  it('env.allOf() of events of another env throws E2C_ERR_KERNEL_FOREIGN_EVENT', () => {
    const other = new Env();
    expect(() => env.allOf([other.timeout(1)])).toThrow(
      expect.objectContaining({ code: KernelErrorCode.FOREIGN_EVENT }),
    );
  });
});
