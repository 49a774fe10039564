import { beforeEach, describe, expect, it } from 'vitest';
import { Env } from '../../src/kernel/index.js';
import { ResourceErrorCode, Store } from '../../src/resources/index.js';

let env: Env;
let log: unknown[][];
beforeEach(() => {
  env = new Env();
  log = [];
});

describe('Store', () => {
  it('store.get() returns items in FIFO order', () => {
    const store = new Store<string>(env);
    store.put('a');
    store.put('b');
    store.get((item) => log.push([item]));
    store.get((item) => log.push([item]));
    expect(log).toEqual([['a'], ['b']]);
    expect(store.size).toBe(0);
  });

  it('store.get() on an empty store waits for the next put', () => {
    const store = new Store<number>(env);
    expect(store.get((item, arg) => log.push([item, arg, env.now]), 'ctx')).toBe(false);
    env.schedule(3, () => store.put(7));
    env.run();
    expect(log).toEqual([[7, 'ctx', 3]]);
  });

  it('store.put() on a full store waits until a get makes room; the getter is called back first', () => {
    const store = new Store<string>(env, { capacity: 1 });
    expect(store.put('x', () => log.push(['put x', env.now]))).toBe(true);
    expect(store.put('y', () => log.push(['put y', env.now]))).toBe(false);
    expect(store.waitingPuts).toBe(1);
    env.schedule(2, () => store.get((item) => log.push(['got', item, env.now])));
    env.run();
    expect(log).toEqual([
      ['put x', 0],
      ['got', 'x', 2],
      ['put y', 2],
    ]);
    expect(store.size).toBe(1);
  });

  it('putEvent()/getEvent() let a producer and a consumer process meet (SimPy style)', () => {
    const store = new Store<string>(env, { capacity: 2 });
    env.process(function* producer() {
      for (const item of ['p1', 'p2', 'p3', 'p4']) {
        yield store.putEvent(item);
        log.push(['put', item, env.now]);
      }
    });
    env.process(function* consumer() {
      for (;;) {
        yield env.timeout(1);
        const item: string = yield store.getEvent();
        log.push(['got', item, env.now]);
      }
    });
    env.run({ until: 5 });
    expect(log).toEqual([
      ['put', 'p1', 0],
      ['put', 'p2', 0],
      ['got', 'p1', 1],
      ['put', 'p3', 1],
      ['got', 'p2', 2],
      ['put', 'p4', 2],
      ['got', 'p3', 3],
      ['got', 'p4', 4],
    ]);
  });

  it('new Store(env, { capacity: 0 }) throws E2C_ERR_RESOURCE_BAD_OPTION', () => {
    expect(() => new Store(env, { capacity: 0 })).toThrow(
      expect.objectContaining({ code: ResourceErrorCode.BAD_OPTION }),
    );
  });
});
