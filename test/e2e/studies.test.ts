import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations as axeViolationsOf,
  launchChromium,
  noteNavigation,
  routeAxe,
  startServe,
  watchedPage,
} from '../support/browser.js';
import { repoRoot, runCli } from '../support/cli.js';

// The Studies view as Optuna Dashboard shows studies (issue 20, item 3) and a validate-twin study as the
// twin's predictions against the testbed (item 4), in headless Chromium on real study files: a 4-parameter
// sweep (one parameter over two decades), a two-objective optimizer run, a Morris screening and the nginx
// validation (with prediction intervals over its calibration set). Screenshots go to test-output/screenshots/.
const SHOTS = path.join(repoRoot, 'test-output/screenshots');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-studies-'));
const runsDir = path.join(tmp, 'runs');
const errors: string[] = [];
let server: ChildProcess | undefined;
let browser: Browser;
let page: Page;
let base = '';

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * Opens study `id` in a new document: the page may show that address already (the test before opened it),
 * and a goto that changes the hash alone keeps the drawing before — whose data-study satisfies the wait
 * below at once, before the study is drawn again (a load-dependent race: CI-like load saw it), and whose
 * brush or metric picked would carry over.
 */
async function openStudy(id: string, kind: string) {
  noteNavigation(page);
  await page.goto('about:blank');
  await page.goto(`${base}/#studies/${id}`);
  await page.waitForFunction(
    (k) => document.body.dataset.ready === 'yes' && (document.body.dataset.study ?? '').startsWith(`${k}:`),
    kind,
  );
}

/** The cells of column `key` of the trials table, as shown. */
function column(key: string, table = '#study-trials'): Promise<string[]> {
  return page.$$eval(
    `${table} table.trials`,
    ([t], k) => {
      const i = [...t!.querySelectorAll('thead th')].findIndex((th) => (th as HTMLElement).dataset.key === k);
      return [...t!.querySelectorAll('tbody tr')].map((tr) => tr.children[i]!.textContent!);
    },
    key,
  );
}
/**
 * Charts on the page whose turned y-axis title overlaps one of the y axis's tick labels (a label wider than
 * the left margin runs over the title), as `chart id: label`.
 */
function yTitlesOverlapped(): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    for (const title of document.querySelectorAll('svg text.axis-label[transform^="rotate"]')) {
      const t = title.getBoundingClientRect();
      const plot = title.parentElement!;
      for (const tick of plot.querySelectorAll(':scope > g.axis:not([transform]) .tick text')) {
        const r = tick.getBoundingClientRect();
        const apart = r.right <= t.left || r.left >= t.right || r.bottom <= t.top || r.top >= t.bottom;
        if (!apart) bad.push(`${title.closest('[id]')?.id ?? '?'}: ${tick.textContent}`);
      }
    }
    return bad;
  });
}
const numbers = (cells: string[]) => cells.map((c) => Number(c.replaceAll(',', '')));
const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x);
const descending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! >= x);

/** Drags along the parallel-coordinates axis of `key`, from fraction `from` to `to` of its height. */
async function brush(key: string, from: number, to: number) {
  const overlay = page.locator(`#study-parallel g.axis[data-key="${key}"] .pc-brush .overlay`);
  // Centred: near the top of the window it would lie under the page's sticky header.
  await overlay.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  const box = (await overlay.boundingBox())!;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + box.height * from);
  await page.mouse.down();
  await page.mouse.move(x, box.y + box.height * ((from + to) / 2), { steps: 4 });
  await page.mouse.move(x, box.y + box.height * to, { steps: 4 });
  await page.mouse.up();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const fixtures = path.join(repoRoot, 'test/server/fixtures/studies');
  for (const id of ['optimize-tpe', 'morris', 'sweep-extract-simsearch'])
    cpSync(path.join(fixtures, id), path.join(runsDir, id), { recursive: true });
  cpSync(path.join(repoRoot, 'test/e2e/fixtures/sweep-four'), path.join(runsDir, 'sweep-four'), {
    recursive: true,
  });
  // What `validate-twin --calibration-set … --out` wrote for the nginx campaign.
  mkdirSync(path.join(runsDir, 'nginx-validation'));
  for (const f of ['plot.json', 'validation.json'])
    cpSync(path.join(repoRoot, 'calibration/nginx', f), path.join(runsDir, 'nginx-validation', f));
  // A live run of the local-testbed campaign (held-out u1, as shipped) and its twin, simulated here with
  // the campaign's fitted parameters over the same measured window.
  cpSync(path.join(repoRoot, 'calibration/local-testbed/runs/held-out/u1'), path.join(runsDir, 'live-u1'), {
    recursive: true,
  });
  const twin = runCli([
    'simulate',
    'scenarios/local-testbed.yaml',
    '--set',
    'edge.users.workload.users=1',
    '--set',
    'calibration=../calibration/local-testbed/params.yaml',
    '-r',
    '10',
    '--no-progress',
    '--out',
    path.join(runsDir, 'twin-u1'),
  ]);
  if (twin.status !== 0) throw new Error(`the twin's simulation failed: ${twin.stderr}`);
  ({ base, server } = await startServe(runsDir, tmp));
  browser = await launchChromium();
  page = await watchedPage(browser, base, errors);
  // axe-core, injected from the page's own origin (its CSP allows only 'self').
  await routeAxe(page, base);
});

