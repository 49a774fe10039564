import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchedPage } from '../support/browser.js';

// The browser tests' "no failed requests" check (watchedPage): a request the page's own navigation
// cancels (net::ERR_ABORTED, e.g. the favicon during a reload) is no failure; a refused or aborted
// request with no navigation since is one. The pages here are answered by the test's own routes.

const BASE = 'http://127.0.0.1:9';
let browser: Browser | undefined;
let page: Page;
const errors: string[] = [];
// The slow resource's requests, answered (never, here) only when the test says so.
let slowSeen = 0;
// A page whose answer waits until the test lets it go (a navigation under way meanwhile).
let heldSeen = 0;
let releaseHeld: () => void = () => {};
// The slow resource's requests that failed with net::ERR_ABORTED.
let aborted = 0;

beforeAll(async () => {
  browser = await launchChromium();
  page = await watchedPage(browser, BASE, errors);
  page.on('requestfailed', (r) => {
    if (r.url().endsWith('/slow.js') && r.failure()?.errorText === 'net::ERR_ABORTED') aborted += 1;
  });
  await page.route(`${BASE}/**`, async (route) => {
    const url = route.request().url();
    if (url.endsWith('/slow.js')) {
      slowSeen += 1;
      return; // left pending: only the navigation that follows ends it
    }
    if (url.endsWith('/held')) {
      heldSeen += 1;
      await new Promise<void>((resolve) => {
        releaseHeld = resolve;
      });
    }
    if (url.endsWith('/polling'))
      return route.fulfill({
        body: "<!doctype html><title>t</title><script>setInterval(() => fetch('/slow.js').catch(() => {}), 20)</script>",
        contentType: 'text/html',
      });
    if (url.endsWith('/refused.js')) return route.abort('connectionrefused');
    if (url.endsWith('/aborted.js')) return route.abort('aborted');
    return route.fulfill({ body: '<!doctype html><title>t</title><p>page</p>', contentType: 'text/html' });
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('failed requests in the browser tests', () => {
  it('ignores a request aborted by a navigation', async () => {
    await page.goto(`${BASE}/a`);
    void page.evaluate(() => {
      const s = document.createElement('script');
      s.src = '/slow.js';
      document.head.append(s);
    });
    await expect.poll(() => slowSeen, { timeout: 30_000 }).toBeGreaterThan(0);
    const failed = page.waitForEvent('requestfailed', { timeout: 30_000 });
    await page.goto(`${BASE}/b`);
    const r = await failed;
    expect(r.url()).toBe(`${BASE}/slow.js`);
    expect(r.failure()?.errorText).toBe('net::ERR_ABORTED');
    expect(errors).toEqual([]);
  }, 60_000);

  it('ignores a request the old document starts while a navigation is under way, cancelled when it commits', async () => {
    // A page that asks for a resource every 20 ms, as a study page polls its server, until it is replaced.
    await page.goto(`${BASE}/polling`);
    await expect.poll(() => slowSeen, { timeout: 30_000 }).toBeGreaterThan(0);
    const navigation = page.goto(`${BASE}/held`);
    await expect.poll(() => heldSeen, { timeout: 30_000 }).toBeGreaterThan(0);
    // The old document goes on asking after the navigation's request started.
    const before = slowSeen;
    await expect.poll(() => slowSeen, { timeout: 30_000 }).toBeGreaterThan(before);
    releaseHeld();
    await navigation;
    await expect.poll(() => aborted, { timeout: 30_000 }).toBeGreaterThan(before);
    expect(errors).toEqual([]);
  }, 60_000);

  it('still counts a refused request and an aborted one with no navigation since', async () => {
    await page.goto(`${BASE}/c`);
    for (const file of ['refused.js', 'aborted.js']) {
      const failed = page.waitForEvent('requestfailed', { timeout: 30_000 });
      await page.evaluate((src) => {
        const s = document.createElement('script');
        s.src = src;
        document.head.append(s);
      }, `/${file}`);
      await failed;
    }
    // (The console's "Failed to load resource" of the refused one goes to `errors` too.)
    expect(errors.filter((e) => e.startsWith('request failed'))).toEqual([
      `request failed: ${BASE}/refused.js net::ERR_CONNECTION_REFUSED`,
      `request failed: ${BASE}/aborted.js net::ERR_ABORTED`,
    ]);
    errors.length = 0;
  }, 60_000);
});
