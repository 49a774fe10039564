import type { FastifyInstance } from 'fastify';

/**
 * The page's content policy: scripts only as files of this server (the page has no inline script or
 * inline event handler), data only from this server, never framed. Style attributes stay allowed
 * (`style-src-attr`): the charts set colours and tooltip positions inline; `<style>` elements and
 * stylesheets of other sites do not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer of the server (pages, assets, JSON, errors, event streams). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

/**
 * Sets {@link SECURITY_HEADERS} first thing on every request, on the raw response: they then also go out
 * with errors thrown by later hooks and with hijacked answers (server-sent events), which fastify's own
 * reply headers would miss.
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.raw.setHeader(name, value);
  });
}
