import { describe, expect, it } from 'vitest';

// Rows of the timeline for a window of a trace: the threads the whole trace uses keep their rows.

type Span = {
  request: number;
  kind: string;
  name: string;
  service: string;
  host: string;
  pool?: string;
  lane?: number;
  start: number;
  end: number;
};
type Layout = { rows: { group: string; track: string; lane?: number }[]; rowOf: Int32Array };
// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const WEB_MODULE = '../../web/lib/lanes.js';
const { layoutLanes, lanesOf } = (await import(WEB_MODULE)) as {
  layoutLanes: (spans: Span[], poolOrder?: string[], known?: Map<string, Set<number>> | null) => Layout;
  lanesOf: (spans: Span[]) => Map<string, Set<number>>;
};

const stage = (lane: number, start: number): Span => ({
  request: lane,
  kind: 'stage',
  name: 'infer',
  service: 'api',
  host: 'api#0',
  pool: 'infer',
  lane,
  start,
  end: start + 1,
});

describe('layoutLanes(spans, poolOrder, knownLanes)', () => {
  it('gives a row to each known thread of a pool, in order, with or without spans of its own', () => {
    const whole = [stage(0, 0), stage(3, 0), stage(5, 2), { ...stage(9, 1), kind: 'wait', lane: undefined }];
    const known = lanesOf(whole);
    expect([...known.entries()].map(([k, v]) => [k, [...v].sort()])).toEqual([
      ['api#0\u0000infer', [0, 3, 5]],
    ]);
    const window = [stage(3, 0.5)];
    expect(layoutLanes(window).rows.map((r) => r.lane)).toEqual([3]);
    const { rows, rowOf } = layoutLanes(window, [], known);
    expect(rows.map((r) => r.lane)).toEqual([0, 3, 5]);
    expect(rows[rowOf[0]!]!.lane).toBe(3);
  });
});
