import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, liveStudyDrawn, shot, tableColumn } from '../support/browser.js';
import { HeldStudy, soFarIn } from '../support/held-study.js';
import { servedPage } from '../support/served-page.js';
import { OPTIMIZE_BUDGET, optimizeSearch } from '../support/study-commands.js';

// A running optimizer in the Studies view (issue 20, item 3): a real `e2ctwin optimize` started during the
// test, held still (SIGSTOP) at points of its search so that the page is checked against what its
// coordinator wrote however fast this machine is. While it runs the page draws it with the optimize view
// (convergence with the best so far, the Pareto front of its two objectives, the best so far, its
// evaluations), drawn again as evaluations land, keeping the objective picked; at its end the confirmed
// best replaces it in place.

const served = servedPage('e2ctwin-e2e-live-optimize-');
const { errors } = served;
const dir = path.join(served.runsDir, 'live-opt');
const BUDGET = OPTIMIZE_BUDGET;
let page: Page;
let base = '';
beforeAll(() => {
  ({ page, base } = served);
});

interface Row {
  evaluation: number;
  values: number[];
  violation: number;
  best: { value: number; violation: number } | null;
}
interface Doc {
  history: Row[];
  pareto: unknown[];
  best: { objective: { key: string; mean: number } } | null;
}

/** The document so far in progress.json, as the coordinator last wrote it (undefined before). */
const soFarOnDisk = () => soFarIn<Doc>(dir);
const entriesOnDisk = () => soFarOnDisk()?.history.length ?? 0;

/** The cells of column `key` of the trials table, as shown. */
const column = (key: string) => tableColumn(page, key);
const number = (text: string) => Number(text.replaceAll(',', ''));

/**
 * What the page shows of the search: the best-so-far value in its card, and the smallest response time
 * among the evaluations of the table that meet the constraint (as shown, and as a number).
 */
async function shownBest(): Promise<{ card: string; table: string; rows: number }> {
  const means = await column('m:responseTime.mean');
  const met = await column('__feasible');
  const feasible = means.filter((_, i) => met[i] === 'met');
  const smallest = feasible.reduce((a, b) => (number(b) < number(a) ? b : a));
  return {
    card: (await page.textContent('#study-best .best-value'))!,
    table: smallest,
    rows: means.length,
  };
}

describe('a running optimize study in the Studies view (headless Chromium)', () => {
  it('is drawn with the optimize view as its evaluations land, its best so far matching them, then replaced by its confirmed best', async () => {
    // 30 evaluations in batches of 2 on one worker thread, about 0.1 s each (a few seconds of search),
    // two objectives and a constraint; the best 2 confirmed with 3 replications at the end.
    const search = HeldStudy.oneWorker(optimizeSearch({ confirm: 2, confirmReplications: 3 }), dir);
    try {
      await search.holdWhen('a few evaluations so far', () => entriesOnDisk() >= 4, { everyMs: 20 });
      const first = soFarOnDisk()!;
      const n = first.history.length;
      expect(n).toBeLessThan(BUDGET);
      await liveStudyDrawn(page, n, { base, id: 'live-opt' });
      // The optimize view, not a sweep's: convergence with every evaluation so far, the Pareto front so
      // far, the best so far (not confirmed yet), the evaluations' table and lines; the progress above.
      expect(await page.textContent('#study h2')).toBe('optimize: live-opt');
      expect(await page.locator('#study-progress').count()).toBe(1);
      expect(await page.locator('#study-chart').count()).toBe(0); // a sweep's chart
      expect(
        await page.locator('#study-convergence .dots-ok circle, #study-convergence .dots-bad circle').count(),
      ).toBe(n);
      expect(await page.locator('#study-convergence path.series').count()).toBe(1); // the best-so-far step line
      expect(await page.locator('#study-pareto .dots-front circle').count()).toBe(first.pareto.length);
      expect(await page.locator('#study-parallel path.pc-line').count()).toBe(n);
      expect(await page.textContent('#study-best h3')).toContain(`Best so far, after ${n} evaluations`);
      // The best so far is the best of the evaluations shown, and what the coordinator wrote.
      let seen = await shownBest();
      expect(seen.rows).toBe(n);
      expect(seen.card).toBe(seen.table);
      const feasible = first.history.filter((h) => h.violation === 0).map((h) => h.values[0]!);
      expect(Number(await page.getAttribute('#study-best', 'data-best'))).toBe(Math.min(...feasible));
      expect(first.history.at(-1)!.best!.value).toBe(Math.min(...feasible));
      expect(await axeViolations(page, base)).toEqual([]);
      await shot(page, '70-study-live-optimize-running.png');
      await page.screenshot({ path: '/tmp/study20-running.png', fullPage: true });

      // The user picks an objective; more evaluations land: drawn again, the pick kept.
      await page.selectOption('#study-metric', 'throughput');
      await page.waitForSelector('#study-trials [data-sort="m:throughput:asc"]');
      // The address holds it.
      await page.waitForFunction(() => location.hash === '#studies/live-opt?metric=throughput');
      search.resume();
      await search.holdWhen('more evaluations so far', () => entriesOnDisk() >= n + 4);
      const second = soFarOnDisk()!;
      const m = second.history.length;
      await page.waitForFunction((k) => document.body.dataset.liveEntries === String(k), m);
      expect(await page.inputValue('#study-metric')).toBe('throughput');
      expect(
        await page.locator('#study-convergence .dots-ok circle, #study-convergence .dots-bad circle').count(),
      ).toBe(m);
      seen = await shownBest();
      expect(seen.rows).toBe(m);
      expect(seen.card).toBe(seen.table);
      expect(Number(await page.getAttribute('#study-best', 'data-best'))).toBe(
        second.history.at(-1)!.best!.value,
      );
      await shot(page, '71-study-live-optimize-more.png');
      // Reloaded from its address: the same objective.
      await page.reload();
      await liveStudyDrawn(page, m);
      expect(await page.inputValue('#study-metric')).toBe('throughput');

      // To its end: the confirmed best replaces the best so far, in place, with the objective still picked.
      expect(await search.finish(), search.err()).toBe(0);
      const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as Doc;
      await page.waitForFunction(
        () =>
          !document.getElementById('study-progress') &&
          document.querySelector('#study-best h3')?.textContent?.startsWith('Best configuration ('),
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.textContent('#study h2')).toBe('optimize: live-opt');
      expect(await page.textContent('#study-best h3')).toBe('Best configuration (3 replications)');
      const confirmed = await page.$$eval('#study-best tr', (trs) =>
        trs.map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent]),
      );
      const row = confirmed.find(([k]) => k === 'responseTime.mean')!;
      const mean = result.best!.objective.mean;
      expect(Math.abs(number(row[1]!.split(' ± ')[0]!) - mean)).toBeLessThanOrEqual(5e-4 * Math.abs(mean));
      expect(await page.locator('#study-trials tbody tr').count()).toBe(BUDGET);
      expect(await page.locator('#study-pareto .dots-front circle').count()).toBe(result.pareto.length);
      expect(await page.inputValue('#study-metric')).toBe('throughput');
      await shot(page, '72-study-live-optimize-finished.png');
      await page.screenshot({ path: '/tmp/study20-finished.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await search.stop();
    }
  }, 180_000);
});
