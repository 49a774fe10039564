import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, chromium, type Page, type Request } from 'playwright-core';
import { repoRoot } from './cli.js';

// What the browser tests share: the real `e2ctwin serve` (dist/, built by the global setup) on a runs
// folder, headless Chromium, and a page that records its errors and may only reach the server.

export const CHROMIUM = process.env.E2CTWIN_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = path.join(repoRoot, 'test-output/screenshots');

/**
 * Starts `e2ctwin serve` on a free port over `runsDir` (with `env` added to the environment); resolves
 * with its base URL and the process.
 */
export function startServe(
  runsDir: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ base: string; server: ChildProcess }> {
  const server = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/e2ctwin.js'), 'serve', '--port', '0', '--runs', runsDir],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`e2ctwin serve did not start: ${out}${err}`)), 20_000);
    server.stderr!.on('data', (d) => (err += d));
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /e2ctwin serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ base: m[1]!, server });
      }
    });
    server.on('exit', (code) => reject(new Error(`e2ctwin serve exited (${code}): ${out}${err}`)));
  });
}

/** Headless Chromium, offline apart from the loopback server. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Chromium (apt-get install -y chromium; scripts/setup.sh does it as root) or set E2CTWIN_CHROMIUM`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// The main-frame navigations of each page (counted as their requests start), and the count each request
// of the page saw when it started: see abortedByNavigation().
const navigations = new WeakMap<Page, number>();
const navigationsAtStart = new WeakMap<Request, number>();
// Whether a main-frame navigation has started whose document has not replaced the page's yet, and the
// requests the old document made meanwhile (its polls go on until the new document commits, and are then
// cancelled: CI-like load saw a study page's poll of /api/studies aborted by a reload that way).
const navigationPending = new WeakMap<Page, boolean>();
const startedWhileNavigating = new WeakSet<Request>();

/** Counts `page`'s navigations from now on, for abortedByNavigation(); watchedPage() does it. */
export function trackNavigations(page: Page): void {
  navigations.set(page, 0);
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) {
      navigations.set(page, (navigations.get(page) ?? 0) + 1);
      navigationPending.set(page, true);
    } else if (navigationPending.get(page)) startedWhileNavigating.add(r);
    navigationsAtStart.set(r, navigations.get(page) ?? 0);
  });
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigationPending.set(page, false);
  });
}

/**
 * Counts a navigation of `page` that makes no request (to about:blank): Chromium cancels the old
 * document's requests all the same (the favicon's, fetched late on a busy machine), and without this
 * abortedByNavigation() would take them for failures. Call it just before such a goto.
 */
export function noteNavigation(page: Page): void {
  navigations.set(page, (navigations.get(page) ?? 0) + 1);
  navigationPending.set(page, true);
}

/**
 * Whether `r` failed only because its page navigated away while it was under way (a reload or a goto
 * cancels the old document's requests, the favicon's among them, with net::ERR_ABORTED): its failure is
 * net::ERR_ABORTED and a main-frame navigation started after it did, or it started while one was under
 * way (made by the document that navigation replaced). Any other failure (a refused connection, a request
 * the test's routing aborted, net::ERR_ABORTED with no navigation since) is real.
 */
export function abortedByNavigation(r: Request): boolean {
  if (r.failure()?.errorText !== 'net::ERR_ABORTED' || r.isNavigationRequest()) return false;
  // The favicon is Chromium's own fetch, started whenever it likes after a load (late on a busy machine,
  // after the test's navigation was counted: CI saw it twice) and cancelled by the next document: its
  // cancellation is never the page's failure. Any other failure of it (404, refused) still counts.
  if (new URL(r.url()).pathname === '/favicon.svg') return true;
  if (startedWhileNavigating.has(r)) return true;
  const page = r.frame().page();
  const atStart = navigationsAtStart.get(r);
  return atStart !== undefined && (navigations.get(page) ?? 0) > atStart;
}

/**
 * A page of `browser` that may fetch only from `base`, and whose errors (uncaught exceptions, console
 * errors, failed requests but those aborted by a navigation) go to `errors`.
 */
