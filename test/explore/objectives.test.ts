import { describe, expect, it } from 'vitest';
import { ExploreError } from '../../src/explore/errors.js';
import { summarize } from '../../src/explore/metrics.js';
import {
  deriveMetrics,
  margins,
  minimized,
  parseConstraint,
  parseObjective,
  violation,
} from '../../src/explore/objectives.js';

const rep = (rt: number, mem: number, feasible = 1) => ({
  'responseTime.mean': rt,
  'responseTime.p95': 2 * rt,
  gpuMemoryPeakGiB: mem,
  feasible,
  'pools.http.size': 40,
  'pools.extract.size': 7,
});

describe('objectives and constraints', () => {
  it('objectives minimize by default, maximize with max:, and may be weighted sums of metrics', () => {
    expect(parseObjective('responseTime.p95')).toEqual({ key: 'responseTime.p95', sense: 'min' });
    expect(parseObjective('max:throughput')).toEqual({ key: 'throughput', sense: 'max' });
    const sum = parseObjective('pools.http.size + 10*pools.extract.size');
    expect(sum.terms).toEqual([
      { weight: 1, key: 'pools.http.size' },
      { weight: 10, key: 'pools.extract.size' },
    ]);
    expect(deriveMetrics(rep(2, 26.5), [sum])[sum.key]).toBe(110);
    expect(() => parseObjective('min:')).toThrow(ExploreError);
    expect(() => parseObjective('2*+x')).toThrow(ExploreError);
  });

  it('a maximized metric is negated for the optimizers', () => {
    const s = summarize([{ throughput: 7 }, { throughput: 9 }]);
    expect(minimized(s, { key: 'throughput', sense: 'max' })).toBe(-8);
  });

  it('violation is 0 when every constraint holds, else the relative misses, plus 1 when infeasible (GPU memory beyond the card)', () => {
    const cs = [parseConstraint('gpuMemoryPeakGiB <= 32'), parseConstraint('responseTime.p95 <= 3')];
    expect(violation(summarize([rep(1, 26.5)]), cs)).toBe(0);
    expect(violation(summarize([rep(2, 26.5)]), cs)).toBeCloseTo(1 / 3, 6);
    expect(violation(summarize([rep(1, 33.5, 0)]), cs)).toBeCloseTo(1 + 1.5 / 32, 6);
    // Infeasible in one replication is infeasible.
    expect(summarize([rep(1, 26.5, 1), rep(1, 26.5, 0)]).mean.feasible).toBe(0);
    expect(margins(summarize([rep(1, 26.5)]), cs)).toEqual([-0.5, -5.5 / 32, -1 / 3]);
  });

  it('a constraint bound may be a numeric field of the scenario; anything else is a BAD_CONSTRAINT', () => {
    expect(parseConstraint('throughput >= 7.5')).toMatchObject({ key: 'throughput', op: '>=', bound: 7.5 });
    expect(() => parseConstraint('gpuMemoryPeakGiB <= host.gpu.memoryGiB')).toThrow(
      /neither a number nor a numeric scenario field/,
    );
    expect(() => parseConstraint('gpuMemoryPeakGiB = 32')).toThrow(ExploreError);
  });
});
