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

beforeAll(async () => {
  browser = await launchChromium();
  page = await watchedPage(browser, BASE, errors);
  await page.route(`${BASE}/**`, async (route) => {
    const url = route.request().url();
    if (url.endsWith('/slow.js')) {
      slowSeen += 1;
      return; // left pending: only the navigation that follows ends it
    }
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
