import { describe, expect, it } from 'vitest';

// A run's events as the charts over time draw them (web/lib/event-markers.js): what each says, which
// share a rule at the chart's scale, where their labels go, and the instances-up timeline as steps.

type Marker = { t: number; kind: string; service: string; instance?: number; value?: number };
type Described = {
  t: number;
  kind: string;
  category: string;
  rank: number;
  short: string;
  what: string;
};
type Group = {
  x: number;
  t: number;
  markers: Described[];
  lead: Described;
  category: string;
  label: string;
  row?: number;
  x0?: number;
  x1?: number;
  anchor?: string;
};
// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const WEB_MODULE = '../../web/lib/event-markers.js';
const lib = (await import(WEB_MODULE)) as {
  describeMarkers: (m: Marker[], o?: { events?: object[]; lateS?: number }) => Described[];
  groupMarkers: (d: Described[], x: (t: number) => number, o: { width: number; gapPx?: number }) => Group[];
  placeLabels: (g: Group[], o: { width: number; rows?: number; charPx?: number; padPx?: number }) => Group[];
  groupsNear: (g: Group[], px: number, tolPx?: number) => Group[];
  stepPoints: (start: number[], windowS: number, values: (number | null)[]) => { x: number; y: number }[];
  countByCategory: (d: Described[]) => string[];
  markerTime: (t: number) => string;
};

// Markers as the simulator writes them for plantnet-spring-peak-autoscale (a scale-out, then the failure
// at the peak and the autoscaler's answer to it), out of order on purpose.
const markers: Marker[] = [
  { t: 10800, kind: 'stop', service: 'cloud.engine', instance: 0 },
  { t: 240, kind: 'autoscale', service: 'cloud.engine', value: 2 },
  { t: 240, kind: 'start', service: 'cloud.engine', instance: 1 },
  { t: 420, kind: 'up', service: 'cloud.engine', instance: 1 },
  { t: 10800, kind: 'autoscale', service: 'cloud.engine', value: 4 },
  { t: 10800, kind: 'start', service: 'cloud.engine', instance: 0 },
  { t: 12.0057, kind: 'link', service: 'edge->cloud' },
];
const events = [
  { at: 10800, action: 'stop', service: 'cloud.engine', instance: 0, recovery: 900 },
  { at: 12, action: 'link', src: 'edge', dst: 'cloud', delayMs: 150 },
];

