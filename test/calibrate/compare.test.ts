import { describe, expect, it } from 'vitest';
import { bias, mape, regret, spearman } from '../../src/calibrate/index.js';

describe('prediction scores', () => {
  it('mape() and bias() average absolute and signed relative errors', () => {
    expect(mape([1.1, 0.9], [1, 1])).toBeCloseTo(0.1, 12);
    expect(bias([1.1, 0.9], [1, 1])).toBeCloseTo(0, 12);
    expect(bias([1.2, 1.1], [1, 1])).toBeCloseTo(0.15, 12);
  });

  it('spearman() is 1 for the same order, −1 for the reverse, and averages ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9486833, 6);
  });

  it("regret() is the measured value of the twin's pick over the measured best", () => {
    expect(regret([3, 1, 2], [3, 1, 2])).toBe(1);
    expect(regret([3, 1, 2], [3, 1.5, 1])).toBe(1.5);
  });
});
