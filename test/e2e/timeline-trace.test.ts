import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { TRACE_OVERVIEW_FILE, traceFiles } from '../../src/run-folder/index.js';
import { parseTraceJsonl, type SpanRecord } from '../../src/trace/index.js';
import { runCliHere } from '../support/cli.js';
import { openBrowser, shiftDragTimeline, shot, startServe, watchedPage } from '../support/browser.js';

// The timeline of a quarter-million-span run, end to end (e2ctwin serve + headless Chromium): the page
// fetches the server's overview and then the windows it zooms to (never the whole trace), draws a
// selected request's flow between hosts and its critical path, and shows the statistics of a time range
// selected with Shift+drag, which must match the trace's own.

type Link = { from: SpanRecord; to: SpanRecord; toEnd: boolean; crossHost: boolean };
interface TimelineChart {
  boxOf(request: number, kind?: string): { x: number; y: number; width: number; height: number } | null;
  domain(): [number, number];
  flow(): { links: Link[]; critical: SpanRecord[] };
}
// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const CRITICAL_PATH = '../../web/lib/critical-path.js';
const { criticalPath, flowLinks } = (await import(CRITICAL_PATH)) as {
  criticalPath: (spans: SpanRecord[]) => SpanRecord[];
  flowLinks: (spans: SpanRecord[]) => Link[];
};

const BIG_TRACE_SPANS = 250_000;
const RUN = 'big-trace-run';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-e2e-timeline-'));
const runsDir = path.join(tmp, 'runs');
let server: ChildProcess | undefined;
let base = '';
let browser: Browser | undefined;
let page: Page;
let errors: string[] = [];
const spans: SpanRecord[] = [];

