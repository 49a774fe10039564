import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_HISTOGRAM_RELATIVE_ERROR, LogHistogram } from '../../src/metrics/index.js';
import { parseTraceJsonl } from '../../src/trace/index.js';
import { type CliProcess, exited, repoRoot, spawnCli, trialsIn } from '../support/cli.js';
import {
  abortedByNavigation,
  launchChromium,
  noteNavigation,
  startServe,
  trackNavigations,
} from '../support/browser.js';
import { until } from '../support/poll.js';
import { redisMissing, TestRedis } from '../support/redis.js';

/** The timeline chart's API as the page exposes it on its canvas (web/charts/timeline.js). */
interface TimelineChart {
  laidOut(): { request: number; kind: string; start: number; end: number }[];
  boxOf(request: number, kind?: string): { x: number; y: number; width: number; height: number } | null;
  domain(): [number, number] | null;
}
declare global {
  /** Defined in the page by an init script (beforeAll). */
  function timelineOf(): TimelineChart;
}

// End to end: the real `e2ctwin serve` (dist/, built by the global setup) driven by headless Chromium.
// Screenshots of each view go to test-output/screenshots/ (ignored by git; CI keeps them as artifacts).
const SHOTS = path.join(repoRoot, 'test-output/screenshots');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-e2e-'));
const runsDir = path.join(tmp, 'runs');

let server: ChildProcess;
let base = '';
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** Every URL the page asked the server for, in order. */
const requested: string[] = [];
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The timeline has drawn its first frame (its bars are painted on a canvas over the svg of axes). */
const TIMELINE_DRAWN = '#timeline svg + canvas[data-frames]';
/** What the timeline's last frame drew: bars, merged pixel columns and the spans they cover. */
async function drawnFrame() {
  const d = await page.$eval('#timeline canvas', (c) => ({ ...(c as HTMLCanvasElement).dataset }));
  return {
    bars: Number(d.bars),
    columns: Number(d.columns),
    covered: Number(d.covered),
    frames: Number(d.frames),
  };
}
/** The RGB of the timeline canvas at a page point. */
function canvasPixel(at: { x: number; y: number }) {
  return page.evaluate(({ x, y }) => {
    const c = document.querySelector('#timeline canvas') as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const k = c.width / r.width;
    const p = c
      .getContext('2d')!
      .getImageData(Math.floor((x - r.left) * k), Math.floor((y - r.top) * k), 1, 1).data;
    return [p[0], p[1], p[2]];
  }, at);
}

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
const runFile = (runId: string, file: string) => readFileSync(path.join(runsDir, runId, file), 'utf8');

async function runFromPage(overrides: string): Promise<string> {
  const before = await page.evaluate(() => document.body.dataset.run ?? '');
  await page.fill('#overrides', overrides);
  await page.click('#run-btn');
  await page.waitForSelector('#progress[data-status=done]', { timeout: 60_000 });
  await page.waitForFunction(
    (prev) =>
      document.body.dataset.view === 'timeline' &&
      !!document.body.dataset.run &&
      document.body.dataset.run !== prev,
    before,
    { timeout: 30_000 },
  );
  return page.evaluate(() => document.body.dataset.run!);
}

