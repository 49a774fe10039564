import { describe, expect, it } from 'vitest';
import { queueProgressLine } from '../../src/cli/commands/explore-shared.js';

describe('the progress line of a study on a queue', () => {
  it('shows trials done of planned, the workers taking them and the time left at the rate so far', () => {
    // 12 trials in 10 s: 52 left take 43 s.
    expect(queueProgressLine({ done: 12, total: 64, reused: 0, workers: 3, elapsedMs: 10_000 })).toBe(
      'trial 12/64 · 3 workers · ETA 43 s',
    );
    expect(queueProgressLine({ done: 1, total: 2, reused: 0, workers: 1, elapsedMs: 500 })).toBe(
      'trial 1/2 · 1 worker · ETA 1 s',
    );
  });

  it('counts the rate on simulated trials only (resumed ones cost nothing), in minutes and hours when long', () => {
    // 20 resumed, 10 simulated in 60 s: 6 s each, 70 left = 420 s = 7 min.
    expect(queueProgressLine({ done: 30, total: 100, reused: 20, workers: 2, elapsedMs: 60_000 })).toBe(
      'trial 30/100 · 2 workers · ETA 7 min',
    );
    expect(queueProgressLine({ done: 10, total: 20_000, reused: 0, workers: 40, elapsedMs: 50_000 })).toBe(
      'trial 10/20000 · 40 workers · ETA 27.8 h',
    );
  });

  it('has no ETA before a trial was simulated or while no worker is connected; 0 s when all are done', () => {
    expect(queueProgressLine({ done: 0, total: 64, reused: 0, workers: 3, elapsedMs: 5000 })).toBe(
      'trial 0/64 · 3 workers · ETA –',
    );
    expect(queueProgressLine({ done: 5, total: 64, reused: 0, workers: 0, elapsedMs: 5000 })).toBe(
      'trial 5/64 · 0 workers · ETA –',
    );
    expect(queueProgressLine({ done: 64, total: 64, reused: 0, workers: 0, elapsedMs: 5000 })).toBe(
      'trial 64/64 · 0 workers · ETA 0 s',
    );
  });
});
