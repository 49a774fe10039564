import { cpSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, axeViolations, noteNavigation, viewDrawn } from '../support/browser.js';
import { repoRoot, simulateInto } from '../support/cli.js';
import { servedPage } from '../support/served-page.js';

// A run's events in the browser (issue 18, item 4), in headless Chromium: on the Utilization panels over
// time, every marker of metrics.json's `dynamics` is on a rule (grouped when they share pixels) with a
// labelled flag whose tooltip says what happened when; the instances up per window and the failed
// requests are panels of their own, and the events are listed. A simulated run (the autoscaled spring
// peak, with its failure at the top), a live run folder (test/e2e/fixtures/live-events: the files
// `e2ctwin live test/live/fixtures/plantnet-events.yaml --testbed testbeds/local.yaml` wrote, a link
// degraded at 12 s and the engine stopped at 22 s, paths made relative) and a static run (no `dynamics`:
// nothing more drawn).
const served = servedPage('e2ctwin-events-', {
  viewport: { width: 1440, height: 900 },
  setUp: (runsDir) => {
    // The whole six hours (the failure is at 3 h), one replication: about 3 s.
    simulateInto(
      runsDir,
      'autoscale',
      ['scenarios/plantnet-spring-peak-autoscale.yaml'],
      ['run.replications=1'],
    );
    simulateInto(runsDir, 'static', ['scenarios/plantnet.yaml'], ['run.replications=1', 'run.duration=600']);
    cpSync(path.join(repoRoot, 'test/e2e/fixtures/live-events'), path.join(runsDir, 'live-events'), {
      recursive: true,
    });
  },
  timeoutMs: 240_000,
});
const { errors, shot, json } = served;
let page: Page;
let base = '';
beforeAll(() => {
  ({ page, base } = served);
});

interface Marker {
  t: number;
  kind: string;
  service: string;
}

async function openUtilization(run: string, query = '') {
  // A fresh page each time: a change of the address's hash alone is drawn after a hashchange event, which
  // the wait below could come before (it would read the drawing of the address before).
  noteNavigation(page);
  await page.goto('about:blank');
  await page.goto(`${base}/#utilization/${run}${query}`);
  await viewDrawn(page, 'utilization', run);
}

/** Per synced panel: its id, the markers it draws (svg data-events), its rules and what they count. */
const panels = () =>
  page.$$eval('#view-utilization .chart-card svg[data-x-domain]', (svgs) =>
    svgs.map((s) => ({
      id: s.closest('.chart-card')!.id,
      events: s.getAttribute('data-events'),
      domain: s.getAttribute('data-x-domain')!.split(',').map(Number) as [number, number],
      rules: [...s.querySelectorAll('.event-rule')].map((r) => ({
        t: Number(r.getAttribute('data-t')),
        count: Number(r.getAttribute('data-count')),
        kinds: r.getAttribute('data-kinds')!.split(' '),
      })),
      flags: s.querySelectorAll('.event-flag').length,
      label: s.getAttribute('aria-label')!,
    })),
  );

/** The tooltip's text once it shows and contains `text`. */
async function tooltipWith(text: string): Promise<string> {
  await page.waitForFunction((t) => {
    const el = document.getElementById('tooltip');
    return !!el && !el.hidden && el.textContent!.includes(t);
  }, text);
  return page.textContent('#tooltip') as Promise<string>;
}

/** Moves the pointer over panel `id`'s plot at time `t` (from the panel's x domain and plot box). */
async function hoverAt(id: string, t: number) {
  const overlay = page.locator(`#${id} .hover-surface .overlay`);
  await overlay.scrollIntoViewIfNeeded();
  const box = (await overlay.boundingBox())!;
  const [d0, d1] = (await page.getAttribute(`#${id} svg`, 'data-x-domain'))!.split(',').map(Number);
  await page.mouse.move(box.x + ((t - d0!) / (d1! - d0!)) * box.width, box.y + box.height / 2);
}

