import { existsSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { MODELS_DIR } from '../scenario/index.js';
import { addTokenGuard } from './access-token.js';
import { errorBody, ServerError, ServerErrorCode } from './errors.js';
import { addHostGuard, isLoopbackHost } from './host-guard.js';
import { runsRoutes } from './routes/runs.js';
import { scenariosRoutes } from './routes/scenarios.js';
import { simulationsRoutes } from './routes/simulations.js';
import { studiesRoutes } from './routes/studies.js';
import { webRoutes } from './routes/web.js';
import { RunsStore } from './runs-store.js';
import { ScenarioCatalog } from './scenario-catalog.js';
import { addSecurityHeaders } from './security-headers.js';
import { DEFAULT_BUDGET, SimulationJobs, type SimulationBudget } from './simulation-jobs.js';
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
  /**
   * Folders a scenario checked or simulated by the server may read files from (presets, calibration,
   * traces), and no other. Default: the scenarios folder and e2ctwin's models/ and calibration/. The
   * runs folder is not one: the server reads scenarios from the scenarios folder only.
   */
  allowedRoots?: string[];
  /**
   * Address the server will listen on; default 127.0.0.1. Anything but a loopback address (`localhost`,
   * `::1`, 127.0.0.0/8) needs `allowRemote` and a `token`.
   */
  host?: string;
  /**
   * The port requests must name in Host and Origin while the app is not listening (tests using
   * `inject()`); once it listens, the port it really listens on. Default 80 (what `inject()` names).
   */
  port?: number;
  /** Accept a `host` that is not loopback (the server is then reachable from the network). */
  allowRemote?: boolean;
  /**
   * Access token every request must carry (see access-token.ts); required with a remote `host`, optional
   * on loopback. Make one with `newAccessToken()`.
   */
  token?: string;
  /** Simulations running at once (each in a worker thread); default up to 4, one less than the cores. */
  maxRunningSimulations?: number;
  /** Budgets of each simulation started from the page (see {@link SimulationBudget}). */
  budget?: Partial<SimulationBudget>;
  logger?: boolean;
}

export interface ResolvedAppOptions {
  readonly runsDir: string;
  readonly scenariosDir: string;
  readonly webDir: string;
  readonly allowedRoots: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly remote: boolean;
  readonly token: string | undefined;
  readonly maxRunningSimulations: number;
  readonly budget: Readonly<SimulationBudget>;
  readonly logger: boolean;
}

const optionError = (option: string, message: string) =>
  new ServerError(ServerErrorCode.BAD_REQUEST, `buildApp(options): ${message}`, { option });

/** Checks and completes the options, then freezes them. */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  if (
    options === null ||
    typeof options !== 'object' ||
    typeof options.runsDir !== 'string' ||
    options.runsDir === ''
  ) {
    throw optionError('runsDir', 'options.runsDir must be a folder path');
  }
  const max = options.maxRunningSimulations ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  if (!Number.isInteger(max) || max < 1)
    throw optionError(
      'maxRunningSimulations',
      `options.maxRunningSimulations must be an integer ≥ 1 (got ${max})`,
    );
  const host = options.host ?? '127.0.0.1';
  const remote = !isLoopbackHost(host);
  if (remote && options.allowRemote !== true) {
    throw new ServerError(
      ServerErrorCode.REMOTE_NOT_ALLOWED,
      `host "${host.slice(0, 100)}" is not a loopback address: the server would be reachable from the network; allow it explicitly (allowRemote, serve --allow-remote)`,
      { option: 'host', host: host.slice(0, 100) },
    );
  }
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16))
    throw optionError(
      'token',
      'options.token must be a string of at least 16 characters (see newAccessToken())',
    );
  if (remote && options.token === undefined) {
    throw new ServerError(
      ServerErrorCode.REMOTE_NOT_ALLOWED,
      `host "${host.slice(0, 100)}" is not a loopback address: every request must then carry an access token (options.token, see newAccessToken())`,
      { option: 'token', host: host.slice(0, 100) },
    );
  }
  const port = options.port ?? 80;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw optionError('port', `options.port must be a TCP port (got ${port})`);
  const budget = { ...DEFAULT_BUDGET, ...options.budget };
  if (!(budget.wallSeconds > 0))
    throw optionError(
      'budget.wallSeconds',
      `options.budget.wallSeconds must be > 0 (got ${budget.wallSeconds})`,
    );
  if (!Number.isInteger(budget.memoryMiB) || budget.memoryMiB < 16)
    throw optionError(
      'budget.memoryMiB',
      `options.budget.memoryMiB must be an integer ≥ 16 (got ${budget.memoryMiB})`,
    );
  const scenariosDir = path.resolve(options.scenariosDir ?? path.join(ROOT, 'scenarios'));
  // Real paths: the file policy compares a file's real path (links resolved) with these.
  const allowedRoots = (
    options.allowedRoots ?? [scenariosDir, MODELS_DIR, path.join(ROOT, 'calibration')]
  ).map((r) => (existsSync(r) ? realpathSync(r) : path.resolve(r)));
  return Object.freeze({
    runsDir: path.resolve(options.runsDir),
    scenariosDir,
    webDir: path.resolve(options.webDir ?? path.join(ROOT, 'web')),
    allowedRoots: Object.freeze(allowedRoots),
    host,
    port,
    remote,
    token: options.token,
    maxRunningSimulations: max,
    budget: Object.freeze(budget),
    logger: options.logger ?? false,
  });
}

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
  const scenarios = new ScenarioCatalog(opts.scenariosDir, { allowedRoots: opts.allowedRoots });
  const jobs = new SimulationJobs({ maxRunning: opts.maxRunningSimulations, budget: opts.budget });
  // The port requests must name: the real one once listening, else the configured one (inject()).
  const port = () => {
    const a = app.server.address();
    return a !== null && typeof a === 'object' ? a.port : opts.port;
  };

  app.setErrorHandler((err, request, reply) => {
    const body = errorBody(err);
    if (body.statusCode >= 500) request.log.error(err);
    void reply.status(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new ServerError(
      ServerErrorCode.NOT_FOUND,
      `nothing at ${request.method} ${request.url.slice(0, 300)}`,
      { method: request.method },
    );
    void reply.status(404).send(errorBody(e));
  });
  // In this order: headers on every answer (refusals included), then whom the request names, then the token.
  addSecurityHeaders(app);
  addHostGuard(app, { host: opts.host, port });
  if (opts.token !== undefined) addTokenGuard(app, { token: opts.token, port });
  app.addHook('onClose', async () => jobs.close());

  await app.register(webRoutes, { webDir: opts.webDir });
  await app.register(scenariosRoutes, { prefix: '/api/scenarios', scenarios });
  await app.register(runsRoutes, { prefix: '/api/runs', runs });
  await app.register(studiesRoutes, { prefix: '/api/studies', studies: new StudiesStore(runs) });
  await app.register(simulationsRoutes, { prefix: '/api/simulations', scenarios, runs, jobs });
  app.get('/api/health', async () => ({ ok: true, runsDir: runs.root, running: jobs.running }));
  return app;
}
