import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { studentTQuantile } from '../../src/metrics/index.js';
import { axeViolations, liveStudyDrawn, viewDrawn, watchedPage } from '../support/browser.js';
import { simulateInto, trialsIn } from '../support/cli.js';
import { HeldStudy } from '../support/held-study.js';
import { servedPage } from '../support/served-page.js';

// Dashboards (issue 20, item 5) and a running study's live charts (item 3), in headless Chromium on run
// folders simulated here: the Utilization panels share a crosshair and a brushed time range, show the
// p95 per window, the warm-up and a per-host breakdown; Runs overlays more than two runs and gives the
// differences B − A with confidence intervals from the replications; a sweep started during the test is
// drawn from its store as its trials finish, keeping the metric and the order the user picked.

/** Simulates plantnet (3 replications of 15 min, 5 min warm-up) into runs/<id>. */
const simulate = (runsDir: string, id: string, ...sets: string[]) =>
  simulateInto(runsDir, id, ['scenarios/plantnet.yaml', '-r', '3', '--set', 'run.duration=900'], sets);

const served = servedPage('e2ctwin-dash-', {
  viewport: { width: 1440, height: 900 },
  setUp: (runsDir) => {
    simulate(runsDir, 'base');
    simulate(runsDir, 'extract8', 'cloud.engine.pools.extract=8');
    simulate(runsDir, 'two-engines', 'cloud.engine.quantity=2');
  },
  timeoutMs: 240_000,
});
const { runsDir, errors, shot, json } = served;
let page: Page;
let base = '';
beforeAll(() => {
  ({ page, base } = served);
});

async function openRunView(view: string, run: string) {
  await page.goto(`${base}/#${view}/${run}`);
  await viewDrawn(page, view, run);
}

/** The x range each synced panel of the Utilization view shows, by panel id. */
const domains = (): Promise<[string, string][]> =>
  page.$$eval('#view-utilization .chart-card svg[data-x-domain]', (svgs) =>
    svgs.map((s) => [s.closest('.chart-card')!.id, s.getAttribute('data-x-domain')!] as [string, string]),
  );

