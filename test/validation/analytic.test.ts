import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';

// Each validation scenario states its analytic answers under `expect:` (formulas in its description).
// The simulator must reproduce them: every analytic value within 1 % relative error for means,
// utilizations and probabilities, 2 % for percentiles; and Little's law L = λW within 1 %.
//
// Coverage of the 95 % confidence intervals (≥ 10 replications each) is checked for the family of
// values: an unbiased simulator misses each interval with probability 0.05, so among k intervals the
// misses follow Binomial(k, 0.05). The test lists every miss and fails when there are more than that
// law's 99th percentile — a biased simulator misses most of them. (A per-value 95 % check would fail
// a correct simulator for about two seeds in three with ~30 values.)
const dir = path.join(import.meta.dirname, '../../scenarios/validation');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const isPercentile = (key: string) => /\.p\d\d$/.test(key);
const coverage: { value: string; inside: boolean; detail: string }[] = [];

/** Smallest m with P(Binomial(k, p) ≤ m) ≥ q. */
function binomialQuantile(k: number, p: number, q: number): number {
  let cdf = 0;
  let term = (1 - p) ** k;
  for (let m = 0; m <= k; m++) {
    cdf += term;
    if (cdf >= q) return m;
    term *= ((k - m) / (m + 1)) * (p / (1 - p));
  }
  return k;
}

describe('validation against queueing theory', () => {
  it('ships the seven validation scenarios', () => {
    expect(files).toEqual([
      'closed-mva.yaml',
      'jackson3.yaml',
      'mg1-ps.yaml',
      'mg1.yaml',
      'mm1.yaml',
      'mmc.yaml',
      'mmck.yaml',
    ]);
  });

  for (const file of files) {
    describe(file, () => {
      const scenario = loadScenarioOrThrow(path.join(dir, file));
      let result: SimulationResult;
      beforeAll(() => {
        result = simulate(scenario).result;
      });

      it('runs at least 10 replications', () => {
        expect(result.replications).toBeGreaterThanOrEqual(10);
      });

      for (const [key, expected] of Object.entries(scenario.expect ?? {})) {
        const tolerance = isPercentile(key) ? 0.02 : 0.01;
        it(`${key} = ${expected} (analytic) within ${tolerance * 100} %`, () => {
          const check = result.expect[key]!;
          expect(check, `no simulated value for ${key}`).toBeDefined();
          expect(Math.abs(check.relativeError)).toBeLessThanOrEqual(tolerance);
          coverage.push({
            value: `${file} ${key}`,
            inside: check.insideCi,
            detail: `${expected} vs ${check.simulated} [${check.lo}, ${check.hi}]`,
          });
        });
      }

      it("Little's law: mean number in system = throughput × mean response time", () => {
        const L = result.inSystem.mean;
        const lambdaW = result.throughput * result.responseTime.mean;
        expect(Math.abs(L - lambdaW) / lambdaW).toBeLessThan(0.01);
      });
    });
  }

  it('the 95 % confidence intervals cover the analytic values as often as they should', () => {
    expect(coverage.length).toBeGreaterThanOrEqual(20);
    const misses = coverage.filter((c) => !c.inside);
    const allowed = binomialQuantile(coverage.length, 0.05, 0.99);
    for (const m of misses) console.log(`outside its 95 % CI: ${m.value}: ${m.detail}`);
    expect(misses.length, misses.map((m) => m.value).join('; ')).toBeLessThanOrEqual(allowed);
  });
});
