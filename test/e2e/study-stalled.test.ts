import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shot, startServe } from '../support/browser.js';
import { writeProgressFile } from '../support/progress-file.js';

// A running study whose coordinator has not written for a while (stalled) is still polled by the Studies
// view: when it goes on, the page follows it; once it has ended the page shows it so.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-e2e-stalled-'));
const runsDir = path.join(tmp, 'runs');
const dir = path.join(runsDir, 'slow-study');
const file = path.join(dir, 'progress.json');
let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let errors: string[] = [];
let base = '';
let polls = 0;

const progress = (state: string, done: number) => writeProgressFile(file, { state, done });

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  progress('running', 7);
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(file, old, old);
  ({ base, server } = await startServe(runsDir, tmp));
  ({ browser, page, errors } = await openBrowser(base));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/studies') polls += 1;
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

describe('a stalled study in the Studies view', () => {
  it('keeps polling it while it looks stalled, follows it when it goes on, shows its end', async () => {
    await page.goto(`${base}/#studies`);
    await page.waitForSelector('tr[data-study="slow-study"] .study-progress', { timeout: 60_000 });
    await expect
      .poll(() => page.textContent('tr[data-study="slow-study"] .study-progress'), { timeout: 60_000 })
      .toContain('stalled');
    const before = polls;
    await expect.poll(() => polls, { timeout: 60_000 }).toBeGreaterThanOrEqual(before + 2);
    // It goes on: the page, still polling, shows the new count.
    progress('running', 12);
    await expect
      .poll(() => page.textContent('tr[data-study="slow-study"] .study-progress'), { timeout: 60_000 })
      .toContain('12');
    progress('interrupted', 15);
    await expect
      .poll(() => page.textContent('tr[data-study="slow-study"] .study-progress'), { timeout: 60_000 })
      .toContain('interrupted');
    await shot(page, '60-study-stalled-ended.png');
    expect(errors).toEqual([]);
  }, 180_000);
});
