import { cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../src/trace/index.js';
import {
  axeViolations,
  noteNavigation,
  shiftDragTimeline,
  tableColumn,
  viewDrawn,
} from '../support/browser.js';
import { repoRoot, simulateInto } from '../support/cli.js';
import { until } from '../support/poll.js';
import { servedPage } from '../support/served-page.js';

// The address holds the whole view (issue 20, item 6) and the timeline's selected range has its
// statistics (item 2), in headless Chromium on run folders simulated here and a 4-parameter sweep: each
// state is set by hand, the page reloaded, and the state must come back exactly; values the runs or the
// study do not have are said above the views and left out. Screenshots: /tmp/web20b-*.png.
const SHOT_DIR = os.tmpdir();

/** Simulates plantnet (1 replication of 10 min, 5 min warm-up) into runs/<id>. */
const simulate = (runsDir: string, id: string, ...sets: string[]) =>
  simulateInto(runsDir, id, ['scenarios/plantnet.yaml', '-r', '1', '--set', 'run.duration=600'], sets);

const served = servedPage('e2ctwin-view-state-', {
  setUp: (runsDir) => {
    simulate(runsDir, 'base');
    simulate(runsDir, 'extract8', 'cloud.engine.pools.extract=8');
    simulate(runsDir, 'two-engines', 'cloud.engine.quantity=2');
    cpSync(path.join(repoRoot, 'test/e2e/fixtures/sweep-four'), path.join(runsDir, 'sweep-four'), {
      recursive: true,
    });
  },
  timeoutMs: 240_000,
});
const { errors } = served;
let page: Page;
let base = '';
beforeAll(() => {
  ({ page, base } = served);
  page.on('request', (r) => inFlight.add(r));
  page.on('requestfinished', (r) => inFlight.delete(r));
  page.on('requestfailed', (r) => inFlight.delete(r));
});

const shot = (name: string) =>
  page.screenshot({ path: path.join(SHOT_DIR, `web20b-${name}.png`), fullPage: true });
const hashParams = async () => {
  const hash = await page.evaluate(() => location.hash);
  return new URLSearchParams(hash.slice(hash.indexOf('?') + 1));
};
/** Waits until the page has drawn `view` (of `run`, when given) and nothing is still being drawn. */
const drawn = (view: string, run?: string) => viewDrawn(page, view, run);
const reload = async () => {
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'yes');
};
/** The page's requests under way (a navigation to about:blank would cancel them, uncounted as such). */
const inFlight = new Set<Request>();
/** Opens `address` as a pasted address does: a new document, once nothing of the page before is in flight. */
const open = async (address: string) => {
  await until('the page before has no request under way', () => inFlight.size === 0);
  // A request that starts after that check (the favicon, late on a busy machine: CI saw it aborted) is
  // cancelled by this navigation, which makes no request of its own: counted as one.
  noteNavigation(page);
  await page.goto('about:blank');
  await page.goto(`${base}/${address}`);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes');
};
const routeMessage = () =>
  page.evaluate(() => {
    const m = document.getElementById('route-message')!;
    return m.hidden ? '' : m.textContent!;
  });

/** The cells of column `key` of the trials table, as shown. */
const column = (key: string) => tableColumn(page, key);

