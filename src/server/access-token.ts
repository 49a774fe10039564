import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServerError, ServerErrorCode } from './errors.js';

/** A fresh access token: 32 random bytes, URL-safe. */
export function newAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares in constant time (over the digests, so that the lengths do not leak either). */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** The cookie that carries the token for the page; named for the port (cookies are shared by all ports of a host). */
export const tokenCookieName = (port: number) => `e2ctwin_token_${port}`;

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface TokenGuardOptions {
  token: string;
  /** The port the server listens on (names the cookie). */
  port: () => number;
}

/**
 * Every request must carry the token: `Authorization: Bearer <token>` (API clients), the cookie the
 * server sets (the page), or `?token=<token>` (the address printed by `e2ctwin serve`). A request with a
 * good `?token=` gets the cookie (HttpOnly, SameSite=Strict); a visit of the page that way is redirected
 * to the same page without the token, so it does not stay in the address bar or the history.
 */
export function addTokenGuard(app: FastifyInstance, options: TokenGuardOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    const name = tokenCookieName(options.port());
    const auth = request.headers.authorization;
    const bearer =
      typeof auth === 'string' && /^Bearer\s+/i.test(auth)
        ? auth.replace(/^Bearer\s+/i, '').trim()
        : undefined;
    if (tokenMatches(bearer, options.token) || tokenMatches(cookie(request, name), options.token)) return;
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (typeof query.token === 'string' && tokenMatches(query.token, options.token)) {
      reply.header('set-cookie', `${name}=${options.token}; HttpOnly; SameSite=Strict; Path=/`);
      const url = new URL(request.url, 'http://x');
      if (request.method === 'GET' && !url.pathname.startsWith('/api/')) {
        url.searchParams.delete('token');
        return reply.code(303).header('location', `${url.pathname}${url.search}`).send();
      }
      return;
    }
    reply.header('www-authenticate', 'Bearer realm="e2ctwin"');
    throw new ServerError(
      ServerErrorCode.UNAUTHORIZED,
      'this server needs its access token: open the address `e2ctwin serve` printed (…/?token=…), or send "Authorization: Bearer <token>"',
      {},
    );
  });
}
