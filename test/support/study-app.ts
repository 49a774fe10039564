import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildApp } from '../../src/server/index.js';
import { stopHeldStudies } from './held-study.js';

// The server's study tests read what real study commands write: an app (fastify, answered by inject())
// over a runs folder of their own, built before the file's tests and closed after them, with any study a
// failed test left held still killed.

export interface StudyApp {
  /** The temporary folder (removed after the tests) and the runs folder inside it the app serves. */
  readonly tmp: string;
  readonly runsDir: string;
  /** The app, once built (in the file's beforeAll). */
  readonly app: FastifyInstance;
}

/** Registers the file's beforeAll/afterAll for an app over a fresh runs folder (`prefix`: its temp name). */
export function studyApp(prefix: string): StudyApp {
  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix));
  const runsDir = path.join(tmp, 'runs');
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    mkdirSync(runsDir, { recursive: true });
    app = await buildApp({ runsDir });
  }, 60_000);
  afterAll(async () => {
    stopHeldStudies();
    await app?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  return {
    tmp,
    runsDir,
    get app() {
      if (!app) throw new Error('the app is built in beforeAll: use it inside a test');
      return app;
    },
  };
}

/**
 * Asserts what `/api/studies/:id/so-far` serves once study `id` has finished: its result document (a page
 * that asked while the study ended gets the results, not a 404), the same as `/api/studies/:id` serves.
 */
export async function expectSoFarIsFinal(app: FastifyInstance, id: string): Promise<void> {
  const res = await app.inject(`/api/studies/${id}/so-far`);
  expect(res.statusCode, res.body).toBe(200);
  const final = (await app.inject(`/api/studies/${id}`)).json();
  expect(res.json().file).not.toBe('progress.json');
  expect(res.json()).toEqual(final);
}
