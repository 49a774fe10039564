import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { axeViolations, liveStudyDrawn, shot } from '../support/browser.js';
import { CAPACITY_SEARCH } from '../support/study-commands.js';
import { HeldStudy, partialDone, soFarIn } from '../support/held-study.js';
import { servedPage } from '../support/served-page.js';

// A running one-at-a-time study and a running capacity search in the Studies view (issue 20): real
// `e2ctwin sensitivity --method oat` and `e2ctwin capacity` commands started during the test and held
// still (SIGSTOP) part-way, so the page is checked against what their coordinators wrote however fast this
// machine is. While they run the page draws what their finished views show — the curves (and importance)
// over the points simulated so far; the capacity table, each configuration's loads against the SLO and
// the steps table over the loads decided so far, the configuration under way with its bracket — every
// title saying so far; at their end the final results replace them in place.

const view = servedPage('e2ctwin-e2e-live-capacity-oat-');
const { runsDir } = view;
const SCENARIO = 'scenarios/plantnet.yaml';

/** Circles drawn in the chart cards matching `sel`, per card. */
const dotsIn = (sel: string) =>
  view.page.$$eval(sel, (cards) => cards.map((c) => c.querySelectorAll('g.dots circle').length));

/** Opens study `id` and waits until it is drawn from the `done` results its progress.json holds. */
const openRunning = (id: string, done: number) => liveStudyDrawn(view.page, done, { base: view.base, id });

/** Waits until the running drawing of the open study is replaced by its results (`drawn`: in them). */
const ended = (drawn: string) =>
  view.page.waitForFunction(
    (sel) =>
      !document.getElementById('study-progress') &&
      !document.getElementById('study-so-far') &&
      document.querySelector(sel) !== null,
    drawn,
    { timeout: 30_000 },
  );

