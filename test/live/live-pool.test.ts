import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdLiveTestLock, liveFixtureRun, liveRequirements } from './support.js';

const skip = liveRequirements(['busybox']);
const stateRoot = '/tmp/e2ctwin-live-test-pool';
const out = mkdtempSync(path.join(tmpdir(), 'e2ctwin-pool-'));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

interface Span {
  request: number;
  kind: string;
  name: string;
  start: number;
  end: number;
  lane?: number;
}

interface Applied {
  index: number;
  action: string;
  repetition: number;
  scheduledS: number;
  startedS: number;
  appliedS: number;
  lateS: number;
  how?: string;
  note?: string;
}

/** The most spans in progress at once among `spans`. */
function maxConcurrent(spans: readonly Span[]): number {
  const edges = spans.flatMap((s) => [
    [s.start, 1],
    [s.end, -1],
  ]);
  // Ends before starts at the same time: a lane handed over is not two at once.
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) {
    now += d!;
    most = Math.max(most, now);
  }
  return most;
}

// One live test file at a time (see liveTestLock).
holdLiveTestLock(skip, () => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skip)(`timed pool events in live mode${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('testbeds/local.yaml: the engine’s extract pool 1 → 3 at 8 s, 3 → 1 at 13 s, 1 → 2 at 18 s, each within 1 s of its time; the trace shows one extraction at a time before, up to three on new lanes between, one again after the shrink, at most two at the end; nothing left (the reset to the scenario’s sizes between repetitions: pool-schedule.test.ts)', async () => {
    const dir = path.join(out, 'run');
    const { run, stdout } = await liveFixtureRun({
      fixture: 'test/live/fixtures/plantnet-events-pool.yaml',
      dir,
      stateRoot,
    });
    expect(stdout + JSON.stringify(run)).not.toContain('E2C_ERR');
    const events = run.events as Applied[];
    expect(events.map((e) => [e.repetition, e.action, e.index])).toEqual([
      [1, 'pool', 0],
      [1, 'pool', 1],
      [1, 'pool', 2],
    ]);
    const windows = run.windows as { start: number; warmupEnd: number; end: number }[];
    expect(windows).toHaveLength(1);
    for (const e of events) {
      const start = windows[e.repetition - 1]!.start;
      expect(e.scheduledS - start).toBeCloseTo([8, 13, 18][e.index]!, 6);
      expect(e.appliedS).toBeGreaterThanOrEqual(e.scheduledS);
      expect(e.lateS).toBeLessThan(1);
      expect(e.how).toBe('POST /pools to cloud.engine@cloud-1');
      expect(e.note).toBeUndefined();
    }

    // The extract spans of each repetition, by the applied times. The pool admits one at a time before
    // the grow; after it, up to three (a request's images are extracted in parallel: most have two or
    // more); after the shrink, the extractions in progress finish and then one at a time again.
    const spans = readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as Span)
      .filter((s) => s.kind === 'stage' && s.name === 'extract');
    for (const [r, w] of windows.entries()) {
      const [grow, shrink, regrow] = events.filter((e) => e.repetition === r + 1) as [
        Applied,
        Applied,
        Applied,
      ];
      const inRep = spans.filter((s) => s.start >= w.start && s.start < w.end);
      const before = inRep.filter((s) => s.start < grow.startedS);
      const between = inRep.filter((s) => s.start >= grow.appliedS && s.start < shrink.startedS);
      // Extractions granted before the shrink may still run after it: the one-at-a-time part starts
      // once the last of them ended.
      const heldOver = Math.max(
        shrink.appliedS,
        ...inRep.filter((s) => s.start < shrink.appliedS).map((s) => s.end),
      );
      const after = inRep.filter((s) => s.start >= heldOver && s.start < regrow.startedS);
      const last = inRep.filter((s) => s.start >= regrow.appliedS);
      const figures = [before, between, after, last].map(
        (x) => `${x.length} spans, max ${maxConcurrent(x)} at once`,
      );
      process.stdout.write(
        `repetition ${r + 1}: extract before the grow ${figures[0]}; grown to 3 ${figures[1]}; shrunk to 1 ${figures[2]}; grown to 2 ${figures[3]}\n`,
      );
      const at = `repetition ${r + 1}`;
      expect(before.length, at).toBeGreaterThan(5);
      expect(between.length, at).toBeGreaterThan(5);
      expect(after.length, at).toBeGreaterThan(3);
      expect(last.length, at).toBeGreaterThan(3);
      // Before the grow: one at a time, lane 0 only.
      expect(maxConcurrent(before), `${at} before`).toBe(1);
      expect(new Set(before.map((s) => s.lane)), `${at} before`).toEqual(new Set([0]));
      // Grown to 3: more than one at once on new lanes, never more than 3.
      expect(maxConcurrent(between), `${at} between`).toBeGreaterThanOrEqual(2);
      expect(maxConcurrent(between), `${at} between`).toBeLessThanOrEqual(3);
      expect(between.some((s) => (s.lane ?? 0) > 0)).toBe(true);
      expect(between.every((s) => s.lane !== undefined && s.lane <= 2)).toBe(true);
      // Shrunk to 1: one at a time again, on lane 0.
      expect(maxConcurrent(after), `${at} after`).toBe(1);
      expect(new Set(after.map((s) => s.lane))).toEqual(new Set([0]));
      // Grown to 2: at most two at once, lanes 0 and 1.
      expect(maxConcurrent(last), `${at} last`).toBeLessThanOrEqual(2);
      expect(last.every((s) => s.lane === 0 || s.lane === 1)).toBe(true);
    }

    // metrics.json: the simulator's pool markers (the new size as the value) at the applied times, on
    // the repetition's clock; the pool's size in force at the end of the window.
    const m = json(path.join(dir, 'metrics.json'));
    const reps = m.perReplication as {
      dynamics: { markers: unknown[] };
      pools: Record<string, { size: number }>;
    }[];
    const markers = reps.map((x) => x.dynamics.markers);
    expect(markers).toHaveLength(1);
    for (const [r, list] of markers.entries()) {
      const mine = events.filter((e) => e.repetition === r + 1);
      const start = windows[r]!.start;
      expect(list).toEqual([
        { t: expect.closeTo(mine[0]!.appliedS - start, 6), kind: 'pool', service: 'cloud.engine', value: 3 },
        { t: expect.closeTo(mine[1]!.appliedS - start, 6), kind: 'pool', service: 'cloud.engine', value: 1 },
        { t: expect.closeTo(mine[2]!.appliedS - start, 6), kind: 'pool', service: 'cloud.engine', value: 2 },
      ]);
    }
    // The size in force at each window's end, as the simulator reports a resized pool.
    for (const x of reps) expect(x.pools.extract!.size).toBe(2);
    expect(m.dynamics.markers).toEqual(markers[0]);
  }, 900_000);
});
