import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  holdLiveTestLock,
  liveFixtureRun,
  liveRequirements,
  readTraceSpans,
  type TraceSpan,
} from './support.js';

const skip = liveRequirements();
const stateRoot = '/tmp/e2ctwin-live-test-balance';
const out = mkdtempSync(path.join(tmpdir(), 'e2ctwin-balance-'));

// One live test file at a time (see liveTestLock).
holdLiveTestLock(skip, () => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skip)(`instance choice (balance) in live mode${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('testbeds/local.yaml: six users round-robin over two engines, engine #1 stopped at 14 s: requests alternate before, the survivor serves every one after, at most one failure per user; nothing left', async () => {
    const dir = path.join(out, 'run');
    const { run } = await liveFixtureRun({
      fixture: 'test/live/fixtures/plantnet-balance.yaml',
      dir,
      stateRoot,
    });
    expect(run.events).toHaveLength(1);
    const stop = run.events[0] as { action: string; scheduledS: number; appliedS: number; lateS: number };
    expect(stop.action).toBe('stop');
    expect(stop.scheduledS - run.windows[0].start).toBeCloseTo(14, 6);
    expect(stop.lateS).toBeLessThan(1);

    // Which engine served each request: the engines' own spans name their instance.
    const spans = readTraceSpans(dir);
    const servedBy = new Map<number, Set<string>>();
    for (const s of spans)
      if (s.service === 'edge.engine') {
        if (!servedBy.has(s.request)) servedBy.set(s.request, new Set());
        servedBy.get(s.request)!.add(s.host);
      }
    const requests = spans.filter((s) => s.kind === 'request');
    const ok = (from: number, to: number) =>
      requests.filter((q) => q.status === 'ok' && q.start >= from && q.start < to);
    const count = (qs: TraceSpan[], host: string) =>
      qs.filter((q) => servedBy.get(q.request)?.has(host)).length;

    // Before the stop: both engines serve, in turn (one driver: its sends alternate; the counts of those
    // answered differ by the requests in flight at the stop at most, one per user).
    const before = ok(run.windows[0].start, stop.scheduledS);
    const [b0, b1] = [count(before, 'edge.engine#0'), count(before, 'edge.engine#1')];
    expect(b0).toBeGreaterThan(5);
    expect(b1).toBeGreaterThan(5);
    expect(b0 + b1).toBe(before.length);
    expect(Math.abs(b0 - b1)).toBeLessThanOrEqual(6);
    // After it: every answered request was served by the survivor.
    const after = ok(stop.appliedS, run.windows[0].end);
    expect(after.length).toBeGreaterThan(5);
    expect(count(after, 'edge.engine#0')).toBe(after.length);
    // The failures: requests in progress on #1 at the stop and those sent to it before the driver saw
    // its first failure: at most one per user, none before the stop.
    const failed = requests.filter((q) => q.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThanOrEqual(6);
    expect(failed.every((q) => q.end >= stop.scheduledS)).toBe(true);

    // The driver says what it did: #1 out of the balance at its first failure; its counts per instance.
    const log = readFileSync(path.join(dir, 'logs', 'fog.users@fog-1', 'err.log'), 'utf8');
    expect(log).toMatch(/edge\.engine#1 failed \(.*\): out of the balance/);
    const summary = JSON.parse(
      readFileSync(path.join(dir, 'logs', 'fog.users@fog-1', 'out.log'), 'utf8')
        .trim()
        .split('\n')
        .at(-1)!,
    ) as { sent: number; perTarget: number[] };
    process.stdout.write(
      `balance: before the stop #0 ${b0}, #1 ${b1} answered; after it #0 ${after.length}; failed ${failed.length}; sent per instance ${summary.perTarget.join(', ')}; stop applied ${(stop.lateS * 1000).toFixed(0)} ms late\n`,
    );
    expect(summary.perTarget[0]! + summary.perTarget[1]!).toBe(summary.sent);
    expect(summary.perTarget[0]!).toBeGreaterThan(summary.perTarget[1]!);
  }, 600_000);
});
