import { describe, expect, it } from 'vitest';
import { predict } from '../../src/calibrate/predict.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';

describe("the twin's response-time sample for distributions (validate-twin's KS and CDFs)", () => {
  it('is the population the metrics count: every answer after the warm-up, long ones included', () => {
    // 8 users per host in a 10 s window after 2 s of warm-up: answers take over a second, so many requests
    // answered in the window were sent before the warm-up ended (a sample of requests sent after it had
    // 157 of 213 answers, and the shortest).
    const s = loadScenarioOrThrow('scenarios/local-testbed.yaml', {
      overrides: ['edge.users.workload.users=8', 'run.duration=10', 'run.warmup=2'],
    });
    const one = predict(s, { replications: 1 });
    const completed = (one.result as unknown as { completed: number }).completed;
    expect(one.responseTimes).toHaveLength(completed);
    const mean = one.responseTimes.reduce((a, b) => a + b, 0) / completed;
    expect(mean).toBeCloseTo(one.result.responseTime.mean, 9);
    const five = predict(s, { replications: 5 });
    expect(five.responseTimes.length).toBe(
      Math.round((five.result as unknown as { completed: number }).completed * 5),
    );
    expect([...five.responseTimes].sort((a, b) => a - b)).toEqual(five.responseTimes);
  });
});
