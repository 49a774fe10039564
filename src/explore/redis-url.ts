import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ExploreError, ExploreErrorCode } from './errors.js';

/** The environment variable holding the Redis password (never the command line, never a file in the run folder). */
export const REDIS_PASSWORD_ENV = 'E2C_REDIS_PASSWORD';
/**
 * The environment variable naming a PEM file of the certificate authority that signed a `rediss://` server's
 * certificate, when it is not one Node.js trusts already (a private CA). NODE_EXTRA_CA_CERTS works as well.
 */
export const REDIS_CA_ENV = 'E2C_REDIS_CA';

/** Where a study's queue lives: what `--backend redis://host:port[/db]` (or `rediss://`, TLS) names. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** PEM text of the CA to trust for TLS (read from the file {@link REDIS_CA_ENV} names). */
  ca?: string;
  /** The URL as shown to people (no password). */
  display: string;
}

/** The URL as an error may show it: a password written in it is masked (errors land in logs). */
const masked = (url: string) => url.replace(/:([^:@/]*)@/, ':***@');

const bad = (option: string, url: string, why: string) =>
  new ExploreError(
    ExploreErrorCode.BAD_OPTION,
    `${option} ${JSON.stringify(masked(url))}: ${why}`,
    { url: masked(url) },
    `expected redis://host:port[/db] or rediss://host:port[/db]; the password comes from the environment variable ${REDIS_PASSWORD_ENV}, a private CA for rediss:// from ${REDIS_CA_ENV}`,
  );

/**
 * Reads a `--backend` URL. A password written in the URL is refused (it would land in shell history and in
 * the study's stored command); it is read from {@link REDIS_PASSWORD_ENV} instead. For `rediss://`, the CA
 * file {@link REDIS_CA_ENV} names (if any) is read here.
 * @throws ExploreError BAD_OPTION (exit 2) for a malformed URL or an unreadable CA file
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
  const tls = u.protocol === 'rediss:';
  const caFile = env[REDIS_CA_ENV];
  let ca: string | undefined;
  if (tls && caFile !== undefined && caFile !== '') {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw bad(option, url, `cannot read the CA file ${REDIS_CA_ENV}=${caFile}: ${(e as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw bad(option, url, `${REDIS_CA_ENV}=${caFile} holds no PEM certificate`);
  }
  return {
    host,
    port,
    db,
    tls,
    ...(ca !== undefined ? { ca } : {}),
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
    // SNI takes a host name only (RFC 6066); the certificate is checked against the host either way.
    ...(t.tls
      ? {
          tls: {
            ...(isIP(t.host) === 0 ? { servername: t.host } : {}),
            ...(t.ca !== undefined ? { ca: t.ca } : {}),
          },
        }
      : {}),
    connectTimeout: o.connectTimeoutMs ?? 4000,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  };
}