describe('the view state in the address (headless Chromium)', () => {
  it("a study's table order and contour parameters survive a reload; an unknown order is said and left out", async () => {
    await open(`#studies/sweep-four`);
    await drawn('studies');
    await page.waitForSelector('#study-trials table.trials');
    // A parameter column, clicked twice: descending.
    const key = await page.$eval(
      '#study-trials thead th[data-key^="p:"]',
      (th) => (th as HTMLElement).dataset.key!,
    );
    const header = page.locator(`#study-trials thead th[data-key="${key}"] button`);
    await header.click();
    await header.click();
    const order = `${key}:desc`;
    await page.waitForFunction((o) => location.hash.includes(`sort=${o}`), order);
    // Contour: the last two numeric parameters, in reverse (not the default pair of the most important).
    const options = await page.$$eval('#contour-x option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    const pair = [options.at(-1)!, options.at(-2)!];
    await page.selectOption('#contour-x', pair[0]!);
    await page.selectOption('#contour-y', pair[1]!);
    await page.waitForFunction((c) => location.hash.includes(`contour=${c}`), pair.join(','));
    const cells = await column(key);
    expect((await hashParams()).get('sort')).toBe(order);

    await reload();
    await drawn('studies');
    await page.waitForSelector('#study-trials table.trials');
    expect(await page.getAttribute('#study-trials [data-sort]', 'data-sort')).toBe(order);
    expect(await column(key)).toEqual(cells);
    expect(await page.$eval('#contour-x', (s) => (s as HTMLSelectElement).value)).toBe(pair[0]);
    expect(await page.$eval('#contour-y', (s) => (s as HTMLSelectElement).value)).toBe(pair[1]);
    expect(await page.getAttribute('#study-contour', 'data-params')).toBe(pair.join('|'));
    await shot('study-restored');

    // A column the study does not have: said, the default order shown, the address says what is shown.
    await open(`#studies/sweep-four?sort=p:no-such-param:asc`);
    await drawn('studies');
    await page.waitForSelector('#study-trials table.trials');
    expect(await routeMessage()).toMatch(/table order/);
    expect(await page.getAttribute('#study-trials [data-sort]', 'data-sort')).toMatch(/^m:.+:asc$/);
    await page.waitForFunction(() => !location.hash.includes('sort='));
    expect(errors).toEqual([]);
  });

  it("Utilization's per-host pick survives a reload; an unknown one is said and the first shown", async () => {
    await open(`#utilization/two-engines`);
    await drawn('utilization', 'two-engines');
    await page.waitForSelector('#chart-per-host svg');
    const options = await page.$$eval('#per-host-metric option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    expect(options.length).toBeGreaterThan(1);
    const pick = options.at(-1)!;
    await page.selectOption('#per-host-metric', pick);
    await page.waitForFunction(
      (p) => new URLSearchParams(location.hash.split('?')[1]).get('host') === p,
      pick,
    );
    await reload();
    await drawn('utilization', 'two-engines');
    await page.waitForSelector('#chart-per-host svg');
    expect(await page.getAttribute('#chart-per-host', 'data-shown')).toBe(pick);
    expect(await page.$eval('#per-host-metric', (s) => (s as HTMLSelectElement).value)).toBe(pick);
    // The Timeline tab and back keep it (the tabs link to the view as the address has it).
    expect(await page.getAttribute('#tabs a[data-view=utilization]', 'href')).toContain(
      `host=${encodeURIComponent(pick)}`,
    );
    await shot('utilization-host-restored');
    expect(await axeViolations(page, base)).toEqual([]);

    await open(`#utilization/two-engines?host=nothing%7Ccpu`);
    await drawn('utilization', 'two-engines');
    await page.waitForSelector('#chart-per-host svg');
    expect(await routeMessage()).toMatch(/per-host chart "nothing\|cpu"/);
    expect(await page.getAttribute('#chart-per-host', 'data-shown')).toBe(options[0]);
    await page.waitForFunction(() => !location.hash.includes('host='));
    expect(errors).toEqual([]);
  });

  it('the runs compared survive a reload; a run not in the folder is said and left out, with no failed request', async () => {
    await open(`#runs?a=base&b=two-engines&more=extract8`);
    await drawn('runs');
    await page.waitForFunction(() => document.body.dataset.compare === 'base|two-engines');
    expect(await page.evaluate(() => document.body.dataset.compareMore)).toBe('extract8');
    // Picked on the page: B → extract8, the overlay unticked.
    await page.check('input[name=cmp-b][value=extract8]');
    await page.uncheck('input[name=cmp-more][value=extract8]');
    await page.waitForFunction(() => document.body.dataset.compare === 'base|extract8');
    await page.waitForFunction(
      () => location.hash.includes('b=extract8') && !location.hash.includes('more='),
    );
    await reload();
    await drawn('runs');
    await page.waitForFunction(() => document.body.dataset.compare === 'base|extract8');
    expect(await page.isChecked('input[name=cmp-a][value=base]')).toBe(true);
    expect(await page.isChecked('input[name=cmp-b][value=extract8]')).toBe(true);

    await open(`#runs?a=base&b=two-engines&more=no-such-run`);
    await drawn('runs');
    await page.waitForFunction(() => document.body.dataset.compare === 'base|two-engines');
    expect(await page.evaluate(() => document.body.dataset.compareMore)).toBe('');
    expect(await routeMessage()).toMatch(/"no-such-run"/);
    expect((await hashParams()).get('more')).toBeNull();
    expect(errors).toEqual([]);
  });

  it('the timeline: a Shift+drag range has the trace’s statistics, is in the address, survives a reload, and Escape clears it', async () => {
    const run = 'two-engines';
    const served = (await (await fetch(`${base}/api/runs/${run}/trace`)).json()) as { spans: SpanRecord[] };
    const spans = served.spans;
    await open(`#timeline/${run}`);
    await drawn('timeline', run);
    await page.waitForSelector('#timeline canvas');
    await shiftDragTimeline(page, 0.25, 0.6, 0.5);
    const range = (): Promise<[number, number] | null> =>
      page.evaluate(() =>
        (
          document.querySelector('#timeline canvas') as unknown as {
            timeline: { range(): [number, number] | null };
          }
        ).timeline.range(),
      );
    const selected = (await range())!;
    const from = Number(await page.getAttribute('#range-stats', 'data-from'));
    const to = Number(await page.getAttribute('#range-stats', 'data-to'));
    expect([from, to]).toEqual(selected);
    await expectStats(spans, from, to);
    await page.waitForFunction(() => location.hash.includes('s0=') && location.hash.includes('s1='));
    const q = await hashParams();
    expect([Number(q.get('s0')), Number(q.get('s1'))]).toEqual(selected);
    const card = await page.locator('#range-stats').innerHTML();
    await shot('timeline-range');
    expect(await axeViolations(page, base)).toEqual([]);

    await reload();
    await drawn('timeline', run);
    await page.waitForSelector('#range-stats[data-state=done]');
    expect(await range()).toEqual(selected);
    expect(await page.locator('#range-stats').innerHTML()).toBe(card);
    expect(await page.getAttribute('#timeline canvas', 'data-range')).toBe(selected.join(','));

    // Escape (the chart focused by the drag, or by a click on it) clears it, and the address follows.
    await page.focus('#timeline canvas');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#range-stats[data-state=none]');
    await page.waitForFunction(() => !location.hash.includes('s0='));
    expect(await range()).toBeNull();

    // A range that is not one: said, nothing selected.
    await open(`#timeline/${run}?s0=9&s1=3`);
    await drawn('timeline', run);
    expect(await routeMessage()).toMatch(/s0=9&s1=3 is not a time range/);
    expect(await range()).toBeNull();
    expect(errors).toEqual([]);
  });
});

/** The range card shows what the served trace holds over [from, to]: counts, answered requests' durations, busy hosts. */
async function expectStats(spans: SpanRecord[], from: number, to: number) {
  const stat = async (name: string) =>
    Number((await page.textContent(`#range-stats [data-stat=${name}]`))!.replace(/,/g, ''));
  expect(await stat('spans')).toBe(spans.filter((s) => s.start <= to && s.end >= from).length);
  expect(await stat('started')).toBe(
    spans.filter((s) => s.kind === 'request' && s.start >= from && s.start <= to).length,
  );
  const answered = spans
    .filter((s) => s.kind === 'request' && (s.status ?? 'ok') === 'ok' && s.end >= from && s.end <= to)
    .map((s) => s.end - s.start)
    .sort((a, b) => a - b);
  expect(answered.length).toBeGreaterThan(10);
  expect(await stat('completed')).toBe(answered.length);
  const value = (name: string) =>
    page.getAttribute(`#range-stats [data-stat=${name}]`, 'data-value').then(Number);
  expect(await value('completed-mean')).toBeCloseTo(answered.reduce((a, b) => a + b, 0) / answered.length, 9);
  expect(await value('completed-p95')).toBe(answered[Math.ceil(0.95 * answered.length) - 1]);
  // Busy per host: per thread, the time covered by its stages within the range (a sweep over their
  // ends), out of the threads the trace shows the host has.
  const lanes = new Map<string, Map<string, SpanRecord[]>>();
  for (const s of spans) {
    if (s.kind !== 'stage' || s.pool === undefined || s.lane === undefined) continue;
    const host = lanes.get(s.host) ?? new Map<string, SpanRecord[]>();
    lanes.set(s.host, host);
    const k = `${s.pool}#${s.lane}`;
    host.set(k, [...(host.get(k) ?? []), s]);
  }
  const shown = await page.$$eval('#range-stats .range-busy li', (lis) =>
    lis.map((li) => ({ ...(li as HTMLElement).dataset })),
  );
  expect(shown.map((h) => h.host).sort()).toEqual([...lanes.keys()].sort());
  expect(shown.length).toBeGreaterThanOrEqual(2);
  for (const h of shown) {
    const own = lanes.get(h.host!)!;
    let busy = 0;
    for (const list of own.values()) {
      const edges = list
        .flatMap((s) => [
          [Math.max(from, s.start), 1],
          [Math.min(to, s.end), -1],
        ])
        .filter((_, i, all) => all[i - (i % 2)]![0]! < all[i - (i % 2) + 1]![0]!)
        .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
      let depth = 0;
      let at = 0;
      for (const [t, d] of edges) {
        if (depth > 0) busy += t! - at;
        depth += d!;
        at = t!;
      }
    }
    expect(Number(h.lanes)).toBe(own.size);
    expect(Number(h.busy)).toBeCloseTo(busy / (own.size * (to - from)), 9);
  }
}