describe('a run’s events on the panels over time (headless Chromium)', () => {
  it('simulated (autoscaling, a failure at the peak): every marker on a rule of every panel, the instances up and failures per window, the list; tooltips; a brushed range keeps those inside it', async () => {
    const m = json('autoscale', 'metrics.json');
    const markers = m.dynamics.markers as Marker[];
    const kinds = new Set(markers.map((x) => x.kind));
    // The run has what the view must show: scaling, instances up and gone, the failure.
    expect(kinds).toEqual(new Set(['autoscale', 'start', 'up', 'drain', 'gone', 'stop']));
    await openUtilization('autoscale');
    await page.waitForSelector('#chart-instances svg');

    const ps = await panels();
    const ids = ps.map((p) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining(['chart-throughput', 'chart-response-time', 'chart-abandoned']),
    );
    expect(ids).toEqual(expect.arrayContaining(['chart-instances', 'chart-failed']));
    for (const p of ps) {
      // Every marker, once: the rules' counts add up to the markers, each kind as in metrics.json.
      expect(p.events, p.id).toBe(String(markers.length));
      expect(
        p.rules.reduce((a, r) => a + r.count, 0),
        p.id,
      ).toBe(markers.length);
      expect(p.rules.flatMap((r) => r.kinds).sort(), p.id).toEqual(markers.map((x) => x.kind).sort());
      expect(p.flags, p.id).toBe(p.rules.length);
      expect(p.label, p.id).toContain(`${markers.length} events marked`);
    }
    // The panels agree: the same rules at the same times.
    expect(new Set(ps.map((p) => JSON.stringify(p.rules))).size).toBe(1);
    const stop = markers.find((x) => x.kind === 'stop')!;
    expect(stop.t).toBe(10800);
    expect(ps[0]!.rules.some((r) => r.kinds.includes('stop') && Math.abs(r.t - stop.t) < 200)).toBe(true);

    // Instances up: one step line per service of the timeline; the crosshair reads a window's mean.
    const inst = m.dynamics.timeline.instances as Record<string, number[]>;
    expect(await page.locator('#chart-instances path.series').count()).toBe(Object.keys(inst).length);
    const { start, windowS } = m.timeline as { start: number[]; windowS: number };
    const up = inst['cloud.engine']!;
    const i = up.findIndex((v, k) => k > 0 && !Number.isInteger(v));
    expect(i).toBeGreaterThan(0);
    await hoverAt('chart-instances', start[i]! + windowS / 2);
    const readout = await tooltipWith('cloud.engine instances serving');
    expect(readout).toContain(`cloud.engine instances serving${+up[i]!.toFixed(3)}`);
    // Failed requests per window: drawn since some failed (the stop at the peak), at their windows.
    const failed = m.dynamics.timeline.failed as number[];
    expect(failed.some((v) => v > 0)).toBe(true);
    expect(await page.locator('#chart-failed path.series').count()).toBe(1);

    // The flag of the failure: its tooltip says what, which instance and when.
    await page.locator('#chart-response-time .event-flag.event-failure').hover();
    const tip = await tooltipWith('cloud.engine #0 stopped');
    expect(tip).toContain('10800 s (3:00:00)');
    expect(tip).toContain('stop');
    // Near the rule the crosshair's tooltip lists the events there too.
    await hoverAt('chart-throughput', stop.t);
    expect(await tooltipWith('Events here:')).toContain('cloud.engine #0 stopped');
    await shot('60-events-simulated.png');
    await page
      .locator('#chart-response-time')
      .screenshot({ path: path.join(SHOTS, '61-events-response-time.png') });

    // The list: every event, in time order, folded under the panels.
    expect(await page.getAttribute('#event-list', 'data-events')).toBe(String(markers.length));
    await page.click('#event-list summary');
    const rows = await page.$$eval('#event-list tbody tr', (trs) => trs.map((tr) => tr.textContent!));
    expect(rows).toHaveLength(markers.length);
    expect(rows.filter((r) => r.includes('cloud.engine #0 stopped'))).toHaveLength(1);

    // A range brushed (here from the address) keeps the markers inside it, on every panel.
    await openUtilization('autoscale', '?from=10000&to=12500');
    const inside = markers.filter((x) => x.t >= 10000 && x.t <= 12500).length;
    expect(inside).toBeGreaterThan(3);
    for (const p of await panels()) {
      expect(p.domain, p.id).toEqual([10000, 12500]);
      expect(p.events, p.id).toBe(String(inside));
    }
    expect(errors).toEqual([]);
  });

  it('at 1024 px and in the dark scheme: no sideways scroll, the failure’s rule in the scheme’s colour; axe finds nothing serious', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    try {
      for (const [scheme, bad] of [
        ['light', 'rgb(185, 28, 28)'],
        ['dark', 'rgb(248, 113, 113)'],
      ] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await openUtilization('autoscale');
        await page.waitForSelector('#chart-instances svg');
        const { scroll, client, stroke } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
          stroke: getComputedStyle(document.querySelector('.event-rule.event-failure')!).stroke,
        }));
        expect(scroll, scheme).toBeLessThanOrEqual(client);
        expect(stroke, scheme).toBe(bad);
        const markers = json('autoscale', 'metrics.json').dynamics.markers.length;
        for (const p of await panels()) expect(p.events, `${scheme} ${p.id}`).toBe(String(markers));
        expect(await axeViolations(page, base), scheme).toEqual([]);
        await page
          .locator('#chart-instances')
          .screenshot({ path: path.join(SHOTS, `62-events-1024-${scheme}.png`) });
      }
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    expect(errors).toEqual([]);
  });

  it('a live run folder: the two events as applied (link degraded, engine stopped) on its panels, the engine down from the stop, failures after it', async () => {
    const m = json('live-events', 'metrics.json');
    const markers = m.dynamics.markers as Marker[];
    expect(markers.map((x) => x.kind)).toEqual(['link', 'stop']);
    await openUtilization('live-events');
    await page.waitForSelector('#chart-instances svg');
    const ps = await panels();
    expect(ps.map((p) => p.id)).toEqual(
      expect.arrayContaining(['chart-throughput', 'chart-response-time', 'chart-instances', 'chart-failed']),
    );
    for (const p of ps) {
      expect(p.events, p.id).toBe('2');
      // Seconds apart on a 26 s run: a rule each, at the applied times (the repetition's clock).
      expect(
        p.rules.map((r) => [r.kinds, r.t]),
        p.id,
      ).toEqual(markers.map((x) => [[x.kind], x.t]));
    }
    // The link's flag says the change the scenario made (its event at 12 s, applied 6 ms later).
    await page.locator('#chart-response-time .event-flag.event-change').hover();
    expect(await tooltipWith('link edge → cloud changed')).toContain('delay 150 ms');
    // The engine: up (1) in the windows before the stop, down (0) after it.
    const up = m.dynamics.timeline.instances['cloud.engine'] as number[];
    const { start, windowS } = m.timeline as { start: number[]; windowS: number };
    const stop = markers[1]!.t;
    const after = start.findIndex((t) => t > stop + windowS);
    expect(up[after]).toBe(0);
    await hoverAt('chart-instances', start[after]! + windowS / 2);
    expect(await tooltipWith('cloud.engine instances serving')).toContain('cloud.engine instances serving0');
    await hoverAt('chart-instances', start[2]! + windowS / 2);
    expect(await tooltipWith('cloud.engine instances serving')).toContain('cloud.engine instances serving1');
    expect(await page.getAttribute('#event-list', 'data-events')).toBe('2');
    expect(await page.textContent('#event-list')).toContain('as applied (run.json)');
    await shot('63-events-live.png');
    expect(errors).toEqual([]);
  });

  it('a run without dynamics: no rule, flag, instances, failures or events panel, and the hint says nothing of events', async () => {
    expect(json('static', 'metrics.json').dynamics).toBeUndefined();
    await openUtilization('static');
    await page.waitForSelector('#chart-throughput svg');
    const drawn = await page.evaluate(() => ({
      cards: [...document.querySelectorAll('#view-utilization .card')].map((c) => c.id),
      extra: document.querySelectorAll(
        '#view-utilization .event-rule, #view-utilization .event-flag, #view-utilization svg[data-events]',
      ).length,
      hint: document.getElementById('utilization-sync-hint')!.textContent,
    }));
    expect(drawn.cards).toEqual(expect.arrayContaining(['chart-throughput', 'chart-response-time']));
    for (const id of ['chart-instances', 'chart-failed', 'event-list']) expect(drawn.cards).not.toContain(id);
    expect(drawn.extra).toBe(0);
    expect(drawn.hint).not.toContain('event');
    expect(errors).toEqual([]);
  });
});
