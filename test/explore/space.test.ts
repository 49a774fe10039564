import { describe, expect, it } from 'vitest';
import { ExploreError } from '../../src/explore/errors.js';
import { makeParam, parseParamFlag, Space } from '../../src/explore/space.js';

describe('parameter space', () => {
  it('--param lo..hi with integer bounds means every integer between them', () => {
    const p = parseParamFlag('cloud.engine.pools.extract=1..12');
    expect(p.levels).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(p.path).toBe('cloud.engine.pools.extract');
  });

  it('--param lo..hi:step, lo..hi:log and a,b,c lists', () => {
    expect(parseParamFlag('x=10..60:10').levels).toEqual([10, 20, 30, 40, 50, 60]);
    expect(parseParamFlag('x=0.1..0.5:0.1').levels).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    const log = parseParamFlag('rate=0.5..8:log');
    expect(log.levels).toBeUndefined();
    expect(log).toMatchObject({ min: 0.5, max: 8, log: true });
    expect(parseParamFlag('host=gpu-v100,gpu-a100').levels).toEqual(['gpu-v100', 'gpu-a100']);
    expect(parseParamFlag('host=gpu-v100,gpu-a100').categorical).toBe(true);
  });

  it('rejects malformed flags, empty ranges and non-positive log ranges with BAD_PARAM', () => {
    for (const bad of ['extract', 'x=5..1', 'x=0..4:log', 'x=1..3:-1', '=1..2']) {
      expect(() => parseParamFlag(bad), bad).toThrow(ExploreError);
    }
    expect(() => new Space([])).toThrow(/no parameters/);
  });

  it('names parameters by the shortest unique tail of their path', () => {
    const s = new Space([
      parseParamFlag('cloud.engine.pools.http=1..2'),
      parseParamFlag('edge.gw.pools.http=1..2'),
      parseParamFlag('cloud.engine.pools.extract=1..2'),
    ]);
    expect(s.params.map((p) => p.name)).toEqual(['engine.pools.http', 'gw.pools.http', 'extract']);
  });

  it('a grid enumerates every combination, the last parameter fastest; overrides set each field', () => {
    const s = new Space([parseParamFlag('a=1..2'), parseParamFlag('b=x,y,z')]);
    expect(s.size).toBe(6);
    expect(s.grid()).toEqual([
      [1, 'x'],
      [1, 'y'],
      [1, 'z'],
      [2, 'x'],
      [2, 'y'],
      [2, 'z'],
    ]);
    expect(s.overrides([2, 'y'])).toEqual(['a=2', 'b="y"']);
    expect(s.record([2, 'y'])).toEqual({ a: 2, b: 'y' });
  });

  it('continuous parameters get k evenly spaced grid levels (log-spaced on a log scale)', () => {
    const s = new Space([
      makeParam('r', { min: 1, max: 100, integer: false, log: true }),
      makeParam('t', { min: 0, max: 1, integer: false, log: false }),
    ]);
    expect(s.gridLevels(0, 3)).toEqual([1, 10, 100]);
    expect(s.gridLevels(1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(s.size).toBe(Infinity);
  });

  it('the unit cube maps onto levels uniformly, and back to the centre of each level', () => {
    const s = new Space([parseParamFlag('e=1..4')]);
    expect([0, 0.24, 0.25, 0.5, 0.99].map((u) => s.fromUnit([u])[0])).toEqual([1, 1, 2, 3, 4]);
    expect(s.toUnit([3])).toEqual([0.625]);
  });

  it('model coordinates round-trip: level indices for discrete parameters, logs for log ranges', () => {
    const s = new Space([
      parseParamFlag('e=10..60:10'),
      makeParam('r', { min: 1, max: 100, integer: false, log: true }),
    ]);
    expect(s.coords()).toEqual([
      { lo: 0, hi: 5, step: 1 },
      { lo: 0, hi: Math.log(100) },
    ]);
    const c = [40, 10];
    expect(s.toCoord(c)[0]).toBe(3);
    expect(s.fromCoord(s.toCoord(c))).toEqual([40, 10]);
    expect(s.fromCoord([7.4, 99])).toEqual([60, 100]);
  });
});
