import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { errorBody, ServerError, ServerErrorCode } from './errors.js';
import { runsRoutes } from './routes/runs.js';
import { scenariosRoutes } from './routes/scenarios.js';
import { simulationsRoutes } from './routes/simulations.js';
import { studiesRoutes } from './routes/studies.js';
import { webRoutes } from './routes/web.js';
import { RunsStore } from './runs-store.js';
import { ScenarioCatalog } from './scenario-catalog.js';
import { SimulationJobs } from './simulation-jobs.js';
import { StudiesStore } from './studies-store.js';

/** The e2ctwin checkout or installation (src/server/ and dist/cli/ are both two levels down). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AppOptions {
  /** Folder of run folders: listed, read, and where simulations started from the page are written. */
  runsDir: string;
  /** Scenarios the page offers; default the scenarios/ shipped with e2ctwin. */
  scenariosDir?: string;
  /** The browser app; default the web/ shipped with e2ctwin. */
  webDir?: string;
  /** Address the server will listen on; on a loopback address, requests must name a loopback host. */
  host?: string;
  /** Simulations running at once (each in a worker thread); default up to 4, one less than the cores. */
  maxRunningSimulations?: number;
  logger?: boolean;
}

export type ResolvedAppOptions = Readonly<Required<Omit<AppOptions, 'logger'>> & { logger: boolean }>;

/** Checks and completes the options, then freezes them. */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  if (options === null || typeof options !== 'object' || typeof options.runsDir !== 'string' || options.runsDir === '') {
    throw new ServerError(ServerErrorCode.BAD_REQUEST, 'buildApp(options): options.runsDir must be a folder path', { option: 'runsDir' });
  }
  const max = options.maxRunningSimulations ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  if (!Number.isInteger(max) || max < 1) {
    throw new ServerError(ServerErrorCode.BAD_REQUEST, `buildApp(options): options.maxRunningSimulations must be an integer ≥ 1 (got ${max})`, { option: 'maxRunningSimulations' });
  }
  return Object.freeze({
    runsDir: path.resolve(options.runsDir),
    scenariosDir: path.resolve(options.scenariosDir ?? path.join(ROOT, 'scenarios')),
    webDir: path.resolve(options.webDir ?? path.join(ROOT, 'web')),
    host: options.host ?? '127.0.0.1',
    maxRunningSimulations: max,
    logger: options.logger ?? false,
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);
const isLoopback = (host: string) => LOOPBACK.has(host) || host.startsWith('127.');

/**
 * Builds the e2ctwin web server: the JSON API over run folders, scenarios and simulations, and the
 * browser app. Never listens by itself (`app.listen()` is the caller's, tests use `app.inject()`).
 * fastify is loaded here, on demand, so that the other commands do not pay for it at start-up.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const opts = resolveAppOptions(options);
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: opts.logger, bodyLimit: 2 * 1024 * 1024 });
  const runs = new RunsStore(opts.runsDir);
  const scenarios = new ScenarioCatalog(opts.scenariosDir);
  const jobs = new SimulationJobs(opts.maxRunningSimulations);

  app.setErrorHandler((err, request, reply) => {
    const body = errorBody(err);
    if (body.statusCode >= 500) request.log.error(err);
    void reply.status(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new ServerError(ServerErrorCode.NOT_FOUND, `nothing at ${request.method} ${request.url.slice(0, 300)}`, { method: request.method });
    void reply.status(404).send(errorBody(e));
  });
  if (isLoopback(opts.host)) {
    // A page on another site must not drive a local server through DNS rebinding.
    app.addHook('onRequest', async (request) => {
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      if (!isLoopback(host)) {
        throw new ServerError(ServerErrorCode.BAD_REQUEST, `requests to this server must name a loopback host (got "${host.slice(0, 100)}")`, { host: host.slice(0, 100) });
      }
    });
  }
  app.addHook('onClose', async () => jobs.close());

  await app.register(webRoutes, { webDir: opts.webDir });
  await app.register(scenariosRoutes, { prefix: '/api/scenarios', scenarios });
  await app.register(runsRoutes, { prefix: '/api/runs', runs });
  await app.register(studiesRoutes, { prefix: '/api/studies', studies: new StudiesStore(runs) });
  await app.register(simulationsRoutes, { prefix: '/api/simulations', scenarios, runs, jobs });
  app.get('/api/health', async () => ({ ok: true, runsDir: runs.root, running: jobs.running }));
  return app;
}
