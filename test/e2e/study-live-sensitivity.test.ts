import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, liveStudyDrawn, shot } from '../support/browser.js';
import { HeldStudy, partialDone, soFarIn } from '../support/held-study.js';
import { morrisFromTrials, type ServedTrial } from '../support/morris-from-trials.js';
import { servedPage } from '../support/served-page.js';

// A running Morris study in the Studies view (issue 20): a real `e2ctwin sensitivity` started during the
// test and held still (SIGSTOP) part-way, so the page is checked against what its coordinator wrote
// however fast this machine is. While it runs the page draws the Morris view (importance, indices, μ*,
// σ against μ*) over the trajectories complete so far, said so, each index equal to the one recomputed
// from the study's stored trials; at its end the final indices replace them in place. The indices table's
// order is kept in the address (`?isort=`), restored on reload, an unknown one said and left out.

const served = servedPage('e2ctwin-e2e-live-sensitivity-');
const { runsDir, errors } = served;
const ID = 'live-morris';
const dir = path.join(runsDir, ID);
const SCENARIO = 'scenarios/plantnet.yaml';
// Three factors: 4 levels each give 64 points to the design's 48, so few are shared (a trajectory made
// of points simulated before completes at once) and trajectories complete one by one.
const PARAMS = [
  'cloud.engine.pools.extract=1..6',
  'cloud.engine.pools.http=10..40',
  'cloud.engine.pools.simsearch=5..40',
];
const OVERRIDES = ['run.duration=10000', 'run.warmup=500'];
const TRAJECTORIES = 12;
const METRIC = 'responseTime.mean';
let page: Page;
let base = '';
beforeAll(() => {
  ({ page, base } = served);
});

interface MorrisPartial {
  done: number;
  of: number;
  complete: number[];
}
/** The document so far in progress.json, as the coordinator last wrote it (undefined before). */
const soFarOnDisk = () => soFarIn<{ partial: MorrisPartial }>(dir);

/** The indices table as shown: parameter → the cells of columns `keys`, as numbers. */
const indicesShown = (keys: string[]): Promise<Record<string, number[]>> =>
  page.$$eval(
    '#study-indices table.trials',
    ([t], ks) => {
      const heads = [...t!.querySelectorAll('thead th')].map((th) => (th as HTMLElement).dataset.key);
      const out: Record<string, number[]> = {};
      for (const tr of t!.querySelectorAll('tbody tr')) {
        const cells = [...tr.children].map((c) => c.textContent!);
        out[cells[0]!] = ks.map((k) => Number(cells[heads.indexOf(k)]!.replaceAll(',', '')));
      }
      return out;
    },
    keys,
  );
const order = () =>
  page.$$eval('#study-indices tbody tr', (trs) => trs.map((tr) => tr.children[0]!.textContent));

/** The shown μ* and σ of each parameter equal `expected` to the four significant digits shown. */
function expectShown(
  shown: Record<string, number[]>,
  expected: { name: string; muStar: number; sigma: number }[],
) {
  expect(Object.keys(shown).sort()).toEqual(expected.map((x) => x.name).sort());
  for (const x of expected) {
    const [mu, sigma] = shown[x.name]!;
    expect(Math.abs(mu! - x.muStar)).toBeLessThanOrEqual(5e-4 * Math.abs(x.muStar) + 1e-12);
    expect(Math.abs(sigma! - x.sigma)).toBeLessThanOrEqual(5e-4 * Math.abs(x.sigma) + 1e-12);
  }
}