export async function watchedPage(
  browser: Browser,
  base: string,
  errors: string[],
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  trackNavigations(page);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // The console's line for a failed answer names no URL: this one does (a 500 seen once in CI came
  // without it).
  page.on('response', (r) => {
    if (r.status() >= 500) errors.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    if (!abortedByNavigation(r)) errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  await page.route('**/*', (route) =>
    route.request().url().startsWith(base) ? route.continue() : route.abort(),
  );
  return page;
}

/** Chromium and one watched page of `viewport` (see watchedPage), with the errors it collects. */
export async function openBrowser(
  base: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await launchChromium();
  const errors: string[] = [];
  return { browser, page: await watchedPage(browser, base, errors, viewport), errors };
}

/** A screenshot of the whole page into test-output/screenshots/. */
export const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SHOTS, name), fullPage: true });

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serves axe-core to `page` from the page's own origin (its CSP allows only 'self'), for axeViolations(). */
export const routeAxe = (page: Page, base: string) =>
  page.route(`${base}/__test__/axe.min.js`, (route) =>
    route.fulfill({ body: readFileSync(AXE, 'utf8'), contentType: 'text/javascript; charset=utf-8' }),
  );

/** axe-core's serious and critical violations on the page as it is (routeAxe() first). */
export async function axeViolations(page: Page, base: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ url: `${base}/__test__/axe.min.js` });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<any> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v: any) =>
          `${v.id} (${v.impact}): ${v.nodes
            .slice(0, 3)
            .map((n: any) => n.target.join(' '))
            .join(', ')}`,
      );
  });
}

/** Waits until the page has drawn `view` (of run `run`, when given) and nothing is still being drawn. */
export const viewDrawn = (page: Page, view: string, run?: string) =>
  page.waitForFunction(
    ([v, r]) =>
      document.body.dataset.ready === 'yes' &&
      document.body.dataset.view === v &&
      (r === undefined || document.body.dataset.run === r) &&
      document.body.dataset.rendering === '',
    [view, run] as const,
  );

/** The cells of column `key` (a header's data-key) of the sortable table in `table`, as shown. */
export const tableColumn = (page: Page, key: string, table = '#study-trials'): Promise<string[]> =>
  page.$$eval(
    `${table} table.trials`,
    ([t], k) => {
      const i = [...t!.querySelectorAll('thead th')].findIndex((th) => (th as HTMLElement).dataset.key === k);
      return [...t!.querySelectorAll('tbody tr')].map((tr) => tr.children[i]!.textContent!);
    },
    key,
  );

/**
 * Waits until the page has drawn a running study from `n` results so far: `liveEntries` counts a document
 * so far's (an optimizer's evaluations, complete Morris trajectories, points, loads decided), `liveTrials`
 * a store's trials (a sweep). With `id`, opens the study first.
 */
export async function liveStudyDrawn(
  page: Page,
  n: number,
  o: { base?: string; id?: string; key?: 'liveEntries' | 'liveTrials' } = {},
): Promise<void> {
  if (o.id !== undefined) await page.goto(`${o.base}/#studies/${o.id}`);
  // With `id`, also its heading: going from one study to another changes only the hash, and the previous
  // study, still shown with ready = yes, may have drawn as many results (a busy machine let a test read it).
  await page.waitForFunction(
    ([k, key, id]) =>
      document.body.dataset.ready === 'yes' &&
      document.body.dataset[key] === String(k) &&
      (id === '' || (document.querySelector('#study h2')?.textContent ?? '').endsWith(`: ${id}`)),
    [n, o.key ?? 'liveEntries', o.id ?? ''] as const,
  );
}

/**
 * Shift+drags across the timeline's canvas from fraction `from` to `to` of its width, at fraction `y` of
 * its height (a time range selected), and waits for the range's statistics.
 */
export async function shiftDragTimeline(page: Page, from: number, to: number, y: number): Promise<void> {
  const c = (await page.locator('#timeline canvas').boundingBox())!;
  const at = c.y + c.height * y;
  await page.keyboard.down('Shift');
  await page.mouse.move(c.x + c.width * from, at);
  await page.mouse.down();
  await page.mouse.move(c.x + c.width * to, at, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await page.waitForSelector('#range-stats[data-state=done]');
}