describe('event markers (web/lib/event-markers.js)', () => {
  it('describeMarkers() sorts by time and says each kind with the values of its scenario event', () => {
    const d = lib.describeMarkers(markers, { events, lateS: 1 });
    expect(d.map((m) => m.t)).toEqual([12.0057, 240, 240, 420, 10800, 10800, 10800]);
    // Markers at the same time keep the order the run wrote them in.
    expect(d.slice(4).map((m) => m.kind)).toEqual(['stop', 'autoscale', 'start']);
    const stop = d[4]!;
    expect(stop).toMatchObject({ category: 'failure', short: 'stop #0' });
    expect(stop.what).toBe(
      'cloud.engine #0 stopped (a failure: its requests in flight fail); back after 900 s',
    );
    // A live run applies the link change 6 ms late: still its event (within lateS), with its delay.
    expect(d[0]).toMatchObject({ category: 'change', short: 'link changed' });
    expect(d[0]!.what).toBe('link edge → cloud changed (delay 150 ms)');
    expect(d[1]).toMatchObject({ category: 'scaling', short: 'auto → 2' });
    expect(d[3]).toMatchObject({ category: 'recovery', short: 'up #1' });
    // Beyond lateS the event is not that marker's: the sentence has no values.
    expect(lib.describeMarkers([markers[6]!], { events, lateS: 0.001 })[0]!.what).toBe(
      'link edge → cloud changed',
    );
    expect(lib.countByCategory(d)).toEqual(['1 failure', '4 scaling', '1 recovery', '1 change']);
  });

  it('groupMarkers() puts markers closer than gapPx on one rule, named by the most telling, and leaves out those off the chart', () => {
    const d = lib.describeMarkers(markers, { events });
    // 0..21600 s on 432 px: 50 s a pixel; 12 s is at 0.24 px, 240 s at 4.8 px, 420 s at 8.4 px: a group
    // spans less than gapPx from its first marker, so the 420 s one starts the next.
    const x = (t: number) => t / 50;
    const groups = lib.groupMarkers(d, x, { width: 432, gapPx: 6 });
    expect(groups.map((g) => g.markers.length)).toEqual([3, 1, 3]);
    expect(groups[0]!.x).toBeCloseTo(12.0057 / 50, 9);
    // The autoscaler's decision names the group (before the link change and the launch).
    expect(groups[0]!.label).toBe('auto → 2 +2');
    expect(groups[1]!.label).toBe('up #1');
    // The failure names its group, before the autoscaler and the launch it caused.
    expect(groups[2]).toMatchObject({ t: 10800, category: 'failure', label: 'stop #0 +2' });
    // Every marker is in exactly one group.
    expect(groups.reduce((a, g) => a + g.markers.length, 0)).toBe(markers.length);
    // A finer scale separates them; a zoomed range leaves out what is outside it.
    expect(lib.groupMarkers(d, (t) => t, { width: 21600 }).map((g) => g.markers.length)).toEqual([
      1, 2, 1, 3,
    ]);
    const zoomed = lib.groupMarkers(d, (t) => (t - 10000) / 2, { width: 500 });
    expect(zoomed.map((g) => g.t)).toEqual([10800]);
    expect(lib.groupsNear(groups, 218, 5).map((g) => g.t)).toEqual([10800]);
    expect(lib.groupsNear(groups, 210, 5)).toEqual([]);
  });

  it('placeLabels() keeps labels from touching: a second row, the end anchor near the right edge, none when no row is free, the most telling first', () => {
    const g = (x: number, label: string, rank = 1) => ({ x, label, lead: { rank } }) as Group;
    const placed = lib.placeLabels([g(0, 'aaaa'), g(10, 'bbbb'), g(20, 'cccc'), g(60, 'dddd'), g(98, 'ee')], {
      width: 100,
      rows: 2,
      charPx: 6,
      padPx: 4,
    });
    // 'aaaa' spans 3..27 px (row 0), 'bbbb' 13..37 (row 1), 'cccc' 23..47 touches both: left out.
    expect(placed.map((p) => p.row)).toEqual([0, 1, -1, 0, 1]);
    expect(placed[3]).toMatchObject({ x0: 63, x1: 87, anchor: 'start' });
    // Near the right edge the label ends at its rule.
    expect(placed[4]).toMatchObject({ anchor: 'end', x0: 83, x1: 95 });
    const apart = (list: Group[]) => {
      for (const row of [0, 1]) {
        const inRow = list.filter((p) => p.row === row).sort((a, b) => a.x0! - b.x0!);
        for (let i = 1; i < inRow.length; i++)
          expect(inRow[i]!.x0!).toBeGreaterThanOrEqual(inRow[i - 1]!.x1! + 4);
      }
    };
    apart(placed);
    // A failure (rank 0) between two scalings gets its label; one of theirs gives way.
    const ranked = lib.placeLabels([g(0, 'aaaa'), g(10, 'bbbb'), g(20, 'stop', 0)], {
      width: 100,
      rows: 2,
      charPx: 6,
      padPx: 4,
    });
    expect(ranked.map((p) => p.row)).toEqual([1, -1, 0]);
    apart(ranked);
  });

  it('stepPoints() gives a step line whose steps are at the windows’ bounds and which reads each window’s value at its middle', () => {
    const pts = lib.stepPoints([60, 240, 420], 180, [1, 1.5, null]);
    expect(pts).toEqual([
      { x: 60, y: 1 },
      { x: 150, y: 1 },
      { x: 330, y: 1.5 },
      { x: 510, y: NaN },
      { x: 600, y: NaN },
    ]);
    // d3.curveStep changes level half-way between two points: at 240 and 420, the windows' bounds.
    expect((pts[1]!.x + pts[2]!.x) / 2).toBe(240);
    expect((pts[2]!.x + pts[3]!.x) / 2).toBe(420);
    expect(lib.stepPoints([], 180, [])).toEqual([]);
  });

  it('markerTime() says seconds, and the clock reading from a minute on', () => {
    expect(lib.markerTime(12.0057)).toBe('12.006 s');
    expect(lib.markerTime(10800)).toBe('10800 s (3:00:00)');
    expect(lib.markerTime(1441.0454)).toBe('1441 s (0:24:01)');
  });
});
