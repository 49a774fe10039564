import { describe, expect, it } from 'vitest';
import { identify, preposterior, weightedVariance } from '../../src/calibrate/index.js';
import { createStream } from '../../src/random/index.js';

describe('preposterior()', () => {
  // 200 particles of two independent parameters a, b; the quantity of interest is 3a.
  const rng = createStream(7, 'test', 0);
  const a = Array.from({ length: 200 }, () => rng());
  const b = Array.from({ length: 200 }, () => rng());
  const q = a.map((x) => 3 * x);

  it('a measurement that sees the parameter Q depends on removes most of its variance; one that sees an unrelated parameter removes about none', () => {
    const r = preposterior(q, [
      { name: 'sees-a', values: { m: a }, noiseSd: { m: 0.02 } },
      { name: 'sees-b', values: { m: b }, noiseSd: { m: 0.02 } },
    ]);
    expect(r.ranked.map((x) => x.name)).toEqual(['sees-a', 'sees-b']);
    expect(r.ranked[0]!.reduction).toBeGreaterThan(0.95);
    expect(Math.abs(r.ranked[1]!.reduction)).toBeLessThan(0.05);
  });

  it('a noisier measurement of the same parameter removes less', () => {
    const r = preposterior(q, [
      { name: 'precise', values: { m: a }, noiseSd: { m: 0.02 } },
      { name: 'noisy', values: { m: a }, noiseSd: { m: 0.3 } },
    ]);
    expect(r.ranked[0]!.name).toBe('precise');
    expect(r.ranked[1]!.reduction).toBeLessThan(r.ranked[0]!.reduction);
    expect(r.ranked[1]!.reduction).toBeGreaterThan(0.2);
  });
});

describe('weightedVariance()', () => {
  it('equals the sample variance (n − 1) under equal weights', () => {
    const q = [1, 2, 4, 8];
    const m = q.reduce((x, y) => x + y) / 4;
    expect(weightedVariance(q, [0.25, 0.25, 0.25, 0.25])).toBeCloseTo(
      q.reduce((s, x) => s + (x - m) ** 2, 0) / 3,
      12,
    );
  });
});

describe('identify()', () => {
  const priors = [
    { path: 'a', min: 1, max: 100, log: true },
    { path: 'b', min: 0, max: 10, log: false },
  ];
  it('calls a parameter whose plausible values fill the prior not identified, and one confined to a tenth of it identified (log scale for log priors)', () => {
    const rng = createStream(3, 'test', 0);
    const unit = Array.from({ length: 40 }, () => [rng(), 0.45 + 0.1 * rng()]);
    const [a, b] = identify(priors, unit);
    expect(a!.verdict).toBe('not identified by these data');
    expect(b!.verdict).toBe('identified');
    expect(b!.posterior.q05).toBeGreaterThan(4.4);
    expect(b!.posterior.q95).toBeLessThan(5.6);
    // Log prior: the median of uniform unit coordinates is near the geometric middle, 10.
    expect(a!.posterior.median).toBeGreaterThan(5);
    expect(a!.posterior.median).toBeLessThan(20);
  });
  it('gives no verdict from fewer than 10 plausible vectors', () => {
    const few = identify(priors, [
      [0.5, 0.5],
      [0.51, 0.5],
      [0.49, 0.52],
    ]);
    expect(few.map((i) => i.verdict)).toEqual([
      'undetermined: too few plausible vectors',
      'undetermined: too few plausible vectors',
    ]);
  });
});