describe('dashboards and live studies (headless Chromium)', () => {
  it('Utilization: one crosshair and one brushed time range over every panel, the warm-up marked, p95 per window, per host', async () => {
    await openRunView('utilization', 'two-engines');
    await page.waitForSelector('#chart-per-host svg');
    const series = json('two-engines', 'series.json');
    const warmup = 300;
    // p95 per window: one value per window (series.json), drawn beside the mean per window.
    expect(series.responseTimeP95).toHaveLength(series.t0.length);
    const p95s = series.responseTimeP95.filter((v: number | null) => v !== null) as number[];
    expect(p95s.length).toBeGreaterThan(series.t0.length * 0.9);
    expect(await page.locator('#chart-response-time path.series').count()).toBe(2);
    expect(await page.textContent('#chart-response-time')).toContain('p95 response time');
    // Per host: the two engines, one line each, their busy threads per window.
    expect(series.hosts['cloud.engine'].count).toBe(2);
    expect(await page.getAttribute('#chart-per-host', 'data-hosts')).toBe('2');
    expect(await page.locator('#chart-per-host path.series').count()).toBe(2);
    // The two hosts' busy threads add up to the pool's mean (averaged over hosts) times two.
    const [h0, h1] = series.hosts['cloud.engine'].busy.extract as number[][];
    series.pools.extract.busy.forEach((b: number, i: number) => {
      expect(h0![i]! + h1![i]!).toBeCloseTo(2 * b, 6);
    });
    // The warm-up: shaded from 0 to its end on every panel over time.
    const panels = await domains();
    expect(panels.length).toBeGreaterThanOrEqual(7);
    const whole = panels[0]![1]!;
    expect(panels.every(([, d]) => d === whole)).toBe(true);
    expect(Number(whole.split(',')[0])).toBe(0);
    const band = await page.$eval('#chart-pool-utilization .x-band rect', (r) => ({
      x: Number(r.getAttribute('x')),
      width: Number(r.getAttribute('width')),
      plot: (r.closest('svg')!.querySelector('.hover-surface .overlay') as SVGRectElement).width.baseVal
        .value,
    }));
    expect(band.x).toBe(0);
    expect(band.width / band.plot).toBeCloseTo(warmup / Number(whole.split(',')[1]), 3);
    expect(await page.locator('.x-band').count()).toBe(panels.length);

    // Crosshair: hovering one panel draws the rule at the same instant on every other panel.
    const surface = page.locator('#chart-throughput .hover-surface .overlay');
    await surface.scrollIntoViewIfNeeded();
    const box = (await surface.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('#view-utilization .hover-rule')].filter(
          (r) => (r as SVGElement).style.display !== 'none',
        ).length === n,
      panels.length,
    );
    const xs = await page.$$eval('#view-utilization .hover-rule[data-x]', (rs) =>
      rs.map((r) => Number(r.getAttribute('data-x'))),
    );
    expect(xs).toHaveLength(panels.length);
    expect(new Set(xs).size).toBe(1);
    expect(xs[0]! / Number(whole.split(',')[1])).toBeCloseTo(0.6, 2);
    await shot('30-dashboard-crosshair.png');

    // Brushing a time range on one panel shows that range on all of them; a double-click shows the whole run.
    const pools = page.locator('#chart-pool-utilization .hover-surface .overlay');
    await pools.scrollIntoViewIfNeeded();
    const pb = (await pools.boundingBox())!;
    await page.mouse.move(pb.x + pb.width * 0.4, pb.y + pb.height / 2);
    await page.mouse.down();
    await page.mouse.move(pb.x + pb.width * 0.55, pb.y + pb.height / 2, { steps: 4 });
    await page.mouse.move(pb.x + pb.width * 0.7, pb.y + pb.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(
      (w) =>
        [...document.querySelectorAll('#view-utilization svg[data-x-domain]')].every(
          (s) => s.getAttribute('data-x-domain') !== w,
        ),
      whole,
    );
    const zoomed = await domains();
    expect(new Set(zoomed.map(([, d]) => d)).size).toBe(1);
    const [z0, z1] = zoomed[0]![1].split(',').map(Number);
    const end = Number(whole.split(',')[1]);
    expect(z0! / end).toBeCloseTo(0.4, 2);
    expect(z1! / end).toBeCloseTo(0.7, 2);
    // Drawn again over the range, each panel keeps its export buttons.
    expect(await page.locator('#chart-throughput .export-bar button').count()).toBe(3);
    await shot('31-dashboard-brushed.png');

    // The range brushed is in the address: a copied link shows it on every panel; a range outside the run is said.
    await page.waitForFunction(() => /[?&]from=[^&]+&to=[^&]+/.test(location.hash));
    const link = await page.evaluate(() => location.href);
    const other = await watchedPage(served.browser, base, errors, { width: 1440, height: 900 });
    try {
      await other.goto(link);
      await other.waitForFunction(
        ([a, b]) => {
          const svgs = [...document.querySelectorAll('#view-utilization svg[data-x-domain]')];
          return (
            svgs.length > 0 &&
            svgs.every((s) => {
              const [d0, d1] = s.getAttribute('data-x-domain')!.split(',').map(Number);
              return Math.abs(d0! - a) < 1e-5 * (b - a) && Math.abs(d1! - b) < 1e-5 * (b - a);
            })
          );
        },
        [z0!, z1!] as const,
      );
      expect(await other.locator('#route-message').isHidden()).toBe(true);
      await other.evaluate(() => {
        location.hash = '#utilization/two-engines?from=-50&to=1e9';
      });
      await other.waitForFunction(() => !document.getElementById('route-message')?.hidden);
      expect(await other.textContent('#route-message')).toContain('outside this run');
      await other.waitForFunction(
        (w) =>
          !location.hash.includes('from=') &&
          [...document.querySelectorAll('#view-utilization svg[data-x-domain]')].every(
            (s) => s.getAttribute('data-x-domain') === w,
          ),
        whole,
      );
    } finally {
      await other.close();
    }
    await page.dblclick('#chart-throughput .hover-surface .overlay');
    await page.waitForFunction(
      (w) =>
        [...document.querySelectorAll('#view-utilization svg[data-x-domain]')].every(
          (s) => s.getAttribute('data-x-domain') === w,
        ),
      whole,
    );
    // Back to the whole run: the range leaves the address.
    await page.waitForFunction(() => !location.hash.includes('from='));
    expect(errors).toEqual([]);
  });

  it('Runs: more than two runs overlaid, and each difference B − A with its 95 % CI from the paired replications', async () => {
    await page.goto(`${base}/#runs?a=base&b=extract8&more=two-engines`);
    await page.waitForFunction(
      () =>
        document.body.dataset.compare === 'base|extract8' &&
        document.body.dataset.compareMore === 'two-engines',
    );
    await page.waitForSelector('#compare-differences table');
    expect(await page.locator('#compare-cdf path.series').count()).toBe(3);
    expect(await page.locator('#compare-throughput path.series').count()).toBe(3);
    // The simulations' warm-up (5 min) shaded on the throughput's clock, which starts at 0.
    expect(await page.locator('#compare-throughput .x-band').count()).toBe(1);
    expect((await page.getAttribute('#compare-throughput svg', 'data-x-domain'))!.split(',')[0]).toBe('0');
    expect(await page.isChecked('#runs-table tr[data-run="two-engines"] input[name=cmp-more]')).toBe(true);
    // Same seed and replications: paired differences, checked here from metrics.json's replications.
    expect(await page.getAttribute('#compare-differences table', 'data-method')).toBe('paired');
    const a = json('base', 'metrics.json').perReplication;
    const b = json('extract8', 'metrics.json').perReplication;
    for (const metric of ['responseTime.mean', 'responseTime.p95', 'throughput']) {
      const read = (r: Record<string, any>): number =>
        metric.split('.').reduce((o, k) => o[k], r) as unknown as number;
      const d = b.map((r: any, i: number) => read(r) - read(a[i]));
      const mean = d.reduce((s: number, v: number) => s + v, 0) / d.length;
      const sd = Math.sqrt(d.reduce((s: number, v: number) => s + (v - mean) ** 2, 0) / (d.length - 1));
      const hw = (studentTQuantile(0.975, d.length - 1) * sd) / Math.sqrt(d.length);
      const row = `#compare-differences tr[data-metric="${metric}"]`;
      const got = (k: string) => page.getAttribute(row, `data-${k}`).then(Number);
      expect(await got('diff')).toBeCloseTo(mean, 9);
      // The page's t table has 3 decimals: within 0.1 % of the interval's half-width.
      expect(Math.abs((await got('hi')) - (mean + hw))).toBeLessThan(hw * 1e-3 + 1e-12);
      expect(Math.abs((await got('lo')) - (mean - hw))).toBeLessThan(hw * 1e-3 + 1e-12);
      const significant = mean - hw > 0 || mean + hw < 0;
      expect(await page.textContent(`${row} td:last-child`)).toContain(
        significant ? 'significant' : 'not significant',
      );
    }
    // 8 extract threads instead of 7 take the GPU stage's queue down: a mean response time significantly lower.
    expect(
      Number(await page.getAttribute('#compare-differences tr[data-metric="responseTime.mean"]', 'data-hi')),
    ).toBeLessThan(0);
    // The address holds the runs overlaid: reloaded, the same four curves.
    expect(new URL(page.url()).hash).toContain('&more=two-engines');
    await page.uncheck('#runs-table tr[data-run="two-engines"] input[name=cmp-more]');
    await page.waitForFunction(() => document.body.dataset.compareMore === '');
    expect(await page.locator('#compare-cdf path.series').count()).toBe(2);
    await page.check('#runs-table tr[data-run="two-engines"] input[name=cmp-more]');
    await page.waitForFunction(() => document.body.dataset.compareMore === 'two-engines');
    await page.locator('#compare-differences').scrollIntoViewIfNeeded();
    await shot('32-runs-overlay-differences.png');
    expect(errors).toEqual([]);
  });

  it('draws a sweep started during the test from its store as its trials finish, keeping the metric and the order picked', async () => {
    const dir = path.join(runsDir, 'live-sweep');
    const configsIn = () => {
      const db = new Database(path.join(dir, 'study.sqlite'), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT count(DISTINCT config_key) AS n FROM trials').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    // 4 × 2 configurations × 2 replications, one worker thread: held (SIGSTOP) at known points so that
    // the page is checked against the store however fast this machine is.
    const sweep = HeldStudy.oneWorker(
      [
        'sweep',
        'scenarios/plantnet.yaml',
        '-p',
        'cloud.engine.pools.extract=1..4',
        '-p',
        'cloud.engine.pools.http=10..40:30',
        '-r',
        '2',
        '--set',
        'run.duration=1200',
        '--set',
        'run.warmup=60',
      ],
      dir,
    );
    try {
      await sweep.holdWhen('a few trials done', () => trialsIn(dir) >= 3, { everyMs: 20 });
      const first = trialsIn(dir);
      await liveStudyDrawn(page, first, { base, id: 'live-sweep', key: 'liveTrials' });
      // The study's charts from the trials so far: a line of each configuration in the parallel
      // coordinates and the table, the progress card above them.
      const configs = configsIn();
      expect(await page.locator('#study-progress').count()).toBe(1);
      expect(await page.locator('#study-parallel path.pc-line').count()).toBe(configs);
      expect(await page.locator('#study-trials tbody tr').count()).toBe(configs);
      expect(await page.textContent('#study')).toContain(`${first} trials finished so far`);
      // The user picks a metric and an order.
      await page.selectOption('#study-metric', 'throughput');
      await page.waitForFunction(() => document.body.dataset.study === 'sweep:throughput');
      await page.click('#study-trials th[data-key="p:extract"] button');
      await page.waitForSelector('#study-trials [data-sort="p:extract:asc"]');
      await shot('33-study-live-running.png');
      // More trials finish (held again at once): the charts follow, the picks stay.
      sweep.resume();
      await sweep.holdWhen('more trials done', () => trialsIn(dir) >= first + 2);
      const second = trialsIn(dir);
      expect(second).toBeLessThan(16);
      await page.waitForFunction((n) => document.body.dataset.liveTrials === String(n), second);
      expect(await page.inputValue('#study-metric')).toBe('throughput');
      expect(await page.getAttribute('#study-trials [data-sort]', 'data-sort')).toBe('p:extract:asc');
      expect(await page.locator('#study-trials tbody tr').count()).toBe(configsIn());
      expect(await page.locator('#study-parallel path.pc-line').count()).toBe(configsIn());
      const extracts = await page.$$eval('#study-trials tbody tr', (trs) =>
        trs.map((tr) => Number(tr.children[1]!.textContent)),
      );
      expect(extracts).toEqual([...extracts].sort((x, y) => x - y));
      await shot('34-study-live-more.png');
      // Filtering the lines (a brush on the extract axis): new trials wait, and the page says so.
      const overlay = page.locator('#study-parallel g.axis[data-key="extract"] .pc-brush .overlay');
      await overlay.evaluate((e) => e.scrollIntoView({ block: 'center' }));
      const ob = (await overlay.boundingBox())!;
      await page.mouse.move(ob.x + ob.width / 2, ob.y + ob.height * 0.05);
      await page.mouse.down();
      await page.mouse.move(ob.x + ob.width / 2, ob.y + ob.height * 0.3, { steps: 4 });
      await page.mouse.move(ob.x + ob.width / 2, ob.y + ob.height * 0.55, { steps: 4 });
      await page.mouse.up();
      await page.waitForFunction(() => {
        const svg = document.querySelector('#study-parallel svg.pc-chart')!;
        return Number(svg.getAttribute('data-shown')) < svg.querySelectorAll('path.pc-line').length;
      });
      sweep.resume();
      await sweep.holdWhen('another trial done', () => trialsIn(dir) >= second + 1);
      const third = trialsIn(dir);
      expect(third).toBeLessThan(16);
      await page.waitForFunction(
        (n) => document.querySelector('#study-live-held')?.textContent?.startsWith(`${n} more trial`),
        third - second,
      );
      expect(await page.evaluate(() => document.body.dataset.liveTrials)).toBe(String(second));
      await shot('35-study-live-held-while-filtering.png');
      await page.click('#study-live-held button');
      await page.waitForFunction((n) => document.body.dataset.liveTrials === String(n), third);
      expect(await page.inputValue('#study-metric')).toBe('throughput');
      // To its end: the results its coordinator writes replace the live drawing.
      expect(await sweep.finish(), sweep.err()).toBe(0);
      await page.waitForFunction(
        () =>
          !document.getElementById('study-progress') &&
          document.querySelector('#study h2')?.textContent === 'sweep: live-sweep' &&
          document.querySelectorAll('#study-parallel path.pc-line').length === 8,
        undefined,
        { timeout: 30_000 },
      );
      expect(errors).toEqual([]);
    } finally {
      await sweep.stop();
    }
  }, 180_000);

  it('axe-core finds no serious or critical violation on the dashboard and the comparison, light or dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await openRunView('utilization', 'two-engines');
      await page.waitForSelector('#chart-per-host svg');
      expect(await axeViolations(page, base), `utilization (${scheme})`).toEqual([]);
      await page.goto(`${base}/#runs?a=base&b=extract8&more=two-engines`);
      await page.waitForFunction(() => document.body.dataset.compareMore === 'two-engines');
      await page.waitForSelector('#compare-differences table');
      expect(await axeViolations(page, base), `runs (${scheme})`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(errors).toEqual([]);
  });
});
