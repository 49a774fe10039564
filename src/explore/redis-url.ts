import { ExploreError, ExploreErrorCode } from './errors.js';

/** The environment variable holding the Redis password (never the command line, never a file in the run folder). */
export const REDIS_PASSWORD_ENV = 'E2C_REDIS_PASSWORD';

/** Where a study's queue lives: what `--backend redis://host:port[/db]` (or `rediss://`, TLS) names. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** The URL as shown to people (no password). */
  display: string;
}

const bad = (option: string, url: string, why: string) =>
  new ExploreError(
    ExploreErrorCode.BAD_OPTION,
    `${option} ${JSON.stringify(url)}: ${why}`,
    { url },
    'expected redis://host:port[/db] or rediss://host:port[/db]; the password comes from the environment variable E2C_REDIS_PASSWORD',
  );

/**
 * Reads a `--backend` URL. A password written in the URL is refused (it would land in shell history and in
 * the study's stored command); it is read from {@link REDIS_PASSWORD_ENV} instead.
 * @throws ExploreError BAD_OPTION (exit 2) for a malformed URL
 */
export function parseRedisUrl(
  url: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  option = '--backend',
): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(option, url, 'not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw bad(option, url, `unknown scheme "${u.protocol.replace(/:$/, '')}" (redis or rediss)`);
  if (u.password !== '')
    throw bad(option, url, `a password in the URL is refused; set ${REDIS_PASSWORD_ENV} instead`);
  if (u.hostname === '') throw bad(option, url, 'no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(option, url, `bad port "${u.port}"`);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isInteger(db) || db > 15)
    throw bad(option, url, `bad database "${dbText}" (0–15 after the port, e.g. /1)`);
  if (u.search !== '' || u.hash !== '') throw bad(option, url, 'no query or fragment expected');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const password = env[REDIS_PASSWORD_ENV];
  return {
    host,
    port,
    db,
    tls: u.protocol === 'rediss:',
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(password !== undefined && password !== '' ? { password } : {}),
    display: `${u.protocol}//${u.username !== '' ? `${u.username}@` : ''}${u.host}/${db}`,
  };
}

/** ioredis options of a target (BullMQ's workers need maxRetriesPerRequest: null). */
export function redisOptions(t: RedisTarget, o: { connectTimeoutMs?: number } = {}) {
  return {
    host: t.host,
    port: t.port,
    db: t.db,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.tls ? { tls: { servername: t.host } } : {}),
    connectTimeout: o.connectTimeoutMs ?? 4000,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  };
}
