import { describe, expect, it } from 'vitest';
import { createStream, streamSeed } from '../../src/random/index.js';

const draw = (rng: () => number, n: number) => Array.from({ length: n }, rng);

describe('createStream', () => {
  it('createStream(seed, name, replication) is deterministic', () => {
    expect(draw(createStream(1, 'arrivals', 0), 100)).toEqual(draw(createStream(1, 'arrivals', 0), 100));
    expect(draw(createStream('1', 'arrivals', 0), 5)).toEqual(draw(createStream(1, 'arrivals', 0), 5));
  });

  it('createStream() gives different sequences for different names, seeds and replications', () => {
    const base = draw(createStream(1, 'arrivals', 0), 10);
    expect(draw(createStream(1, 'service', 0), 10)).not.toEqual(base);
    expect(draw(createStream(2, 'arrivals', 0), 10)).not.toEqual(base);
    expect(draw(createStream(1, 'arrivals', 1), 10)).not.toEqual(base);
  });

  it('a stream does not depend on how many numbers other streams drew', () => {
    const alone = draw(createStream(7, 'b', 3), 20);
    const a = createStream(7, 'a', 3);
    draw(a, 12345);
    expect(draw(createStream(7, 'b', 3), 20)).toEqual(alone);
  });

  it('createStream() draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const xs = draw(createStream(42, 'u', 0), 200_000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / xs.length));
    expect(variance).toBeCloseTo(1 / 12, 3);
  });

  it('streamSeed() names the seed string every stream is derived from', () => {
    expect(streamSeed(1, 'cloud.engine/extract', 2)).toBe('e2ctwin/1/cloud.engine/extract/2');
  });
});