const axeViolations = () => axeViolationsOf(page, base);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

describe('the Studies view (headless Chromium)', () => {
  it('explores a 4-parameter sweep: importance, brushable parallel coordinates, slices, contour, a sortable table', async () => {
    const sweep = json(path.join(runsDir, 'sweep-four/results.json'));
    const n = sweep.results.length;
    await openStudy('sweep-four', 'sweep');
    await page.waitForSelector('#study-trials table.trials tbody tr');
    // Importance: one bar per parameter.
    await page.waitForFunction(() => document.querySelectorAll('#study-importance rect.bar').length === 4);
    // Parallel coordinates: one unfilled line per configuration; http spans 2..200, so its axis is log.
    expect(await page.locator('#study-parallel path.pc-line').count()).toBe(n);
    const fills = await page.$$eval('#study-parallel path.pc-line', (ps) => [
      ...new Set(ps.map((p) => getComputedStyle(p).fill)),
    ]);
    expect(fills).toEqual(['none']);
    expect(await page.getAttribute('#study-parallel g.axis[data-key="http"]', 'data-scale')).toBe('log');
    expect(await page.getAttribute('#study-parallel g.axis[data-key="extract"]', 'data-scale')).toBe(
      'linear',
    );
    // Slices: one per parameter, http's on a log axis; the contour over the two most important.
    expect(await page.locator('#study-slices .slice-chart svg').count()).toBe(4);
    expect(await page.getAttribute('.slice-chart[data-param="http"] g.axis[data-scale]', 'data-scale')).toBe(
      'log',
    );
    expect(await page.locator('#study-contour path.contour-band').count()).toBeGreaterThan(3);
    expect(await page.locator('#study-contour .contour-trials circle').count()).toBe(n);
    // Every point of the plot lies in a band: no hole shows the card (the lowest band starts at the minimum).
    const holes = await page.$eval('#study-contour', (card) => {
      card.scrollIntoView({ block: 'center' });
      // The plot area: the x axis's line across, the y axis's line down.
      const [xa, ya] = [...card.querySelectorAll('svg.contour-chart > g > g.axis path.domain')].map((p) =>
        p.getBoundingClientRect(),
      );
      const r = { left: xa!.left, width: xa!.width, top: ya!.top, height: ya!.height };
      let missed = 0;
      for (let i = 1; i < 20; i++)
        for (let j = 1; j < 20; j++) {
          const hit = document.elementFromPoint(r.left + (r.width * i) / 20, r.top + (r.height * j) / 20);
          if (!hit?.matches('path.contour-band, .contour-trials circle')) missed++;
        }
      return missed;
    });
    expect(holes).toBe(0);
    const top2 = await page.$$eval('#study-importance .bar-category', (ts) =>
      ts.slice(0, 2).map((t) => t.textContent),
    );
    expect((await page.getAttribute('#study-contour', 'data-params'))!.split('|')).toEqual(top2);
    await page.selectOption('#contour-y', 'download');
    await page.waitForFunction(() =>
      document.querySelector('#study-contour')?.getAttribute('data-params')?.endsWith('|download'),
    );

    // The table: every configuration, sorted by the metric; a click on its header reverses it.
    expect(await page.locator('#study-trials tbody tr').count()).toBe(n);
    const metric = 'm:responseTime.mean';
    expect(ascending(numbers(await column(metric)))).toBe(true);
    await page.click(`#study-trials th[data-key="${metric}"] button`);
    await page.waitForSelector(`#study-trials [data-sort="${metric}:desc"]`);
    expect(descending(numbers(await column(metric)))).toBe(true);
    await page.click('#study-trials th[data-key="p:http"] button');
    await page.waitForSelector('#study-trials [data-sort="p:http:asc"]');
    const https = numbers(await column('p:http'));
    expect(ascending(https)).toBe(true);
    expect(https.length).toBe(n);
    await shot('20-study-sweep-four.png');

    // Brushing the extract axis keeps fewer lines, and the table shows exactly those configurations.
    await brush('extract', 0.05, 0.45);
    await page.waitForFunction(
      (all) =>
        Number(document.querySelector('#study-parallel svg.pc-chart')?.getAttribute('data-shown')) < all,
      n,
    );
    const shown = Number(await page.getAttribute('#study-parallel svg.pc-chart', 'data-shown'));
    expect(shown).toBeGreaterThan(0);
    expect(await page.locator('#study-parallel path.pc-line:not(.pc-out)').count()).toBe(shown);
    await page.waitForFunction(
      (k) => document.querySelectorAll('#study-trials tbody tr').length === k,
      shown,
    );
    const [lo, hi] = await page.evaluate(() => {
      const a = document.querySelector('#study-parallel g.axis[data-key="extract"] .pc-brush .selection')!;
      return [Number(a.getAttribute('y')), Number(a.getAttribute('height'))];
    });
    expect(hi).toBeGreaterThan(0);
    expect(lo).toBeGreaterThanOrEqual(0);
    const extracts = numbers(await column('p:extract'));
    const kept = sweep.results.filter((r: { config: { extract: number } }) =>
      extracts.includes(r.config.extract),
    );
    expect(kept.length).toBe(shown);
    // The CSV holds the rows shown, in the order shown.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#study-trials [data-export=table-csv]'),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv.length).toBe(shown + 1);
    const head = csv[0]!.split(',');
    expect(numbers(csv.slice(1).map((l) => l.split(',')[head.indexOf('http')]!))).toEqual(
      numbers(await column('p:http')),
    );
    await shot('21-study-sweep-four-brushed.png');
    expect(errors).toEqual([]);
  });

  it("keeps a sweep's metric in the address: restored on reload, redrawn when the address is edited, a message for an unknown one", async () => {
    const sweep = json(path.join(runsDir, 'sweep-four/results.json'));
    const keys = Object.keys(sweep.results[0].mean) as string[];
    await openStudy('sweep-four', 'sweep');
    const shown = () => page.evaluate(() => document.body.dataset.study);
    const [first, second] = await page.locator('#study-metric option').allTextContents();
    expect(await shown()).toBe(`sweep:${first}`);
    await page.selectOption('#study-metric', second!);
    await page.waitForFunction((m) => document.body.dataset.study === `sweep:${m}`, second);
    expect(new URL(page.url()).hash).toBe(`#studies/sweep-four?metric=${encodeURIComponent(second!)}`);
    await page.reload();
    await page.waitForFunction(
      (m) => document.body.dataset.ready === 'yes' && document.body.dataset.study === `sweep:${m}`,
      second,
      { timeout: 60_000 },
    );
    expect(await page.inputValue('#study-metric')).toBe(second);
    // Edited by hand: another metric of the study is drawn.
    const other = keys.find((k) => k !== first && k !== second)!;
    await page.evaluate((m) => {
      location.hash = `#studies/sweep-four?metric=${encodeURIComponent(m)}`;
    }, other);
    await page.waitForFunction((m) => document.body.dataset.study === `sweep:${m}`, other, {
      timeout: 60_000,
    });
    expect(await page.inputValue('#study-metric')).toBe(other);
    // A metric the study does not have: a message, and the study drawn with its first metric.
    await page.evaluate(() => {
      location.hash = '#studies/sweep-four?metric=no-such-metric';
    });
    await page.waitForSelector('#route-message:not([hidden])', { timeout: 60_000 });
    expect(await page.textContent('#route-message')).toContain('no-such-metric');
    await page.waitForFunction((m) => document.body.dataset.study === `sweep:${m}`, first, {
      timeout: 60_000,
    });
    await shot('20b-study-metric-unknown.png');
    expect(errors).toEqual([]);
  });

  it('brushes the parallel coordinates from the keyboard: an axis takes the focus, arrows select and move, Escape clears', async () => {
    const sweep = json(path.join(runsDir, 'sweep-four/results.json'));
    const n = sweep.results.length;
    await openStudy('sweep-four', 'sweep'); // a page of its own: not the previous step's brush
    await page.waitForSelector('#study-parallel path.pc-line');
    const axis = '#study-parallel g.axis[data-key="extract"]';
    expect(await page.getAttribute(axis, 'data-range')).toBeNull();
    expect(await page.getAttribute(axis, 'tabindex')).toBe('0');
    expect(await page.getAttribute(axis, 'aria-label')).toContain('Escape clears');
    await page.focus(axis);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.key)).toBe('extract');
    const selection = () =>
      page.$eval(`${axis} .pc-brush .selection`, (e) => ({
        y: Number(e.getAttribute('y')),
        height: Number(e.getAttribute('height')),
      }));
    const axisHeight = await page.$eval(`${axis} .pc-brush .overlay`, (e) =>
      Number(e.getAttribute('height')),
    );
    /** The state after the last key: the range on the axis, rows kept, the live region's words, the table. */
    async function kept() {
      const range = await page.getAttribute(axis, 'data-range');
      const shown = Number(await page.getAttribute('#study-parallel svg.pc-chart', 'data-shown'));
      await page.waitForFunction(
        (k) => document.querySelectorAll('#study-trials tbody tr').length === k,
        shown,
      );
      return {
        range: range ? range.split(',').map(Number) : null,
        shown,
        said: await page.textContent('#study-parallel .pc-status'),
      };
    }
    const inRange = ([lo, hi]: number[]) =>
      sweep.results.filter(
        (r: { config: { extract: number } }) => r.config.extract >= lo! && r.config.extract <= hi!,
      ).length;

    // Down: the middle half of the axis.
    await page.keyboard.press('ArrowDown');
    let now = await kept();
    expect((await selection()).y).toBeCloseTo(axisHeight / 4, 6);
    expect((await selection()).height).toBeCloseTo(axisHeight / 2, 6);
    expect(now.range).not.toBeNull();
    expect(now.shown).toBe(inRange(now.range!));
    expect(now.shown).toBeLessThan(n);
    expect(now.said).toMatch(
      new RegExp(`^extract: from .+ to .+; ${now.shown} of ${n} configurations kept$`),
    );
    // Up twice: moved up by two twentieths of the axis, as wide.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect((await selection()).y).toBeCloseTo(axisHeight / 4 - (2 * axisHeight) / 20, 6);
    expect((await selection()).height).toBeCloseTo(axisHeight / 2, 6);
    now = await kept();
    expect(now.shown).toBe(inRange(now.range!));
    // Shift+Up widens by a twentieth (half each side), Shift+Down narrows.
    await page.keyboard.press('Shift+ArrowUp');
    expect((await selection()).height).toBeCloseTo(axisHeight / 2 + axisHeight / 20, 6);
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    expect((await selection()).height).toBeCloseTo(axisHeight / 2 - axisHeight / 20, 6);
    now = await kept();
    expect(now.shown).toBe(inRange(now.range!));
    expect(await page.locator('#study-parallel path.pc-line:not(.pc-out)').count()).toBe(now.shown);
    await shot('24-study-parallel-keyboard-brush.png');
    // Escape: no range, every configuration kept.
    await page.keyboard.press('Escape');
    now = await kept();
    expect(now.range).toBeNull();
    expect(now.shown).toBe(n);
    expect(now.said).toBe(`extract: no range; ${n} of ${n} configurations kept`);
    expect(errors).toEqual([]);
  });

  it('explores an optimizer run: its evaluations, importance per objective and the Pareto front', async () => {
    const opt = json(path.join(runsDir, 'optimize-tpe/result.json'));
    await openStudy('optimize-tpe', 'optimize');
    await page.waitForSelector('#study-trials table.trials tbody tr');
    expect(await page.locator('#study-pareto .dots-front circle').count()).toBe(opt.pareto.length);
    expect(await page.locator('#study-trials tbody tr').count()).toBe(opt.history.length);
    expect(await page.locator('#study-importance rect.bar').count()).toBe(opt.params.length);
    expect(await page.locator('#study-parallel path.pc-line').count()).toBe(opt.history.length);
    const onFront = (await column('__pareto')).filter((c) => c === 'yes').length;
    expect(onFront).toBe(opt.pareto.length);
    await page.selectOption('#study-metric', 'energyJ');
    await page.waitForSelector('#study-trials [data-sort="m:energyJ:asc"]');
    expect(ascending(numbers(await column('m:energyJ')))).toBe(true);
    await shot('22-study-optimize.png');
    expect(await page.locator('svg text.axis-label[transform^="rotate"]').count()).toBeGreaterThan(0);
    expect(await yTitlesOverlapped()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("ranks a Morris study's parameters by their share of μ*, and sorts its indices", async () => {
    const morris = json(path.join(runsDir, 'morris/result.json'));
    await openStudy('morris', 'sensitivity');
    await page.waitForSelector('#study-importance rect.bar');
    const metric = morris.metrics[0];
    expect(await page.locator('#study-importance rect.bar').count()).toBe(
      morris.params.length * morris.metrics.length,
    );
    // The first category is the parameter with the largest μ* share (summed over the metrics).
    const mu = morris.indices[metric] as { param: string; muStar: number }[];
    const top = [...mu].sort((a, b) => b.muStar - a.muStar)[0]!.param;
    const name = morris.params.find((p: { path: string }) => p.path === top).name;
    const cats = await page.$$eval('#study-importance .bar-category', (ts) => ts.map((t) => t.textContent));
    expect(cats[0]).toBe(name);
    const shares = numbers(
      (await column(`share:${metric}`, '#study-indices')).map((c) => c.replace('%', '')),
    );
    expect(descending(shares)).toBe(true);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    await page.click(`#study-indices th[data-key="share:${metric}"] button`);
    await page.waitForSelector(`#study-indices [data-sort="share:${metric}:asc"]`);
    expect(
      ascending(numbers((await column(`share:${metric}`, '#study-indices')).map((c) => c.replace('%', '')))),
    ).toBe(true);
    // Its order in the address, under its own key; restored on reload.
    await page.waitForFunction((m) => location.hash === `#studies/morris?isort=share:${m}:asc`, metric);
    await page.reload();
    await page.waitForSelector(`#study-indices [data-sort="share:${metric}:asc"]`);
    expect(
      ascending(numbers((await column(`share:${metric}`, '#study-indices')).map((c) => c.replace('%', '')))),
    ).toBe(true);
    await shot('23-study-morris.png');
    expect(errors).toEqual([]);
  });

  it("shows a validate-twin study's scores as a card and its prediction intervals as bands, with the distributions overlaid", async () => {
    const report = json(path.join(runsDir, 'nginx-validation/validation.json'));
    const plot = json(path.join(runsDir, 'nginx-validation/plot.json'));
    await openStudy('nginx-validation', 'validation');
    await page.waitForSelector('#validation-scores .score');
    const score = (name: string) =>
      page.textContent(`#validation-scores .score[data-score="${name}"] .value`);
    expect(await score('MAPE')).toBe(`${(report.overall.mape.mean * 100).toFixed(1)}%`);
    // d3 writes a minus sign (U+2212), and + before a positive bias.
    const bias = (await score('bias'))!.replace('\u2212', '-').replace('%', '');
    expect(Number(bias)).toBeCloseTo(report.overall.bias.mean * 100, 1);
    expect(Number(await score('Spearman ρ'))).toBeCloseTo(report.overall.spearman.mean, 3);
    expect(Number(await score('KS distance'))).toBeCloseTo(report.overall.ks.mean, 3);
    expect(Number(await score('regret'))).toBeCloseTo(report.overall.regret.mean, 3);
    expect(await score('testbed noise')).toBe(`${(report.overall.noiseFloor.mean * 100).toFixed(1)}%`);
    const pi = report.predictionIntervals;
    expect(await score('in 90 % PIs')).toBe(`${pi.covered.all.inside}/${pi.covered.all.of}`);
    // Targets: each listed, met or not as the report says; the MAPE score marked as its target.
    expect(await page.locator('#validation-scores ul.targets li.met').count()).toBe(
      report.targets.filter((t: { met: boolean }) => t.met).length,
    );
    expect(await page.locator('#validation-scores ul.targets li').count()).toBe(report.targets.length);
    expect(await page.getAttribute('#validation-scores .score[data-score="MAPE"]', 'class')).toContain(
      report.targets[1].met ? 'met' : 'missed',
    );
    // One band per configuration and metric; the measured dots outside their band are those the report says.
    for (const metric of ['responseTime.mean', 'throughput']) {
      const rows = pi.configs.filter((c: { metric: string }) => c.metric === metric);
      const card = `.intervals-card[data-metric="${metric}"]`;
      expect(await page.locator(`${card} g.interval rect.band`).count()).toBe(rows.length);
      const outside = await page.$$eval(`${card} g.interval.outside`, (gs) =>
        gs.map((g) => (g as SVGGElement).dataset.name),
      );
      expect(outside).toEqual(
        rows.filter((r: { inside: boolean }) => !r.inside).map((r: { name: string }) => r.name),
      );
    }
    // The twin's and the testbed's response-time distributions of a configuration, overlaid.
    expect(await page.locator('#validation-config option').count()).toBe(plot.cdfs.length);
    await page.waitForSelector('.dots-measured, path.series');
    expect(await page.locator('.validation-chart').count()).toBe(plot.metrics.length);
    await shot('24-study-validation.png');
    expect(errors).toEqual([]);
  });

  it('overlays a live run on its simulated twin: both CDFs, both time series, their KS distance', async () => {
    await page.goto(`${base}/#runs?a=twin-u1&b=live-u1`);
    await page.waitForFunction(() => document.body.dataset.compare === 'twin-u1|live-u1');
    await page.waitForSelector('#compare[data-twin=yes] #compare-cdf svg');
    expect(await page.textContent('#compare h2')).toContain('Predicted vs measured');
    const labels = await page.$$eval('#compare-cdf .legend text, #compare-cdf text', (ts) =>
      ts.map((t) => t.textContent ?? ''),
    );
    expect(labels.some((l) => l.includes('twin-u1 (twin, simulated)'))).toBe(true);
    expect(labels.some((l) => l.includes('live-u1 (testbed, live)'))).toBe(true);
    // Two curves on each chart: the twin's and the testbed's.
    expect(await page.locator('#compare-cdf path.series').count()).toBe(2);
    expect(await page.locator('#compare-throughput path.series').count()).toBe(2);
    // The CDF axis spans both runs' requests (past their p99), not the 30 s abandonment threshold.
    const ticks = await page.$$eval('#compare-cdf g.axis', ([x]) =>
      [...x!.querySelectorAll('.tick text')].map((t) => Number(t.textContent)),
    );
    expect(Math.max(...ticks)).toBeGreaterThan(1);
    expect(Math.max(...ticks)).toBeLessThan(5);
    const ks = Number(await page.textContent('#compare-ks td.num'));
    expect(ks).toBeGreaterThan(0);
    expect(ks).toBeLessThan(1);
    await shot('25-twin-vs-live.png');
    expect(errors).toEqual([]);
  });

  it('axe-core finds no serious or critical violation on these views, light or dark', async () => {
    // Each view opened by its own marker: a new hash alone does not reload the page, so the previous
    // view's charts stay until the new one is drawn.
    const studies: [string, string, string][] = [
      ['sweep-four', 'sweep', '#study-parallel svg'],
      ['optimize-tpe', 'optimize', '#study-parallel svg'],
      ['morris', 'sensitivity', '#study-importance svg'],
      ['nginx-validation', 'validation', '.intervals-card svg'],
    ];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [id, kind, ready] of studies) {
        await openStudy(id, kind);
        await page.waitForSelector(ready);
        expect(await axeViolations(), `${id} (${scheme})`).toEqual([]);
      }
      await page.goto(`${base}/#runs?a=twin-u1&b=live-u1`);
      await page.waitForFunction(() => document.body.dataset.compare === 'twin-u1|live-u1');
      await page.waitForSelector('#compare[data-twin=yes] #compare-throughput svg');
      expect(await axeViolations(), `runs (${scheme})`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(errors).toEqual([]);
  });
});
