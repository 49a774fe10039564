import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortFanout } from '../../src/explore/abort-fanout.js';

/** A promise and its settlers (Node 20 has no Promise.withResolvers). */
function gate<T>() {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('AbortFanout', () => {
  it('holds one abort listener for any number of waits, and rejects every unsettled wait on abort', async () => {
    const fanout = new AbortFanout();
    const ctl = new AbortController();
    const gates = Array.from({ length: 40 }, () => gate<number>());
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const waits = gates.map((g) => fanout.race(g.promise, ctl.signal));
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(1);
    gates[0]!.resolve(7);
    gates[1]!.reject(new Error('trial failed'));
    await expect(waits[0]).resolves.toBe(7);
    await expect(waits[1]).rejects.toThrow('trial failed');
    ctl.abort(new Error('stopped'));
    const rest = await Promise.allSettled(waits.slice(2));
    expect(rest.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'stopped')).toBe(
      true,
    );
    // A wait settled after the abort changes nothing.
    gates[5]!.resolve(1);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('refuses a wait on a signal that has already aborted', () => {
    const ctl = new AbortController();
    ctl.abort(new Error('gone'));
    expect(() => new AbortFanout().race(Promise.resolve(1), ctl.signal)).toThrow('gone');
  });
});