async function openView(view: string) {
  await page.click(`#tabs a[data-view=${view}]`);
  await page.waitForFunction(
    (v) => document.body.dataset.view === v && document.body.dataset.rendering === '',
    view,
  );
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // Study folders of real sweep/optimize/sensitivity runs, as their verbs write them (see the fixtures' README).
  cpSync(path.join(repoRoot, 'test/server/fixtures/studies'), runsDir, {
    recursive: true,
    filter: (src) => !src.endsWith('README.md'),
  });
  ({ base, server } = await startServe(runsDir, tmp));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  trackNavigations(page);
  // The timeline chart of the page (its canvas carries it), for the steps that ask where it drew a span.
  await page.addInitScript(() => {
    (window as unknown as { timelineOf: () => unknown }).timelineOf = () =>
      (document.querySelector('#timeline canvas') as unknown as { timeline: unknown }).timeline;
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m) => {
    // The browser logs every non-2xx answer; the bad-scenario step expects its 422.
    if (m.type() === 'error' && !m.text().includes('status of 422')) pageErrors.push(m.text());
  });
  // Offline: the page must not fetch anything but the server itself.
  await page.route('**/*', (route) =>
    route.request().url().startsWith(base) ? route.continue() : route.abort(),
  );
  // axe-core, injected by the accessibility step from the page's own origin (its CSP allows only 'self').
  await page.route(`${base}/__test__/axe.min.js`, (route) =>
    route.fulfill({ body: readFileSync(AXE, 'utf8'), contentType: 'text/javascript; charset=utf-8' }),
  );
  // The page closes a simulation's event stream itself once it is done (else EventSource would reconnect).
  page.on('requestfailed', (r) => {
    if (abortedByNavigation(r)) return;
    if (!(r.url().endsWith('/events') && r.failure()?.errorText === 'net::ERR_ABORTED'))
      pageErrors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

describe('the browser view (headless Chromium)', () => {
  let runId = '';

  it('loads the app with the default scenario and draws its topology', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready=yes]');
    expect(await page.inputValue('#scenario-select')).toBe('plantnet.yaml');
    await page.waitForSelector('#topology svg g.service[data-service="cloud.engine"]');
    expect(await page.locator('#topology g.service').count()).toBe(2);
    expect(await page.locator('#topology g.pool-chip').allTextContents()).toEqual([
      'http 40',
      'download 40',
      'extract 7',
      'simsearch 40',
    ]);
    expect((await page.locator('#topology g.link-label').textContent())!).toContain('25 ms · 100 Mbps');
    await shot('01-topology.png');
  });

  it('shows the located issues of a bad scenario edited on the page, and the server keeps serving', async () => {
    const text = await page.inputValue('#scenario-text');
    const bad = text.replace('quantity: 150', 'qty: 150');
    const line = bad.split('\n').findIndex((l) => l.includes('qty: 150')) + 1;
    await page.click('#editor summary');
    await page.fill('#scenario-text', bad);
    await page.click('#check-btn');
    await page.waitForSelector('#issues li.issue');
    const issue = await page.locator('#issues li.issue').first().textContent();
    expect(issue).toContain(`plantnet.yaml:${line}:9`);
    expect(issue).toContain('layers[1].services[0].qty');
    expect(issue).toContain('unknown key "qty"');
    expect(await page.textContent('#scenario-status')).toBe('1 problem');
    expect(await page.textContent('#scenario-problems')).toContain(`plantnet.yaml:${line}:9`);
    // Clicking the problem selects its line in the editor.
    await page.click('#issues li.issue');
    const selected = await page.$eval('#scenario-text', (t) => {
      const ta = t as HTMLTextAreaElement;
      return ta.value.slice(ta.selectionStart, ta.selectionEnd);
    });
    expect(selected.trim()).toBe('qty: 150');
    await shot('02-bad-scenario.png');
    await page.click('#reset-text');
    await page.waitForSelector('#scenario-status.ok');
    expect(await page.isHidden('#issues')).toBe(true);
    await page.click('#editor summary');
  });

  it("runs the default scenario from the page; the timeline draws every span of the run's trace (its own bar, or merged in a pixel column)", async () => {
    runId = await runFromPage('run.replications=3');
    expect(await page.textContent('#progress .label')).toContain(`→ ${runId}`);
    const { header, spans } = parseTraceJsonl(runFile(runId, 'trace.jsonl'));
    expect(header.sampledRequests).toBe(500);
    await page.waitForSelector(TIMELINE_DRAWN);
    // The bars are painted on a canvas: every span is laid out in a row once, and the first frame (the
    // whole run) covers each, as its own bar or merged with its row's others in a pixel column.
    const laidOut = await page.evaluate(() =>
      timelineOf()
        .laidOut()
        .map((s) => `${s.request}/${s.kind}`),
    );
    expect(laidOut.length).toBe(spans.length);
    expect(laidOut.sort()).toEqual(spans.map((s) => `${s.request}/${s.kind}`).sort());
    const frame = await drawnFrame();
    expect(frame.covered).toBe(spans.length);
    expect(frame.bars).toBeGreaterThan(0);
    const whole = (await page.evaluate(() => timelineOf().domain()))!;
    await shot('03-timeline.png');

    // Zoom to one request, hover one of its bars, click it: its spans are listed.
    const first = spans.find((s) => s.kind === 'request')!.request;
    const mine = spans.filter((s) => s.request === first);
    // The request's own bar: it spans the zoomed view, where one of its stages may be a 1-pixel sliver
    // whose centre the pointer misses.
    await page.click('#timeline-first');
    // A resize event that changes no size (screenshots send them) keeps the zoom: the chart is not drawn
    // anew (it was, 150 ms later, and the zoom was lost). The page counts its resize checks: wait for this one.
    const checks = await page.evaluate(() => {
      (document.querySelector('#timeline svg') as SVGElement).dataset.before = 'resize';
      window.dispatchEvent(new Event('resize'));
      return Number(document.body.dataset.resizeChecks ?? 0);
    });
    await page.waitForFunction((n) => Number(document.body.dataset.resizeChecks ?? 0) > n, checks);
    expect(await page.locator('#timeline svg[data-before=resize]').count()).toBe(1);
    await page.waitForFunction((req) => (timelineOf().boxOf(req, 'request')?.width ?? 0) > 100, first);
    // Where the chart's scale puts the bar: the canvas has the request's colour there (picked, full
    // opacity), and the pointer there finds the span by the chart's hit test.
    const box = (await page.evaluate((req) => timelineOf().boxOf(req, 'request'), first))!;
    const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    expect(await canvasPixel(at)).toEqual([148, 163, 184]); // STATUS_COLOR.ok, #94a3b8
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector('#tooltip:not([hidden])');
    expect(await page.textContent('#tooltip')).toContain(`request${first}`);
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector('#request-detail table');
    expect(await page.locator('#request-detail tbody tr').count()).toBe(mine.length);
    expect(await page.textContent('#request-detail h3')).toContain(`Request ${first}:`);
    await page.mouse.move(at.x, at.y);
    await shot('04-timeline-zoomed-request.png');

    // Search by request id: the last traced request is zoomed to and listed; an unknown id is said so.
    const last = spans.findLast((s) => s.kind === 'request')!.request;
    await page.fill('#timeline-search', String(last));
    await page.press('#timeline-search', 'Enter');
    await page.waitForFunction(
      (req) => document.querySelector('#request-detail h3')?.textContent?.includes(`Request ${req}:`),
      last,
    );
    expect(await page.locator('#request-detail tbody tr').count()).toBe(
      spans.filter((s) => s.request === last).length,
    );
    const own = spans.filter((s) => s.request === last);
    const [d0, d1] = (await page.evaluate(() => timelineOf().domain()))!;
    expect(d0).toBeLessThanOrEqual(Math.min(...own.map((s) => s.start)));
    expect(d1).toBeGreaterThanOrEqual(Math.max(...own.map((s) => s.end)));
    await page.fill('#timeline-search', '99999999');
    await page.press('#timeline-search', 'Enter');
    await page.waitForFunction(() => document.querySelector('#timeline-search-status')?.textContent !== '');
    expect(await page.textContent('#timeline-search-status')).toBe('no request "99999999" in this trace');

    // Keyboard: W zooms in about the centre, A pans to earlier times, S zooms out.
    await page.focus('#timeline canvas');
    const domain = async () => (await page.evaluate(() => timelineOf().domain()))!;
    const [a0, a1] = await domain();
    await page.keyboard.press('w');
    const [b0, b1] = await domain();
    expect(b1 - b0).toBeCloseTo((a1 - a0) / 1.5, 6);
    expect((b0 + b1) / 2).toBeCloseTo((a0 + a1) / 2, 6);
    await page.keyboard.press('a');
    const [c0, c1] = await domain();
    expect(c0).toBeCloseTo(b0 - (b1 - b0) * 0.1, 6);
    expect(c1 - c0).toBeCloseTo(b1 - b0, 6);
    await page.keyboard.press('s');
    const [e0, e1] = await domain();
    expect(e1 - e0).toBeCloseTo(a1 - a0, 6);
    // Reset zoom: back to the whole run (at the end of a short transition).
    await page.click('#timeline-reset');
    await page.waitForFunction(([w0, w1]) => {
      const [d0, d1] = timelineOf().domain()!;
      return Math.abs(d0 - w0) < 1e-9 && Math.abs(d1 - w1) < 1e-9;
    }, whole);
    expect((await drawnFrame()).covered).toBe(spans.length);
  });

  it("keeps the timeline's zoom and request picked in the address: a copied link, a reload and an edited address show them", async () => {
    const { spans } = parseTraceJsonl(runFile(runId, 'trace.jsonl'));
    await page.goto(`${base}/#timeline/${runId}`);
    await page.waitForSelector(TIMELINE_DRAWN);
    const req = spans.filter((s) => s.kind === 'request')[3]!.request;
    await page.fill('#timeline-search', String(req));
    await page.press('#timeline-search', 'Enter');
    // The address follows once the zoom rests (replaceState, no history entry per step).
    await page.waitForFunction(
      (r) => /[?&]t0=[^&]+&t1=[^&]+/.test(location.hash) && location.hash.includes(`request=${r}`),
      req,
    );
    const link = await page.evaluate(() => location.href);
    const shown = (await page.evaluate(() => timelineOf().domain()))!;
    const width = shown[1] - shown[0];

    // The copied address in a new page: the same time range drawn, the same request picked and listed.
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const otherErrors: string[] = [];
    other.on('pageerror', (e) => otherErrors.push(e.message));
    await other.addInitScript(() => {
      (window as unknown as { timelineOf: () => unknown }).timelineOf = () =>
        (document.querySelector('#timeline canvas') as unknown as { timeline: unknown }).timeline;
      // Counted, to check that a train of zoom steps writes the address once.
      const replace = history.replaceState.bind(history);
      (window as unknown as { replaces: number }).replaces = 0;
      history.replaceState = (...args: Parameters<History['replaceState']>) => {
        (window as unknown as { replaces: number }).replaces++;
        replace(...args);
      };
    });
    try {
      await other.goto(link);
      await other.waitForFunction(
        ([r, s0, s1, w]) => {
          const d = document.querySelector('#timeline canvas[data-frames]') && timelineOf().domain();
          return (
            !!d &&
            Math.abs(d[0] - s0) < 1e-5 * w &&
            Math.abs(d[1] - s1) < 1e-5 * w &&
            !!document.querySelector('#request-detail h3')?.textContent?.includes(`Request ${r}:`)
          );
        },
        [req, shown[0], shown[1], width] as const,
      );
      expect(await other.locator('#request-detail tbody tr').count()).toBe(
        spans.filter((s) => s.request === req).length,
      );
      expect(await other.getAttribute('#timeline canvas', 'aria-label')).toContain(
        `request ${req} highlighted`,
      );
      expect(await other.locator('#route-message').isHidden()).toBe(true);

      // A train of ten zoom steps (one task: well inside the debounce) writes the address once, with the last zoom.
      const before = await other.evaluate(() => (window as unknown as { replaces: number }).replaces);
      const stepped = await other.evaluate(() => {
        const c = document.querySelector('#timeline canvas') as HTMLCanvasElement;
        for (let i = 0; i < 10; i++)
          c.dispatchEvent(new KeyboardEvent('keydown', { key: 's', bubbles: true }));
        return timelineOf().domain()!;
      });
      await other.waitForFunction(([s0, s1]) => {
        const t0 = new URLSearchParams(location.hash.split('?')[1] ?? '').get('t0');
        return t0 === null ? !location.hash.includes('t0=') : Math.abs(Number(t0) - s0) < 1e-5 * (s1 - s0);
      }, stepped);
      expect(await other.evaluate(() => (window as unknown as { replaces: number }).replaces)).toBe(
        before + 1,
      );

      // The address edited by hand: the zoom it names (a tenth of the run) is drawn.
      const first = Math.min(...spans.map((s) => s.start));
      const last = Math.max(...spans.map((s) => s.end));
      const t0 = first + (last - first) * 0.2;
      const t1 = first + (last - first) * 0.3;
      await other.evaluate(
        ([a, b, r, run]) => {
          location.hash = `#timeline/${run}?t0=${a}&t1=${b}&request=${r}`;
        },
        [t0, t1, req, runId] as const,
      );
      await other.waitForFunction(
        ([a, b]) => {
          const d = document.querySelector('#timeline canvas[data-frames]') && timelineOf().domain();
          return !!d && Math.abs(d[0] - a) < 1e-6 * (b - a) && Math.abs(d[1] - b) < 1e-6 * (b - a);
        },
        [t0, t1] as const,
      );
      // Reloaded: the same again.
      await other.reload();
      await other.waitForFunction(
        ([a, b]) => {
          const d = document.querySelector('#timeline canvas[data-frames]') && timelineOf().domain();
          return !!d && Math.abs(d[0] - a) < 1e-5 * (b - a) && Math.abs(d[1] - b) < 1e-5 * (b - a);
        },
        [t0, t1] as const,
      );

      // Values that do not fit this run: said on the page, the run drawn whole, the address cleaned.
      await other.evaluate((run) => {
        location.hash = `#timeline/${run}?t0=1e9&t1=2e9&request=99999999`;
      }, runId);
      await other.waitForFunction(() => !document.getElementById('route-message')?.hidden);
      const message = (await other.textContent('#route-message'))!;
      expect(message).toContain('outside this run');
      expect(message).toContain('no request "99999999"');
      await other.waitForFunction(() => !location.hash.includes('?'));
      expect(otherErrors).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("exports the timeline as the run's Chrome trace file", async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-chrome-trace')]);
    expect(download.suggestedFilename()).toBe(`${runId}.chrome-trace.json`);
    const saved = path.join(tmp, 'download.json');
    await download.saveAs(saved);
    const chrome = JSON.parse(readFileSync(saved, 'utf8'));
    expect(readFileSync(saved, 'utf8')).toBe(runFile(runId, 'chrome-trace.json'));
    expect(chrome.traceEvents.filter((e: { ph: string }) => e.ph === 'X').length).toBe(
      parseTraceJsonl(runFile(runId, 'trace.jsonl')).spans.length,
    );
  });

  it('exports the timeline as SVG with its bars: the canvas they are painted on goes in as an image', async () => {
    const [d] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#timeline .export-bar button[data-export=svg]'),
    ]);
    const file = path.join(tmp, d.suggestedFilename());
    await d.saveAs(file);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    const image =
      /<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" href="data:image\/png;base64,([^"]+)"/.exec(
        text,
      );
    expect(image, text.slice(0, 200)).not.toBeNull();
    // Where the canvas sits over the svg, and as large.
    const at = await page.evaluate(() => {
      const svg = document.querySelector('#timeline svg')!.getBoundingClientRect();
      const c = document.querySelector('#timeline canvas')!.getBoundingClientRect();
      return [c.left - svg.left, c.top - svg.top, c.width, c.height];
    });
    expect(image!.slice(1, 5).map(Number)).toEqual(at);
    const png = Buffer.from(image![5]!, 'base64');
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it("marks p50/p95/p99 of the run's metrics and the abandonment threshold on the response-time distribution", async () => {
    await openView('latency');
    const metrics = JSON.parse(runFile(runId, 'metrics.json'));
    for (const key of ['p50', 'p95', 'p99']) {
      const marker = page.locator(`#latency g.marker[data-key=${key}]`);
      expect(Number(await marker.getAttribute('data-value')), key).toBe(metrics.responseTime[key]);
      expect(await marker.textContent(), key).toBe(`${key} ${metrics.responseTime[key].toFixed(3)} s`);
    }
    expect(await page.locator('#latency g.threshold').getAttribute('data-value')).toBe('3');
    expect(await page.locator('#latency .bins rect').count()).toBe(60);
    await shot('05-latency.png');
  });

  it('draws the distribution from series.json (every measured request): the CDF crosses 95 % at the p95 marker, within one bin', async () => {
    const metrics = JSON.parse(runFile(runId, 'metrics.json'));
    const series = JSON.parse(runFile(runId, 'series.json'));
    expect(await page.getAttribute('#latency', 'data-source')).toBe('all');
    expect(await page.textContent('#latency-source')).toContain(
      `all ${series.responseTime.count.toLocaleString('en-US')} measured requests, 3 replications`,
    );
    expect(await page.textContent('#latency-source')).toContain('drawn by the Timeline only');
    // Geometry of the drawn chart: where the CDF path reaches 95 % against where the p95 marker stands.
    const drawn = await page.$eval('#latency svg.distribution-chart', (svg) => {
      const path = svg.querySelector('path.cdf') as SVGPathElement;
      const marker = svg.querySelector('g.marker[data-key=p95]')!;
      const bins = [...svg.querySelectorAll('.bins rect')] as SVGRectElement[];
      // The CDF's y axis: 0 % at the plot's bottom (the bins' baseline), 100 % at its top (0).
      const bottom = Math.max(...bins.map((b) => b.y.baseVal.value + b.height.baseVal.value));
      const y95 = bottom * (1 - 0.95);
      let crossing = Number.NaN;
      const length = path.getTotalLength();
      for (let l = 0; l <= length; l += 0.25) {
        const pt = path.getPointAtLength(l);
        if (pt.y <= y95 + 1e-6) {
          crossing = pt.x;
          break;
        }
      }
      const markerX = Number(/translate\(([-\d.e]+)/.exec(marker.getAttribute('transform')!)![1]);
      const binWidth = bins[1]!.x.baseVal.value - bins[0]!.x.baseVal.value;
      return { crossing, markerX, binWidth };
    });
    console.log(
      `latency view: CDF crosses 95 % at x=${drawn.crossing.toFixed(1)} px, p95 marker at ${drawn.markerX.toFixed(1)} px (one bin = ${drawn.binWidth.toFixed(1)} px)`,
    );
    expect(Math.abs(drawn.crossing - drawn.markerX)).toBeLessThanOrEqual(drawn.binWidth);
    // In values: the pooled CDF's 95 % point (the page's) and the pooled histogram's p95 against
    // metrics.json's p95 (the mean of the replications' own p95).
    const cdfP95 = Number(await page.getAttribute('#latency', 'data-cdf-p95'));
    const pooledP95 = LogHistogram.fromJSON(series.responseTime).quantile(0.95);
    console.log(
      `latency view: metrics.json p95 ${metrics.responseTime.p95.toFixed(4)} s, pooled p95 ${pooledP95.toFixed(4)} s, CDF 95 % crossing ${cdfP95.toFixed(4)} s`,
    );
    expect(Math.abs(pooledP95 / metrics.responseTime.p95 - 1)).toBeLessThanOrEqual(
      LOG_HISTOGRAM_RELATIVE_ERROR,
    );
    // The CDF is drawn at bucket ends: its 95 % point is the end of the 1 % bucket holding the pooled p95.
    expect(cdfP95).toBeGreaterThanOrEqual(pooledP95);
    expect(cdfP95).toBeLessThanOrEqual(pooledP95 * (1 + LOG_HISTOGRAM_RELATIVE_ERROR) * (1 + 1e-9));
  });

  it('exports the latency chart as SVG and PNG, and its data as CSV', async () => {
    const save = async (which: string) => {
      const [d] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`#latency .export-bar button[data-export=${which}]`),
      ]);
      const file = path.join(tmp, d.suggestedFilename());
      await d.saveAs(file);
      return { name: d.suggestedFilename(), bytes: readFileSync(file) };
    };
    const csv = await save('csv');
    expect(csv.name).toBe(`${runId}-latency.csv`.toLowerCase());
    const lines = csv.bytes.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('bin_start_s,bin_end_s,requests,cumulative_share_at_bin_end');
    expect(lines.length).toBe(61);
    const series = JSON.parse(runFile(runId, 'series.json'));
    const drawnRequests = lines.slice(1).reduce((a, l) => a + Number(l.split(',')[2]), 0);
    const beyond = Number(
      /([\d,]+) requests? beyond/.exec((await page.textContent('#latency'))!)?.[1]?.replace(/,/g, '') ?? 0,
    );
    expect(Math.round(drawnRequests + beyond)).toBe(series.responseTime.count);
    const svg = await save('svg');
    expect(svg.name).toBe(`${runId}-latency.svg`.toLowerCase());
    const text = svg.bytes.toString('utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('role="img"');
    expect(text).toContain(`data-key="p95"`);
    expect(text).toContain('<style>');
    const png = await save('png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Twice the chart's size: the width sits in the IHDR chunk.
    const width = Number(await page.getAttribute('#latency svg.distribution-chart', 'width'));
    expect(png.bytes.readUInt32BE(16)).toBe(Math.round(width * 2));
    writeFileSync(path.join(SHOTS, '05c-latency-exported.png'), png.bytes);
  });

  it('opens the Latency view of a run without fetching its trace (drawn by the Timeline only)', async () => {
    noteNavigation(page);
    await page.goto('about:blank'); // a new document: nothing cached from the steps before
    requested.length = 0;
    await page.goto(`${base}/#latency/${runId}`);
    await page.waitForFunction(
      (id) => document.body.dataset.view === 'latency' && document.body.dataset.run === id,
      runId,
    );
    await page.waitForSelector('#latency svg.distribution-chart');
    expect(requested.filter((u) => u.includes('/trace'))).toEqual([]);
    expect(await page.getAttribute('#latency', 'data-source')).toBe('all');
    // The timeline fetches it when it opens.
    await openView('timeline');
    await page.waitForSelector(TIMELINE_DRAWN);
    const traces = requested.filter((u) => u.includes('/trace'));
    // One request: the overview (at most maxSpans spans, merged by the server beyond).
    expect(traces, traces.join(' ')).toHaveLength(1);
    expect(traces[0]!.startsWith(`${base}/api/runs/${encodeURIComponent(runId)}/trace?`)).toBe(true);
  });

  it('says on the chart when a run folder has no series.json, and draws its traced sample as before', async () => {
    const old = path.join(runsDir, 'before-series-run');
    cpSync(path.join(runsDir, runId), old, { recursive: true });
    rmSync(path.join(old, 'series.json'));
    await page.goto(`${base}/#latency/before-series-run`);
    await page.waitForSelector('#latency svg.distribution-chart');
    expect(await page.getAttribute('#latency', 'data-source')).toBe('sample');
    const { spans } = parseTraceJsonl(runFile(runId, 'trace.jsonl'));
    const traced = spans.filter((sp) => sp.kind === 'request' && (sp.status ?? 'ok') === 'ok').length;
    expect(await page.textContent('#latency-fallback')).toContain(
      `no series.json (written by an e2ctwin older than this page): the histogram and CDF are drawn from the ${traced} traced requests of replication 0`,
    );
    await shot('05b-latency-without-series.png');
    rmSync(old, { recursive: true });
    await page.goto(`${base}/#timeline/${runId}`);
    await page.waitForSelector(TIMELINE_DRAWN);
  });

  it('draws queues and utilization over time for every pool', async () => {
    await openView('utilization');
    const series = JSON.parse(runFile(runId, 'series.json'));
    expect(await page.locator('#chart-pool-utilization path.series').count()).toBe(
      Object.keys(series.pools).length,
    );
    expect(await page.locator('#chart-pool-queue path.series').count()).toBe(4);
    expect(await page.locator('#chart-resources path.series').count()).toBe(2);
    expect(await page.locator('#chart-throughput path.series').count()).toBe(1);
    expect(await page.locator('#chart-gpu-memory').textContent()).toContain('26.5 GiB');
    await shot('06-utilization.png');
  });

  it('shows two runs side by side', async () => {
    const second = await runFromPage('run.replications=3\ncloud.engine.pools.extract=8');
    expect(second).not.toBe(runId);
    await openView('runs');
    expect(await page.locator('#runs-table tbody tr').count()).toBe(2);
    await page.check(`#runs-table tr[data-run="${runId}"] input[name=cmp-a]`);
    await page.check(`#runs-table tr[data-run="${second}"] input[name=cmp-b]`);
    await page.waitForFunction((want) => document.body.dataset.compare === want, `${runId}|${second}`);
    const table = await page.textContent('#compare-table');
    expect(table).toContain('cloud.engine.pools.extract=8');
    const a = JSON.parse(runFile(runId, 'metrics.json'));
    const b = JSON.parse(runFile(second, 'metrics.json'));
    expect(table).toContain(`${a.responseTime.mean.toFixed(3)} s`);
    expect(table).toContain(`${b.responseTime.mean.toFixed(3)} s`);
    expect(await page.locator('#compare-cdf path.series').count()).toBe(2);
    expect(await page.locator('#compare-cdf').textContent()).toContain('all requests');
    expect(await page.locator('#compare-fallback').count()).toBe(0);
    await shot('07-runs-side-by-side.png');
    // The address holds the runs compared: opened anew (here with A and B swapped), it shows them.
    expect(new URL(page.url()).hash).toMatch(new RegExp(`^#runs/[^?]+\\?a=${runId}&b=${second}$`));
    noteNavigation(page);
    await page.goto('about:blank');
    await page.goto(`${base}/#runs?a=${second}&b=${runId}`);
    await page.waitForFunction((want) => document.body.dataset.compare === want, `${second}|${runId}`);
    expect(await page.isChecked(`#runs-table tr[data-run="${second}"] input[name=cmp-a]`)).toBe(true);
    expect(await page.isChecked(`#runs-table tr[data-run="${runId}"] input[name=cmp-b]`)).toBe(true);
    expect(new URL(page.url()).hash).toContain(`?a=${second}&b=${runId}`);
  });

  it('draws the exploration studies: sweep heatmap, optimizer convergence and Pareto front, Morris indices', async () => {
    await openView('studies');
    await page.waitForSelector('#studies-table');
    expect(await page.locator('#studies-table tbody tr').count()).toBe(3);
    const sweep = JSON.parse(
      readFileSync(path.join(runsDir, 'sweep-extract-simsearch/results.json'), 'utf8'),
    );
    await page.click('#studies-table tr[data-study="sweep-extract-simsearch"] a');
    await page.waitForFunction(() => document.body.dataset.study === 'sweep:responseTime.mean');
    expect(await page.locator('#study-chart g.cell').count()).toBe(sweep.results.length);
    const infeasible = sweep.results.filter(
      (r: { mean: { feasible: number } }) => r.mean.feasible < 1,
    ).length;
    expect(infeasible).toBeGreaterThan(0);
    expect(await page.locator('#study-chart g.cell text', { hasText: '✕' }).count()).toBe(infeasible);
    await shot('08-study-sweep-heatmap.png');

    const opt = JSON.parse(readFileSync(path.join(runsDir, 'optimize-tpe/result.json'), 'utf8'));
    await page.click('#studies-table tr[data-study="optimize-tpe"] a');
    await page.waitForFunction(() => document.body.dataset.study === 'optimize:tpe');
    expect(await page.locator('#study-convergence circle').count()).toBe(opt.history.length);
    expect(await page.locator('#study-pareto .dots-front circle').count()).toBe(opt.pareto.length);
    await shot('09-study-optimize.png');

    await page.click('#studies-table tr[data-study="morris"] a');
    await page.waitForFunction(() => document.body.dataset.study === 'sensitivity:morris');
    // Its charts are counted once drawn (this step failed once under load counting them too early).
    await page.waitForFunction(() => document.querySelectorAll('#study .study-chart svg').length >= 4);
    expect(await page.locator('.study-chart').count()).toBe(4);
    await shot('10-study-sensitivity.png');
  });

  it('draws a validate-twin report: twin against testbed per metric with CIs, the distributions, the table', async () => {
    const plot = JSON.parse(readFileSync(path.join(repoRoot, 'calibration/local-testbed/plot.json'), 'utf8'));
    mkdirSync(path.join(runsDir, 'local-testbed-validation'), { recursive: true });
    writeFileSync(path.join(runsDir, 'local-testbed-validation/plot.json'), JSON.stringify(plot));
    await openView('runs'); // leave and come back: the studies list is read when the view opens
    await openView('studies');
    await page.click('#studies-table tr[data-study="local-testbed-validation"] a');
    await page.waitForFunction((n) => document.body.dataset.study === `validation:${n}`, plot.points.length);
    expect(await page.locator('.validation-chart').count()).toBe(plot.metrics.length);
    // One dot per configuration, each with two error bars (twin and testbed CIs), on every metric's chart.
    expect(await page.locator('.validation-chart[data-metric="mean"] .dots-configs circle').count()).toBe(
      plot.points.length,
    );
    expect(await page.locator('.validation-chart[data-metric="mean"] .error-bars-configs line').count()).toBe(
      2 * plot.points.length,
    );
    expect(await page.locator('#validation-table tbody tr').count()).toBe(plot.points.length);
    expect(await page.locator('#validation-config option').count()).toBe(plot.cdfs.length);
    await shot('11-study-validation.png');
  });

  it("draws a live run's trace the same way (a live-format folder: wall-clock trace, no metrics)", async () => {
    // No live testbed here: the folder is the first run's, relabelled as live mode writes it (run.json kind
    // "live", trace header source "live") and without metrics.json, as a live run stopped early leaves it.
    const live = path.join(runsDir, 'live-format-run');
    mkdirSync(live);
    // Shipped as live campaigns keep it: trace.jsonl.gz only. Its header is left as written (source
    // "simulation"): the axis is labelled by run.json's kind, not by the trace header.
    const trace = runFile(runId, 'trace.jsonl');
    writeFileSync(path.join(live, 'trace.jsonl.gz'), gzipSync(trace));
    cpSync(path.join(runsDir, runId, 'scenario.resolved.json'), path.join(live, 'scenario.resolved.json'));
    writeFileSync(
      path.join(live, 'run.json'),
      JSON.stringify({
        kind: 'live',
        status: 'stopped',
        scenario: 'plantnet',
        overrides: [],
        seed: 1,
        finishedAt: new Date().toISOString(),
      }),
    );
    await page.goto(`${base}/#timeline/live-format-run`);
    await page.waitForFunction(
      () => document.body.dataset.view === 'timeline' && document.body.dataset.run === 'live-format-run',
    );
    await page.waitForSelector(TIMELINE_DRAWN);
    const traced = parseTraceJsonl(trace).spans.length;
    expect(await page.getAttribute('#timeline canvas', 'data-spans')).toBe(String(traced));
    expect((await drawnFrame()).covered).toBe(traced);
    expect(await page.textContent('#timeline .axis-label')).toBe(
      'time since the start of the run (s, wall clock)',
    );
    await shot('11-live-run-timeline.png');
    await openView('utilization');
    expect(await page.textContent('#view-utilization')).toContain('has no metrics.json');
    expect(pageErrors).toEqual([]);
  });

  it('says so on the page for a run that does not exist or an unknown route, without a page error', async () => {
    await page.evaluate(() => {
      location.hash = '#timeline/does-not-exist';
    });
    await page.waitForFunction(() => !document.getElementById('route-message')?.hidden);
    expect(await page.textContent('#route-message')).toContain('run "does-not-exist" not found');
    // Loaded from the address: the page starts and says so.
    await page.goto(`${base}/#timeline/does-not-exist-either`);
    await page.waitForFunction(
      () =>
        document.body.dataset.ready === 'yes' &&
        !!document.getElementById('route-message')?.textContent?.includes('does-not-exist-either'),
    );
    expect(await page.textContent('#route-message')).toContain('run "does-not-exist-either" not found');
    await page.evaluate(() => {
      location.hash = '#no-such-view';
    });
    await page.waitForFunction(() =>
      document.getElementById('route-message')?.textContent?.includes('no-such-view'),
    );
    expect(await page.textContent('#route-message')).toContain('unknown page "#no-such-view"');
    await openView('runs');
    expect(await page.locator('#route-message').isHidden()).toBe(true);
    // The browser logs the 404 answers themselves: those are expected, nothing else is.
    expect(pageErrors.filter((e) => !e.includes('status of 404'))).toEqual([]);
  });

  it('draws a sweep of three parameters as parallel coordinates: unfilled lines, every axis label inside the chart', async () => {
    // The two-parameter sweep fixture with a third parameter: its configurations split over two levels.
    const two = JSON.parse(readFileSync(path.join(runsDir, 'sweep-extract-simsearch/results.json'), 'utf8'));
    const three = {
      ...two,
      params: [...two.params, { path: 'cloud.replicas', name: 'replicas', levels: [1, 2], log: false }],
      results: two.results.map((r: { config: Record<string, number> }, i: number) => ({
        ...r,
        config: { ...r.config, replicas: 1 + (i % 2) },
      })),
    };
    mkdirSync(path.join(runsDir, 'sweep-three'), { recursive: true });
    writeFileSync(path.join(runsDir, 'sweep-three/results.json'), JSON.stringify(three));
    await openView('runs');
    await openView('studies');
    await page.click('#studies-table tr[data-study="sweep-three"] a');
    await page.waitForSelector('#study-parallel path.pc-line');
    expect(await page.locator('#study-parallel path.pc-line').count()).toBe(three.results.length);
    const fills = await page.$$eval('#study-parallel path.pc-line', (ps) => [
      ...new Set(ps.map((p) => getComputedStyle(p).fill)),
    ]);
    expect(fills).toEqual(['none']);
    const outside = await page.$$eval('#study-parallel svg.pc-chart', ([svg]) => {
      const box = svg!.getBoundingClientRect();
      return [...svg!.querySelectorAll('.axis-label')]
        .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
        .filter(({ r }) => r.left < box.left - 0.5 || r.right > box.right + 0.5)
        .map(({ text }) => text);
    });
    expect(outside).toEqual([]);
    // replicas takes 1 or 2: its axis has whole ticks only (d3's default would add 1.2, 1.4, …).
    const replicaTicks = await page.$$eval('#study-parallel svg.pc-chart g.axis', (axes) =>
      axes
        .filter((a) => a.querySelector('.axis-label')?.textContent?.includes('replicas'))
        .flatMap((a) => [...a.querySelectorAll('.tick text')].map((t) => t.textContent)),
    );
    expect(replicaTicks).toEqual(['1', '2']);
    await shot('12-study-sweep-parallel-coordinates.png');
    expect(pageErrors.filter((e) => !e.includes('status of 404'))).toEqual([]);
  });

  it.skipIf(redisMissing !== undefined)(
    'shows a study running on a Redis queue as it runs: trials done of planned, its workers, then its results',
    async () => {
      const redis = await TestRedis.start();
      const url = `${redis.url}/0`;
      const worker = spawnCli(['worker', '--backend', url, '--concurrency', '1']);
      let coordinator: CliProcess | undefined;
      try {
        await until('the worker takes trials', () => worker.err().includes('taking trials'));
        // 4 configurations × 4 replications on the one worker.
        const dir = path.join(runsDir, 'sweep-on-redis');
        coordinator = spawnCli([
          'sweep',
          'scenarios/plantnet.yaml',
          '-p',
          'cloud.engine.pools.extract=1..4',
          '-r',
          '4',
          '--set',
          'run.duration=1500',
          '--set',
          'run.warmup=50',
          '--no-progress',
          '--backend',
          url,
          '--out',
          dir,
        ]);
        // Held part-way (the worker paused) so the page sees it running, however fast this machine is: the
        // store is watched (progress.json follows it within a second, too late on a fast machine).
        await until('a few trials done', () => trialsIn(dir) >= 2);
        worker.kill('SIGSTOP');
        const written = () => {
          try {
            return JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8')).done;
          } catch {
            return undefined; // being replaced
          }
        };
        await until('progress.json has caught up with the store', () => written() === trialsIn(dir));
        await page.goto(`${base}/#studies`);
        await page.waitForFunction(
          () => document.body.dataset.ready === 'yes' && document.body.dataset.view === 'studies',
        );
        const row = page.locator('#studies-table tr[data-study="sweep-on-redis"] .study-progress-text');
        await row.waitFor();
        expect(await row.textContent()).toMatch(/^running · trial \d+\/16 · 1 worker · ETA /);
        await page.click('#studies-table tr[data-study="sweep-on-redis"] a');
        await page.waitForSelector('#study-progress');
        const shown = await page.evaluate(() => document.body.dataset.studyProgress!);
        const [, done] = /^running:(\d+)\/16:1$/.exec(shown) ?? [];
        expect(Number(done), shown).toBeGreaterThanOrEqual(2);
        expect(Number(done), shown).toBeLessThan(16);
        expect(await page.textContent('#study-progress')).toContain(
          `on the Redis queue ${url}, 1 e2ctwin worker`,
        );
        // Results as they arrive: the trials simulated last, newest first (every one so far, up to 8).
        expect(await page.locator('#study-latest tbody tr').count()).toBe(Math.min(Number(done), 8));
        const heads = await page.$$eval('#study-latest th', (ths) => ths.map((t) => t.textContent));
        expect(heads).toEqual([
          'extract',
          'replication',
          'responseTime.mean',
          'responseTime.p95',
          'throughput',
        ]);
        await shot('13-study-running-on-redis.png');
        // Going on: the page follows it without a reload (more trials done, or the card gone at its end),
        // then draws the results when they are written.
        worker.kill('SIGCONT');
        await page.waitForFunction(
          (d) => {
            const m = /^running:(\d+)\/16:1$/.exec(document.body.dataset.studyProgress ?? '');
            return !m || Number(m[1]) > d;
          },
          Number(done),
          { timeout: 60_000 },
        );
        expect(await exited(coordinator), coordinator.err()).toBe(0);
        // The page draws the study's results by itself (no navigation here): its chart, no progress card.
        await page.waitForFunction(
          () =>
            document.querySelector('#study h2')?.textContent === 'sweep: sweep-on-redis' &&
            !document.getElementById('study-progress') &&
            document.querySelectorAll('#study-chart svg').length > 0,
          undefined,
          { timeout: 30_000 },
        );
        expect(await page.evaluate(() => document.body.dataset.study)).toBe('sweep:responseTime.mean');
        const sweep = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
        expect(sweep.results).toHaveLength(4);
        expect(await row.textContent()).toBe('done · 16 trials');
        expect(pageErrors.filter((e) => !e.includes('status of 404'))).toEqual([]);
      } finally {
        worker.kill('SIGCONT');
        worker.kill('SIGTERM');
        coordinator?.kill('SIGTERM');
        await Promise.all([exited(worker), coordinator ? exited(coordinator) : undefined]);
        await redis.stop();
      }
    },
    120_000,
  );

  /** Opens each main view of run `runId` (Studies with the sweep open) and calls `check` on it. */
  async function eachView(check: (view: string) => Promise<void>) {
    for (const view of ['topology', 'timeline', 'utilization', 'latency', 'runs', 'studies']) {
      const hash = view === 'studies' ? '#studies/sweep-extract-simsearch' : `#${view}/${runId}`;
      await page.goto(`${base}/${hash}`);
      await page.waitForFunction(
        (v) =>
          document.body.dataset.ready === 'yes' &&
          document.body.dataset.view === v &&
          document.body.dataset.rendering === '',
        view,
      );
      const ready: Record<string, string> = {
        topology: '#topology svg',
        timeline: TIMELINE_DRAWN,
        utilization: '#chart-pool-utilization svg',
        latency: '#latency svg.distribution-chart',
        runs: '#compare-cdf svg',
        studies: '#study-chart g.cell',
      };
      await page.waitForSelector(ready[view]!);
      await check(view);
    }
  }

  async function axeViolations(): Promise<string[]> {
    if (!(await page.evaluate(() => 'axe' in window)))
      await page.addScriptTag({ url: `${base}/__test__/axe.min.js` });
    const found = await page.evaluate(async () => {
      const r = await (
        window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<any> } }
      ).axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v: any) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')),
      }));
    });
    return found
      .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v: { id: string; impact: string; nodes: string[] }) =>
          `${v.id} (${v.impact}): ${v.nodes.join(', ')}`,
      );
  }

  /** SVG text drawn with less than 4.5:1 contrast against what lies under it (axe-core does not check SVG text). */
  async function lowContrastSvgText(): Promise<string[]> {
    return page.$$eval('main svg[role=img] text', (texts) => {
      const rgb = (c: string): number[] | null => {
        const m = /rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/.exec(c);
        if (!m || (m[4] !== undefined && Number(m[4]) < 0.5)) return null;
        return [Number(m[1]), Number(m[2]), Number(m[3])];
      };
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => {
          const x = v / 255;
          return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const out: string[] = [];
      for (const t of texts as SVGTextElement[]) {
        if (t.closest('[hidden]') || !t.textContent?.trim()) continue;
        t.scrollIntoView({ block: 'center', inline: 'center' }); // elementsFromPoint sees the viewport only
        const r = t.getBoundingClientRect();
        if (r.width === 0) continue;
        const fg = rgb(getComputedStyle(t).fill);
        if (!fg) continue;
        let bg: number[] | null = null;
        for (const e of document.elementsFromPoint(r.left + r.width / 2, r.top + r.height / 2)) {
          if (e === t || (e.contains(t) && e.tagName !== 'svg' && e.tagName !== 'DIV')) continue;
          if (e.tagName === 'svg' || e.tagName === 'DIV' || e.tagName === 'MAIN') {
            let el: Element | null = e;
            while (el && !bg) {
              bg = rgb(getComputedStyle(el).backgroundColor);
              el = el.parentElement;
            }
            break;
          }
          if (['rect', 'circle', 'path', 'polygon'].includes(e.tagName)) {
            // A pattern fill (the hatch of infeasible cells) counts as its base rectangle's colour.
            const pattern = /url\("?#([\w-]+)"?\)/.exec(getComputedStyle(e).fill)?.[1];
            const base = pattern ? document.getElementById(pattern)?.querySelector('rect') : null;
            const f = rgb(getComputedStyle(base ?? e).fill);
            if (
              f &&
              Number(getComputedStyle(e).fillOpacity) >= 0.5 &&
              Number(getComputedStyle(e).opacity) >= 0.5
            ) {
              bg = f;
              break;
            }
          }
        }
        if (!bg) bg = rgb(getComputedStyle(document.documentElement).backgroundColor);
        const [a, b] = [lum(fg), lum(bg!)].sort((x, y) => y - x);
        const ratio = (a! + 0.05) / (b! + 0.05);
        if (ratio < 4.5)
          out.push(
            `"${t.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1 (${getComputedStyle(t).fill} on rgb(${bg!.join(', ')}))`,
          );
      }
      return out;
    });
  }

  it('axe-core finds no serious or critical accessibility violation on any main view, light or dark; every chart is a named image', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await eachView(async (view) => {
        expect(await axeViolations(), `${view} (${scheme})`).toEqual([]);
        expect.soft(await lowContrastSvgText(), `${view} (${scheme}): chart text`).toEqual([]);
        const unnamed = await page.$$eval('main svg:not([aria-hidden=true])', (svgs) =>
          svgs
            .filter((s) => s.closest('[hidden]') === null && s.getAttribute('width') !== '0')
            .filter((s) => s.getAttribute('role') !== 'img' || !s.getAttribute('aria-label'))
            .map((s) => s.outerHTML.slice(0, 80)),
        );
        expect(unnamed, view).toEqual([]);
      });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('draws every main view in the dark scheme and at 1024×700 without scrolling sideways', async () => {
    const bg = async () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${base}/#latency/${runId}`);
    await page.waitForSelector('#latency svg.distribution-chart');
    expect(await bg()).toBe('rgb(11, 17, 32)');
    await page.setViewportSize({ width: 1024, height: 700 });
    await eachView(async (view) => {
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect(scroll, `${view}: page ${scroll} px wide in a ${client} px window`).toBeLessThanOrEqual(client);
      // Nor is a chart cut by its card.
      const cut = await page.$$eval('main .chart-card svg[role=img]', (svgs) =>
        svgs
          .filter((svg) => svg.closest('[hidden]') === null)
          .filter(
            (svg) =>
              svg.getBoundingClientRect().right >
              svg.closest('.chart-card')!.getBoundingClientRect().right + 0.5,
          )
          .map((svg) => svg.getAttribute('aria-label')!.slice(0, 60)),
      );
      expect(cut, view).toEqual([]);
      await shot(`13-dark-1024-${view}.png`);
    });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await bg()).toBe('rgb(241, 245, 249)');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(pageErrors.filter((e) => !e.includes('status of 404'))).toEqual([]);
  });
});
