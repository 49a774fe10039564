import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, routeAxe, SHOTS, shot, startServe, watchedPage } from './browser.js';
import { stopHeldStudies } from './held-study.js';

// What each browser test file sets up the same way: a runs folder of its own (filled by `setUp`), the
// real `e2ctwin serve` over it, headless Chromium with one watched page (its errors collected, axe-core
// routed), all ended after the file's tests — with any study a failed test left held still.

export interface ServedPage {
  /** The temporary folder (removed after the tests) and the runs folder inside it the server shows. */
  readonly tmp: string;
  readonly runsDir: string;
  /** The page's errors (uncaught exceptions, console errors, failed requests; see watchedPage). */
  readonly errors: string[];
  /** Set once the file's beforeAll has run: the server's base URL, the server, Chromium and the page. */
  readonly base: string;
  readonly server: ChildProcess;
  readonly browser: Browser;
  readonly page: Page;
  /** A screenshot of the whole page into test-output/screenshots/. */
  shot(name: string): Promise<Buffer>;
  /** A JSON file of run (or study) folder `run`, parsed. */
  json(run: string, file: string): any;
}

/**
 * Registers the file's beforeAll/afterAll for a served page. `prefix` names the temporary folder;
 * `setUp(runsDir)` fills the runs folder before the server starts (simulations, fixtures); `env` is added
 * to the server's environment.
 */
export function servedPage(
  prefix: string,
  o: {
    viewport?: { width: number; height: number };
    env?: Record<string, string>;
    setUp?: (runsDir: string) => void | Promise<void>;
    timeoutMs?: number;
  } = {},
): ServedPage {
  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix));
  const runsDir = path.join(tmp, 'runs');
  const errors: string[] = [];
  let opened: Pick<ServedPage, 'base' | 'server' | 'browser' | 'page'> | undefined;
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(runsDir, { recursive: true });
    mkdirSync(SHOTS, { recursive: true });
    await o.setUp?.(runsDir);
    let base: string;
    ({ base, server } = await startServe(runsDir, tmp, o.env));
    browser = await launchChromium();
    const page = await watchedPage(browser, base, errors, o.viewport);
    await routeAxe(page, base);
    opened = { base, server, browser, page };
  }, o.timeoutMs ?? 120_000);
  afterAll(async () => {
    stopHeldStudies();
    await browser?.close();
    if (server && server.exitCode === null) server.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  });
  const get = <K extends keyof NonNullable<typeof opened>>(k: K): NonNullable<typeof opened>[K] => {
    if (!opened) throw new Error('the page is opened in beforeAll: use it inside a test');
    return opened[k];
  };
  return {
    tmp,
    runsDir,
    errors,
    shot: (name) => shot(get('page'), name),
    json: (run, file) => JSON.parse(readFileSync(path.join(runsDir, run, file), 'utf8')),
    get base() {
      return get('base');
    },
    get server() {
      return get('server');
    },
    get browser() {
      return get('browser');
    },
    get page() {
      return get('page');
    },
  };
}