describe('running one-at-a-time and capacity studies in the Studies view (headless Chromium)', () => {
  it("draws a one-at-a-time study's curves over the points simulated so far, then its final curves", async () => {
    const { page, base, errors } = view;
    const id = 'live-oat';
    const dir = path.join(runsDir, id);
    interface Curve {
      param: string;
      points: { value: number; mean: number }[];
    }
    // 6 + 4 levels around the centre (extract 4, http 20): 10 points of about 0.25 s on one worker.
    const run = HeldStudy.oneWorker(
      [
        'sensitivity',
        SCENARIO,
        '--method',
        'oat',
        '-p',
        'cloud.engine.pools.extract=1..6',
        '-p',
        'cloud.engine.pools.http=10..40:10',
        '--at',
        'cloud.engine.pools.extract=4',
        '--at',
        'cloud.engine.pools.http=20',
        '--set',
        'run.duration=10000',
        '--set',
        'run.warmup=500',
        '-m',
        'responseTime.mean',
      ],
      dir,
    );
    try {
      await run.holdWhen('some points in', () => partialDone(dir) >= 3);
      const doc = soFarIn<{ curves: Record<string, Curve[]>; partial: { done: number } }>(dir)!;
      const { done } = doc.partial;
      console.log(`one-at-a-time held at ${done} of 10 points`);
      expect(done).toBeLessThan(10);
      await openRunning(id, done);
      // The sensitivity view's curves, not a sweep's charts, each over its points so far, said so.
      expect(await page.textContent('#study h2')).toBe(`sensitivity: ${id}`);
      expect(await page.locator('#study-progress').count()).toBe(1);
      expect(await page.locator('#study-chart, #study-parallel').count()).toBe(0);
      expect(await page.textContent('#study-so-far h3')).toBe(
        `Curves so far: ${done} of 10 points simulated`,
      );
      expect(await page.textContent('#study-importance h3')).toContain(`so far, ${done} of 10 points`);
      const curves = doc.curves['responseTime.mean']!;
      expect(await dotsIn('#study .oat-curve')).toEqual(curves.map((c) => c.points.length));
      for (const c of curves) {
        const title = await page.textContent(`#study .oat-curve[data-param="${c.param}"] h3`);
        const n = c.points.length;
        expect(title).toContain(`so far, ${n} point${n === 1 ? '' : 's'}`);
      }
      expect(await axeViolations(page, base)).toEqual([]);
      await shot(page, '75-study-live-oat-running.png');

      // To its end: every level's point, the titles without "so far", in place.
      expect(await run.finish(), run.err()).toBe(0);
      await ended('#study .oat-curve');
      expect(await dotsIn('#study .oat-curve')).toEqual([6, 4]);
      expect(await page.textContent('#study-importance h3')).not.toContain('so far');
      expect(await page.textContent('#study .oat-curve h3')).toBe(
        'responseTime.mean along extract (others at the centre)',
      );
      await shot(page, '76-study-live-oat-finished.png');
      expect(errors).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 120_000);

  it('draws a capacity search from the loads decided so far, its order kept, then its final capacities', async () => {
    const { page, base, errors } = view;
    const id = 'live-capacity';
    const dir = path.join(runsDir, id);
    interface Config {
      label: string;
      state?: string;
      capacity: number | null;
      firstFailure: number | null;
      steps: { load: number }[];
    }
    type Doc = { configs: Config[]; partial: { done: number; configurations: { done: number } } };
    // Two configurations, loads of 2,000 s with 2 to 4 replications on one worker: a few dozen loads.
    const run = HeldStudy.oneWorker(CAPACITY_SEARCH, dir);
    /** The summary's rows as shown: state, capacity and first failing cells. */
    const summary = () =>
      page.$$eval('#capacity-summary tbody tr', (trs) =>
        trs.map((tr) => ({
          config: (tr as HTMLElement).dataset.config,
          state: (tr as HTMLElement).dataset.state,
          capacity: tr.children[1]!.textContent,
          firstFailure: tr.children[2]!.textContent,
        })),
      );
    const loadsShown = () =>
      page.$$eval('#study-trials tbody tr', (trs) => trs.map((tr) => Number(tr.children[3]!.textContent)));
    try {
      await run.holdWhen('some loads decided', () => partialDone(dir) >= 3);
      const first = soFarIn<Doc>(dir)!;
      const { done } = first.partial;
      console.log(`capacity held at ${done} loads decided`);
      await openRunning(id, done);
      expect(await page.textContent('#study h2')).toBe(`capacity: ${id}`);
      expect(await page.locator('#study-progress').count()).toBe(1);
      expect(await page.textContent('#study-so-far h3')).toBe(
        `Search so far: ${done} loads decided, ${first.partial.configurations.done} of 2 configurations searched`,
      );
      // The configurations as the command will print them, the one under way with its bracket so far.
      const rows = await summary();
      expect(rows.map((r) => [r.config, r.state])).toEqual(first.configs.map((c) => [c.label, c.state]));
      const searching = first.configs.find((c) => c.state === 'searching')!;
      const row = rows.find((r) => r.state === 'searching')!;
      expect(row.capacity).toBe(searching.capacity === null ? '–' : `≥ ${searching.capacity}`);
      expect(row.firstFailure).toBe(searching.firstFailure === null ? '–' : String(searching.firstFailure));
      // A chart per configuration with loads decided, a point per load; the steps table, in their order.
      const withSteps = first.configs.filter((c) => c.steps.length > 0);
      expect(await dotsIn('#study .capacity-chart')).toEqual(withSteps.map((c) => c.steps.length));
      expect(await page.textContent('.capacity-chart[data-config="extract7"] h3')).toMatch(
        first.configs[0]!.state === 'searching' ? /— so far, searching$/ : /loads?$/,
      );
      expect(await loadsShown()).toEqual(first.configs.flatMap((c) => c.steps.map((s) => s.load)));
      expect(await page.textContent('#study-trials h3')).toContain(`so far, ${done} loads decided`);
      expect(await axeViolations(page, base)).toEqual([]);
      await shot(page, '77-study-live-capacity-running.png');

      // The user orders the steps by load; more are decided: drawn again, the order kept (and in the address).
      await page.click('#study-trials th[data-key="load"] button');
      await page.waitForSelector('#study-trials [data-sort="load:asc"]');
      await page.waitForFunction((i) => location.hash === `#studies/${i}?sort=load:asc`, id);
      run.resume();
      await run.holdWhen('more loads decided', () => partialDone(dir) >= done + 2);
      const more = soFarIn<Doc>(dir)!.partial.done;
      await page.waitForFunction((k) => document.body.dataset.liveEntries === String(k), more);
      expect(await page.getAttribute('#study-trials [data-sort]', 'data-sort')).toBe('load:asc');
      const loads = await loadsShown();
      expect(loads).toHaveLength(more);
      expect(loads).toEqual([...loads].sort((a, b) => a - b));

      // To its end: the final capacities in place, the order still picked.
      expect(await run.finish(), run.err()).toBe(0);
      await ended('#capacity-summary');
      const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as Doc;
      const final = await summary();
      expect(final.map((r) => r.state)).toEqual(['done', 'done']);
      expect(final.map((r) => r.capacity)).toEqual(
        result.configs.map((c) => (c.firstFailure === null ? `≥ ${c.capacity}` : String(c.capacity))),
      );
      expect(await page.getAttribute('#study-trials [data-sort]', 'data-sort')).toBe('load:asc');
      expect(await page.locator('#study-trials tbody tr').count()).toBe(
        result.configs.reduce((n, c) => n + c.steps.length, 0),
      );
      expect(await dotsIn('#study .capacity-chart')).toEqual(result.configs.map((c) => c.steps.length));
      expect(await axeViolations(page, base)).toEqual([]);
      await shot(page, '78-study-live-capacity-finished.png');
      // The dark scheme too (the verdicts' colours on the dark card).
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await axeViolations(page, base), 'dark scheme').toEqual([]);
      await shot(page, '79-study-capacity-dark.png');
      await page.emulateMedia({ colorScheme: 'light' });
      expect(errors).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 180_000);
});