describe('a running Morris study in the Studies view (headless Chromium)', () => {
  it('shows its indices so far, equal to those of its stored trials, then its final indices; the indices order in the address', async () => {
    // 12 trajectories of 4 points on one worker thread, about 0.25 s a trial (a trajectory in about a second;
    // progress.json is written once a second): about 12 s in all.
    const run = HeldStudy.oneWorker(
      [
        'sensitivity',
        SCENARIO,
        '--method',
        'morris',
        '--trajectories',
        String(TRAJECTORIES),
        ...PARAMS.flatMap((p) => ['-p', p]),
        ...OVERRIDES.flatMap((s) => ['--set', s]),
        '-m',
        `${METRIC},throughput`,
      ],
      dir,
    );
    try {
      await run.holdWhen('a few trajectories complete', () => partialDone(dir) >= 2);
      const first = soFarOnDisk()!.partial;
      console.log(`held at ${first.done} of ${TRAJECTORIES} trajectories`);
      expect(first.done).toBeLessThan(TRAJECTORIES);
      await liveStudyDrawn(page, first.done, { base, id: ID });
      // The Morris view, not a sweep's, over the trajectories complete so far, said so everywhere.
      expect(await page.textContent('#study h2')).toBe(`sensitivity: ${ID}`);
      expect(await page.locator('#study-progress').count()).toBe(1);
      expect(await page.locator('#study-chart, #study-parallel').count()).toBe(0);
      expect(await page.textContent('#study-so-far h3')).toBe(
        `Indices so far: ${first.done} of ${TRAJECTORIES} trajectories complete`,
      );
      const soFarTitle = `so far, ${first.done} of ${TRAJECTORIES} trajectories`;
      expect(await page.textContent('#study-indices h3')).toContain(soFarTitle);
      expect(await page.locator('#study .study-chart').count()).toBe(4); // μ* and σ–μ* per metric
      // Each index shown is the one the library computes from the store's trials of those trajectories.
      const trials = (await (await fetch(`${base}/api/studies/${ID}/trials`)).json()).trials as ServedTrial[];
      const recomputed = morrisFromTrials({
        scenario: SCENARIO,
        params: PARAMS,
        overrides: OVERRIDES,
        trajectories: TRAJECTORIES,
        levels: 4,
        metric: METRIC,
        complete: first.complete,
        trials,
      }).map((x) => ({ name: x.param.name, muStar: x.muStar, sigma: x.sigma }));
      expectShown(await indicesShown([`muStar:${METRIC}`, `sigma:${METRIC}`]), recomputed);
      expect(await axeViolations(page, base)).toEqual([]);
      await shot(page, '73-study-live-morris-running.png');
      await page.screenshot({ path: '/tmp/web20c-running.png', fullPage: true });

      // The user orders the indices by μ* (ascending); the address holds it; more trajectories: kept.
      await page.click(`#study-indices th[data-key="muStar:${METRIC}"] button`); // descending first
      await page.click(`#study-indices th[data-key="muStar:${METRIC}"] button`);
      await page.waitForSelector(`#study-indices [data-sort="muStar:${METRIC}:asc"]`);
      await page.waitForFunction(
        (m) => location.hash === `#studies/${'live-morris'}?isort=muStar:${m}:asc`,
        METRIC,
      );
      run.resume();
      await run.holdWhen('more trajectories complete', () => partialDone(dir) >= first.done + 2);
      const second = soFarOnDisk()!.partial;
      console.log(`then at ${second.done} of ${TRAJECTORIES} trajectories`);
      await page.waitForFunction((k) => document.body.dataset.liveEntries === String(k), second.done);
      expect(await page.textContent('#study-so-far h3')).toContain(`${second.done} of ${TRAJECTORIES}`);
      expect(await page.getAttribute('#study-indices [data-sort]', 'data-sort')).toBe(`muStar:${METRIC}:asc`);
      const mus = Object.values(await indicesShown([`muStar:${METRIC}`])).map(([m]) => m!);
      // Rows in the order picked: μ* ascending.
      const rows = await order();
      const shownMu = await indicesShown([`muStar:${METRIC}`]);
      expect(rows.map((r) => shownMu[r!]![0])).toEqual([...mus].sort((a, b) => a - b));
      // Reloaded while it runs: the order from the address.
      await page.reload();
      await liveStudyDrawn(page, second.done);
      expect(await page.getAttribute('#study-indices [data-sort]', 'data-sort')).toBe(`muStar:${METRIC}:asc`);

      // To its end: the final indices replace those so far in place, the order still picked.
      expect(await run.finish(), run.err()).toBe(0);
      const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8'));
      await page.waitForFunction(
        () => !document.getElementById('study-progress') && !document.getElementById('study-so-far'),
        undefined,
        { timeout: 30_000 },
      );
      await page.waitForSelector('#study-indices table.trials');
      expect(await page.textContent('#study-indices h3')).toBe('Indices (click a header to sort)');
      expect(await page.getAttribute('#study-indices [data-sort]', 'data-sort')).toBe(`muStar:${METRIC}:asc`);
      const names = Object.fromEntries(
        (result.params as { path: string; name: string }[]).map((p) => [p.path, p.name]),
      );
      expectShown(
        await indicesShown([`muStar:${METRIC}`, `sigma:${METRIC}`]),
        (result.indices[METRIC] as { param: string; muStar: number; sigma: number }[]).map((x) => ({
          name: names[x.param]!,
          muStar: x.muStar,
          sigma: x.sigma,
        })),
      );
      expect(await axeViolations(page, base)).toEqual([]);
      await shot(page, '74-study-live-morris-finished.png');
      await page.screenshot({ path: '/tmp/web20c-finished.png', fullPage: true });

      // The finished study reloaded from its address: the order restored.
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.ready === 'yes');
      await page.waitForSelector(`#study-indices [data-sort="muStar:${METRIC}:asc"]`);
      const final = await indicesShown([`muStar:${METRIC}`]);
      expect((await order()).map((r) => final[r!]![0])).toEqual(
        Object.values(final)
          .map(([m]) => m!)
          .sort((a, b) => a - b),
      );
      // An order naming no column of the table: said, the default shown (by importance), the address
      // rewritten without it; a malformed one: said, left out.
      await page.goto(`${base}/#studies/${ID}?isort=nosuch:asc`);
      await page.waitForSelector(`#study-indices [data-sort="share:${METRIC}:desc"]`);
      expect(await page.textContent('#route-message')).toContain('this study has no column "nosuch"');
      await page.waitForFunction((id) => location.hash === `#studies/${id}`, ID);
      await page.goto(`${base}/#studies/${ID}?isort=muStar`);
      await page.waitForSelector(`#study-indices [data-sort="share:${METRIC}:desc"]`);
      expect(await page.textContent('#route-message')).toContain('Cannot use the indices order "muStar"');
      await page.waitForFunction((id) => location.hash === `#studies/${id}`, ID);
      await page.screenshot({ path: '/tmp/web20c-unknown-order.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 180_000);

  it('shows a running Sobol study as how far its design is and its points so far, no indices before its end', async () => {
    const id = 'live-sobol';
    const sobolDir = path.join(runsDir, id);
    errors.length = 0; // this test's own
    // N = 16 rows, 2 parameters: 64 points of about 0.1 s on one worker thread (a few seconds).
    const run = HeldStudy.oneWorker(
      [
        'sensitivity',
        SCENARIO,
        '--method',
        'sobol',
        '-n',
        '16',
        ...PARAMS.slice(0, 2).flatMap((p) => ['-p', p]),
        '--set',
        'run.duration=4000',
        '--set',
        'run.warmup=500',
        '-m',
        METRIC,
      ],
      sobolDir,
    );
    try {
      await run.holdWhen('some points in', () => partialDone(sobolDir) >= 8);
      const done = partialDone(sobolDir);
      expect(done).toBeLessThan(64);
      await liveStudyDrawn(page, done, { base, id });
      expect(await page.textContent('#study-so-far h3')).toBe(
        `Sobol indices need the whole design: ${done} of 64 points simulated`,
      );
      // No indices, importance or sweep charts yet: the trials of its store as a table.
      expect(
        await page.locator('#study-indices, #study-importance, #study-chart, #study-parallel').count(),
      ).toBe(0);
      const trials = (await (await fetch(`${base}/api/studies/${id}/trials`)).json()).trials as ServedTrial[];
      expect(await page.locator('#study-trials tbody tr').count()).toBe(trials.length);
      const shown = await page.$$eval('#study-trials tbody tr', (trs) =>
        trs.map((tr) => [...tr.children].map((c) => c.textContent)),
      );
      // Ordered by the metric, each row a trial of the store (its configuration and its metric, as shown).
      const key = (c: unknown[]) => c.map(String).join('|');
      const stored = new Set(trials.map((t) => key([t.config.extract, t.config.http, t.replication])));
      for (const row of shown) expect(stored.has(key(row.slice(0, 3)))).toBe(true);
      const means = shown.map((r) => Number(r[3]!.replaceAll(',', '')));
      expect(means).toEqual([...means].sort((a, b) => a - b));
      expect(await axeViolations(page, base)).toEqual([]);
      await page.screenshot({ path: '/tmp/web20c-sobol-running.png', fullPage: true });
      expect(await run.finish(), run.err()).toBe(0);
      await page.waitForSelector('#study-indices table.trials', { timeout: 30_000 });
      expect(await page.locator('#study-so-far, #study-progress').count()).toBe(0);
      expect(await page.locator('#study-indices tbody tr').count()).toBe(2);
      await page.screenshot({ path: '/tmp/web20c-sobol-finished.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 120_000);
});