beforeAll(async () => {
  // plantnet's traced requests, repeated one after the other (new ids, times shifted by the trace's
  // length) until there are 250,000 spans: a long run's trace, shaped like a real one.
  const baseRun = path.join(runsDir, 'base');
  const sim = await runCliHere([
    'simulate',
    'scenarios/plantnet.yaml',
    '--out',
    baseRun,
    '-r',
    '1',
    '--no-progress',
  ]);
  expect(sim.status, sim.stderr).toBe(0);
  const trace = parseTraceJsonl(readFileSync(path.join(baseRun, 'trace.jsonl'), 'utf8'));
  const t0 = Math.min(...trace.spans.map((s) => s.start));
  const length = Math.max(...trace.spans.map((s) => s.end)) - t0;
  const ids = Math.max(...trace.spans.map((s) => s.request)) + 1;
  const copies = Math.ceil(BIG_TRACE_SPANS / trace.spans.length);
  for (let c = 0; c < copies; c++)
    for (const s of trace.spans)
      spans.push({
        ...s,
        request: s.request + c * ids,
        start: s.start + c * length,
        end: s.end + c * length,
      });
  const big = path.join(runsDir, RUN);
  mkdirSync(big);
  for (const f of ['run.json', 'scenario.resolved.json', 'metrics.json', 'series.json'])
    cpSync(path.join(baseRun, f), path.join(big, f));
  // Written as every writer of a run folder writes its trace: with the overview of it beside it.
  const header = { ...trace.header, sampledRequests: trace.header.sampledRequests * copies };
  for (const [name, text] of traceFiles(header, spans)) writeFileSync(path.join(big, name), text);
  ({ base, server } = await startServe(runsDir, tmp));
  ({ browser, page, errors } = await openBrowser(base));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * The trace answers the page asked for, with their sizes on the wire and decoded, and what the server
 * said it answered from (Server-Timing: the overview file or the trace) and in how many ms.
 */
const traceFetches = (on = page) =>
  on.evaluate((run) => {
    return (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => e.name.includes(`/api/runs/${run}/trace`))
      .map((e) => ({
        url: e.name,
        wire: e.encodedBodySize,
        decoded: e.decodedBodySize,
        end: e.responseEnd,
        from: e.serverTiming[0]?.name,
        serverMs: e.serverTiming[0]?.duration,
      }));
  }, RUN);

/** The range statistics card shows what the trace holds over [from, to] (every span, per stage). */
async function expectRangeStats(from: number, to: number) {
  const stat = async (name: string) =>
    Number((await page.textContent(`#range-stats [data-stat=${name}]`))!.replace(/,/g, ''));
  const starts = (s: SpanRecord) => s.start >= from && s.start <= to;
  expect(await stat('spans')).toBe(spans.filter((s) => s.start <= to && s.end >= from).length);
  expect(await stat('started')).toBe(spans.filter((s) => s.kind === 'request' && starts(s)).length);
  expect(await stat('completed')).toBe(
    spans.filter((s) => s.kind === 'request' && (s.status ?? 'ok') === 'ok' && s.end >= from && s.end <= to)
      .length,
  );
  const rows = await page.$$eval('#range-stats tbody tr', (trs) =>
    trs.map((tr) => ({ ...(tr as HTMLElement).dataset })),
  );
  const groups = new Map<string, number[]>();
  for (const s of spans.filter(starts)) {
    const key = `${s.kind}/${s.name}`;
    groups.set(key, [...(groups.get(key) ?? []), s.end - s.start]);
  }
  expect(rows.map((r) => r.stage).sort()).toEqual([...groups.keys()].sort());
  for (const r of rows) {
    const d = groups.get(r.stage!)!.sort((a, b) => a - b);
    expect(Number(r.count)).toBe(d.length);
    expect(Number(r.mean)).toBeCloseTo(d.reduce((a, b) => a + b, 0) / d.length, 9);
    expect(Number(r.p95)).toBe(d[Math.ceil(0.95 * d.length) - 1]);
  }
}

describe('the timeline of a 250,000-span run (headless Chromium)', () => {
  /**
   * Opens the big run from the page, as a click on it does: ms from then to the timeline's first frame,
   * and when the trace's first answer was asked for, began to arrive and was in (`a/b/c` ms).
   */
  async function openTimed(p: Page = page, at = base) {
    await p.goto(`${at}/#topology`);
    await p.waitForSelector('body[data-ready=yes]');
    const opened = await p.evaluate((run) => {
      const t = performance.now();
      location.hash = `#timeline/${run}`;
      return t;
    }, RUN);
    await p.waitForFunction(
      (n) =>
        document.querySelector('#timeline canvas[data-frames]')?.getAttribute('data-spans') === String(n),
      spans.length,
      { timeout: 60_000 },
    );
    const drawnAt = Number(await p.getAttribute('#timeline canvas', 'data-drawn-at'));
    const renderMs = await p.getAttribute('#timeline canvas', 'data-render-ms');
    // When the overview was parsed (the page's mark), ms after the opening.
    const parsed = await p.evaluate(
      (t0) => performance.getEntriesByName('e2ctwin:trace-overview').at(-1)!.startTime - t0,
      opened,
    );
    // When the trace's first answer (and the run's metrics, asked beside it) was asked for, began to
    // arrive and was in, ms after the opening.
    const [trace, metrics] = await p.evaluate(
      ({ t0, run }) =>
        [`/api/runs/${run}/trace?`, `/api/runs/${run}`].map((url) => {
          const e = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).findLast(
            (r) => (r.name.includes(url) && !url.endsWith(run)) || r.name.endsWith(url),
          );
          return e && e.startTime >= t0
            ? [e.startTime - t0, e.responseStart - t0, e.responseEnd - t0].map(Math.round).join('/')
            : 'none';
        }),
      { t0: opened, run: RUN },
    );
    return {
      ms: drawnAt - opened,
      trace: `${trace} ms, parsed at ${parsed.toFixed(0)} ms, the chart laid out and drawn in ${renderMs} ms; the run's metrics at ${metrics} ms`,
    };
  }

  it('draws first from an overview, fetching a fraction of the trace, within the bound', async () => {
    expect(spans.length).toBeGreaterThanOrEqual(BIG_TRACE_SPANS);
    // Cold: the server has not read the trace yet (just started); it answers the first frame from the
    // overview file written beside the trace, and reads the trace itself in the background.
    const { ms: cold, trace: coldTrace } = await openTimed();
    const fetched = await traceFetches();
    const wire = fetched.reduce((n, f) => n + f.wire, 0);
    const decoded = fetched.reduce((n, f) => n + f.decoded, 0);
    expect(fetched.length).toBe(1);
    expect(fetched[0]!.url).toMatch(/\/trace\?overview=1$/);
    expect(fetched[0]!.from).toBe('overview-file');
    const coldServerMs = fetched[0]!.serverMs!;
    // Every span is covered by the first frame, merged ones counting for the spans they stand for.
    expect(Number(await page.getAttribute('#timeline canvas', 'data-covered'))).toBe(spans.length);
    expect(await page.getAttribute('#timeline canvas', 'data-merged')).toBe('yes');
    await shot(page, '20-timeline-overview-250k.png');
    // What the page fetched before: the whole trace as JSON, then parsed it (timed once the server has
    // compressed it: it keeps that with the trace).
    await (
      await fetch(`${base}/api/runs/${RUN}/trace`, { headers: { 'accept-encoding': 'br' } })
    ).arrayBuffer();
    const before = await page.evaluate(async (run) => {
      const t = performance.now();
      const r = await fetch(`/api/runs/${run}/trace`);
      const { spans } = await r.json();
      return { ms: performance.now() - t, n: spans.length };
    }, RUN);
    const wholeFetch = (await traceFetches()).find((f) => f.url.endsWith('/trace'));
    // Warm: the trace read already (another window, another page opening the run); a new page, so that
    // the whole trace parsed above is not in its heap.
    const { ms: warm } = await openTimed();
    const renderMs = await page.getAttribute('#timeline canvas', 'data-render-ms');
    const whole = wholeFetch!;
    const identity = await fetch(`${base}/api/runs/${RUN}/trace`, {
      headers: { 'accept-encoding': 'identity' },
    });
    const wholeBytes = (await identity.arrayBuffer()).byteLength;
    console.log(
      `first frame of ${spans.length.toLocaleString('en-US')} spans: ${cold.toFixed(0)} ms after the run was opened cold (server just started, answering from the overview file in ${coldServerMs.toFixed(0)} ms; overview asked/first byte/in at ${coldTrace}), ` +
        `${warm.toFixed(0)} ms when opened again (chart laid out and drawn in ${renderMs} ms); ` +
        `fetched ${(wire / 1e6).toFixed(2)} MB on the wire (${(decoded / 1e6).toFixed(2)} MB decoded), where the whole trace is ${(wholeBytes / 1e6).toFixed(1)} MB of JSON ` +
        `(${(whole.wire / 1e6).toFixed(2)} MB compressed), which the page took ${before.ms.toFixed(0)} ms to fetch and parse`,
    );
    expect(before.n).toBe(spans.length);
    expect(wire).toBeLessThan(wholeBytes / 10);
    expect(decoded).toBeLessThan(wholeBytes / 5);
    // Aim: 1.5 s on this machine, cold or warm; asserted with room for a loaded machine (a load of 12 on
    // its 2 cores made the cold read of the trace alone take 10 s once, before the overview file).
    expect(warm).toBeLessThan(6_000);
    expect(cold).toBeLessThan(6_000);
    expect(errors).toEqual([]);
  });

  it('zooms in a step at a time within the bound, then draws the spans of the window it fetched', async () => {
    const { out: steps, draws } = await page.evaluate(async () => {
      const c = document.querySelector('#timeline canvas') as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      const out: number[] = [];
      const draws: number[] = [];
      for (let i = 0; i < 12; i++) {
        const before = Number(c.dataset.frames);
        const began = performance.now();
        c.dispatchEvent(
          new WheelEvent('wheel', {
            deltaY: -240,
            clientX: r.left + r.width / 2,
            clientY: r.top + r.height / 2,
            bubbles: true,
            cancelable: true,
          }),
        );
        while (Number(c.dataset.frames) === before) await frame();
        await frame();
        out.push(performance.now() - began);
        draws.push(Number(c.dataset.drawMs));
      }
      return { out, draws };
    });
    const sorted = [...steps].sort((a, b) => a - b);
    console.log(
      `zoom step: median ${sorted[steps.length >> 1]!.toFixed(1)} ms, worst ${sorted.at(-1)!.toFixed(1)} ms (${steps.map((s) => s.toFixed(0)).join(', ')}; drawing ${draws.map((d) => d.toFixed(0)).join(', ')} ms)`,
    );
    // Aim: 100 ms; asserted with room for a loaded machine.
    expect(sorted[steps.length >> 1]!).toBeLessThan(500);
    // Once the wheel stops, the window shown is fetched: the spans themselves, no merged ones.
    await page.waitForFunction(
      () =>
        document.querySelector('#timeline')?.getAttribute('data-detail') === 'spans' &&
        document.querySelector('#timeline canvas')?.getAttribute('data-merged') === 'no',
      undefined,
      { timeout: 30_000 },
    );
    const [d0, d1] = await page.evaluate(() =>
      (
        document.querySelector('#timeline canvas') as unknown as { timeline: TimelineChart }
      ).timeline.domain(),
    );
    const windows = (await traceFetches()).filter((f) => /from=/.test(f.url));
    expect(windows.length).toBeGreaterThanOrEqual(1);
    const last = new URL(windows.at(-1)!.url).searchParams;
    expect(Number(last.get('from'))).toBeLessThanOrEqual(d0);
    expect(Number(last.get('to'))).toBeGreaterThanOrEqual(d1);
    // The frame covers exactly the spans overlapping the domain shown.
    const inView = spans.filter((s) => s.start <= d1 && s.end >= d0).length;
    expect(Number(await page.getAttribute('#timeline canvas', 'data-covered'))).toBe(inView);
    // The card drawn anew keeps its export buttons (for the spans now drawn).
    expect(await page.locator('#timeline .export-bar button').allTextContents()).toEqual([
      'SVG',
      'PNG',
      'CSV',
    ]);
    await shot(page, '21-timeline-window-250k.png');
    expect(errors).toEqual([]);
  });

  it('shows the statistics of a range selected with Shift+drag, as computed from the trace', async () => {
    await shiftDragTimeline(page, 0.3, 0.7, 0.6);
    const from = Number(await page.getAttribute('#range-stats', 'data-from'));
    const to = Number(await page.getAttribute('#range-stats', 'data-to'));
    const [d0, d1] = await page.evaluate(() =>
      (
        document.querySelector('#timeline canvas') as unknown as { timeline: TimelineChart }
      ).timeline.domain(),
    );
    // The range is the part dragged over: 40 % of the domain shown, from 30 % in.
    expect((to - from) / (d1 - d0)).toBeCloseTo(0.4, 1);
    expect((from - d0) / (d1 - d0)).toBeCloseTo(0.3, 1);
    await expectRangeStats(from, to);
    await shot(page, '22-timeline-range-stats.png');
    expect(errors).toEqual([]);
  });

  it('selects a range from the keyboard: R takes the time shown, arrows move it and its end, Escape clears it', async () => {
    const chart = () =>
      page.evaluate(() => {
        const t = (
          document.querySelector('#timeline canvas') as unknown as {
            timeline: TimelineChart & { range(): [number, number] | null };
          }
        ).timeline;
        return { domain: t.domain(), range: t.range() };
      });
    /** Waits for the card to show the statistics of the chart's range, and checks them. */
    async function statsShown() {
      const { range } = await chart();
      await page.waitForFunction(([a, b]) => {
        const c = document.querySelector('#range-stats') as HTMLElement;
        return c.dataset.state === 'done' && Number(c.dataset.from) === a && Number(c.dataset.to) === b;
      }, range!);
      await expectRangeStats(range![0], range![1]);
      return range!;
    }
    await page.focus('#timeline canvas');
    await page.keyboard.press('r');
    const { domain } = await chart();
    const lo = spans.reduce((m, s) => Math.min(m, s.start), Number.POSITIVE_INFINITY);
    const hi = spans.reduce((m, s) => Math.max(m, s.end), Number.NEGATIVE_INFINITY);
    let range = await statsShown();
    expect(range).toEqual([Math.max(domain[0], lo), Math.min(domain[1], hi)]);
    const status = '#timeline .timeline-status';
    expect(await page.textContent(status)).toMatch(/^Time range .+ s to .+ s selected/);
    // Shift+Left three times: the end 3/20 of the time shown earlier; Right once: all of it 1/20 later.
    const step = (domain[1] - domain[0]) / 20;
    for (const key of ['Shift+ArrowLeft', 'Shift+ArrowLeft', 'Shift+ArrowLeft', 'ArrowRight'])
      await page.keyboard.press(key);
    const moved = await statsShown();
    expect(moved[0]).toBeCloseTo(range[0] + step, 9);
    expect(moved[1]).toBeCloseTo(range[1] - 3 * step + step, 9);
    range = moved;
    expect(await page.getAttribute('#timeline canvas', 'aria-label')).toContain('selected');
    await shot(page, '22b-timeline-range-keyboard.png');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#range-stats[data-state=none]');
    expect((await chart()).range).toBeNull();
    expect(await page.textContent(status)).toBe('Time range cleared');
    expect(await page.getAttribute('#timeline canvas', 'data-range')).toBeNull();
    expect(errors).toEqual([]);
  });

  it("draws a selected request's flow arrows between hosts and marks its critical path", async () => {
    const request = spans.findLast((s) => s.kind === 'request')!.request;
    const own = spans.filter((s) => s.request === request);
    await page.fill('#timeline-search', String(request));
    await page.press('#timeline-search', 'Enter');
    const expected = flowLinks(own).filter((l) => l.crossHost).length;
    expect(expected).toBeGreaterThanOrEqual(2); // the upload into the cloud, the answer back
    await page.waitForFunction(
      (n) => Number(document.querySelector('#timeline canvas')?.getAttribute('data-flow-arrows')) === n,
      expected,
      { timeout: 30_000 },
    );
    const id = (s: SpanRecord) => `${s.kind}/${s.name}/${s.item ?? ''}/${s.start}`;
    const flow = await page.evaluate(() =>
      (document.querySelector('#timeline canvas') as unknown as { timeline: TimelineChart }).timeline.flow(),
    );
    expect(flow.critical.map(id)).toEqual(criticalPath(own).map(id));
    expect(Number(await page.getAttribute('#timeline canvas', 'data-critical-spans'))).toBe(
      flow.critical.length,
    );
    // The critical path's outline is on the canvas: red above the middle of its longest span.
    const longest = [...flow.critical].sort((a, b) => b.end - b.start - (a.end - a.start))[0]!;
    const box = (await page.evaluate(
      ({ r, kind, name }) => {
        const c = document.querySelector('#timeline canvas') as HTMLCanvasElement;
        const own = (
          document.querySelector('#timeline canvas') as unknown as { timeline: TimelineChart }
        ).timeline
          .flow()
          .critical.find((s) => s.kind === kind && s.name === name)!;
        const x = (
          document.querySelector('#timeline canvas') as unknown as { timeline: TimelineChart }
        ).timeline.domain();
        const rect = c.getBoundingClientRect();
        const kx = rect.width / (x[1] - x[0]);
        const at = (
          document.querySelector('#timeline canvas') as unknown as { timeline: TimelineChart }
        ).timeline.boxOf(r, kind)!;
        return { x: rect.left + ((own.start + own.end) / 2 - x[0]) * kx, y: at.y };
      },
      { r: request, kind: longest.kind, name: longest.name },
    ))!;
    expect(box).toBeTruthy();
    // The table of the request's spans says which are on it.
    await page.waitForFunction(
      (n) => document.querySelectorAll('#request-detail tbody tr').length === n,
      own.length,
    );
    expect(await page.locator('#request-detail tbody tr', { hasText: '● on it' }).count()).toBe(
      criticalPath(own).length,
    );
    await shot(page, '23-timeline-request-flow.png');
    expect(errors).toEqual([]);
  });

  it('draws the timeline again after a tab switch, from the rows laid out the first time', async () => {
    const openTab = async (view: string) => {
      await page.click(`#tabs a[data-view=${view}]`);
      await page.waitForFunction(
        (v) => document.body.dataset.view === v && document.body.dataset.rendering === '',
        view,
      );
    };
    await openTab('utilization');
    await openTab('timeline');
    await page.waitForSelector('#timeline canvas[data-frames]');
    const again = Number(await page.getAttribute('#timeline canvas', 'data-render-ms'));
    console.log(
      `timeline of ${spans.length.toLocaleString('en-US')} spans drawn again after a tab switch in ${again.toFixed(0)} ms`,
    );
    expect(again).toBeLessThan(5_000);
    expect(errors).toEqual([]);
  });

  it('draws the same first frame cold from the trace itself when the overview file is switched off', async () => {
    // The path before the overview file (E2CTWIN_TRACE_OVERVIEW=off): the server reads and checks the
    // whole trace before it answers. Timed for comparison, on a server of its own just started.
    const off = await startServe(runsDir, tmp, { E2CTWIN_TRACE_OVERVIEW: 'off' });
    const own: string[] = [];
    const p = await watchedPage(browser!, off.base, own);
    try {
      const { ms: cold, trace } = await openTimed(p, off.base);
      const [first] = await traceFetches(p);
      expect(first!.from).toBe('trace');
      expect(Number(await p.getAttribute('#timeline canvas', 'data-covered'))).toBe(spans.length);
      // The same overview as the file's, byte for byte.
      const q = `/api/runs/${RUN}/trace?overview=1`;
      const fresh = await (await fetch(`${off.base}${q}`)).text();
      const fromFile = gunzipSync(readFileSync(path.join(runsDir, RUN, TRACE_OVERVIEW_FILE))).toString();
      expect(fromFile).toBe(fresh);
      console.log(
        `first frame cold with the overview file switched off: ${cold.toFixed(0)} ms (the server read the trace and answered in ${first!.serverMs!.toFixed(0)} ms; overview asked/first byte/in at ${trace})`,
      );
      expect(cold).toBeLessThan(60_000);
      expect(own).toEqual([]);
    } finally {
      await p.close();
      off.server.kill('SIGTERM');
    }
  });
});
