import { describe, expect, it } from 'vitest';
import {
  BUCKETS,
  HIGHEST,
  LOG_RATIO,
  LOWEST,
  logBucket,
  logBucketByLog,
} from '../../src/metrics/log-bucket.js';
import { createStream } from '../../src/random/index.js';

// The doubles next to x: steps of one unit in the last place, down and up.
const bits = new Float64Array(1);
const ints = new BigInt64Array(bits.buffer);
function nextDouble(x: number, steps: number): number {
  bits[0] = x;
  ints[0] = (ints[0] as bigint) + BigInt(steps);
  return bits[0] as number;
}

describe('logBucket (the histogram bucket without a logarithm)', () => {
  it('logBucket(x) equals the defining formula for the 41 doubles around every bucket bound', () => {
    let checked = 0;
    const mismatches: number[] = [];
    for (let j = 0; j <= BUCKETS; j++) {
      const bound = LOWEST * Math.exp(j * LOG_RATIO);
      for (let s = -20; s <= 20; s++) {
        const x = nextDouble(bound, s);
        if (!(x >= LOWEST && x < HIGHEST)) continue;
        checked++;
        if (logBucket(x) !== logBucketByLog(x)) mismatches.push(x);
      }
    }
    expect(checked).toBeGreaterThan(40 * BUCKETS);
    expect(mismatches).toEqual([]);
  });

  it('logBucket(x) equals the defining formula on 10⁶ log-uniform values over [1e-9, 1e9) and at the ends', () => {
    const rng = createStream(1, 'log-bucket-test', 0);
    const span = Math.log(HIGHEST / LOWEST);
    const mismatches: number[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const x = LOWEST * Math.exp(span * rng());
      if (x < HIGHEST && logBucket(x) !== logBucketByLog(x)) mismatches.push(x);
    }
    for (const x of [LOWEST, nextDouble(LOWEST, 1), nextDouble(HIGHEST, -1), 1, 0.5, 2, 1.01, 3600])
      if (logBucket(x) !== logBucketByLog(x)) mismatches.push(x);
    expect(mismatches).toEqual([]);
    expect(logBucket(LOWEST)).toBe(0);
    expect(logBucket(nextDouble(HIGHEST, -1))).toBe(BUCKETS - 1);
  });
});
