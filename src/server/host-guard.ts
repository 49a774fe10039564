import { isIPv4, isIPv6 } from 'node:net';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { ServerError, ServerErrorCode } from './errors.js';

/** Whether `host` (a listen address or a name) is the machine itself: `localhost`, `::1` or 127.0.0.0/8 — exactly. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || (isIPv4(h) && h.startsWith('127.'));
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);
/** The names the server always answers to, as a Host header writes them. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** `host` as the host part of a Host header or an origin (IPv6 literals in brackets), lower case. */
function hostPart(host: string): string {
  const h = host.toLowerCase();
  return isIPv6(h) ? `[${h}]` : h;
}

/**
 * The Host header values the server answers to when it listens on `listenHost`:`port`: the loopback
 * names, the listen address itself, and — on a wildcard address (0.0.0.0, ::) — every address of the
 * machine and its host name. Port 80 may also be left out (browsers do for http).
 */
export function allowedHosts(listenHost: string, port: number): string[] {
  const names = new Set(LOOPBACK_NAMES);
  if (!WILDCARD.has(listenHost.toLowerCase())) names.add(hostPart(listenHost));
  else {
    for (const list of Object.values(os.networkInterfaces()))
      for (const a of list ?? []) names.add(hostPart(a.address.replace(/%.*$/, '')));
    names.add(hostPart(os.hostname()));
  }
  const out = [...names].map((n) => `${n}:${port}`);
  if (port === 80) out.push(...names);
  return out;
}

export interface HostGuardOptions {
  /** The address the server listens on (as given to listen()). */
  host: string;
  /** The port requests must name: the one it really listens on (known only once it listens). */
  port: () => number;
}

/**
 * Refuses, with 403, a request whose Host header is not exactly one of {@link allowedHosts} (a page of
 * another site resolving its own name to 127.0.0.1 — DNS rebinding — names its own host), and a request
 * whose Origin header, when present, is not `http://` + one of them (a page of another site posting to
 * the server from a visitor's browser).
 */
export function addHostGuard(app: FastifyInstance, options: HostGuardOptions): void {
  let cached: { port: number; hosts: Set<string>; origins: Set<string> } | undefined;
  const allowed = () => {
    const port = options.port();
    if (cached?.port !== port) {
      const hosts = allowedHosts(options.host, port);
      cached = { port, hosts: new Set(hosts), origins: new Set(hosts.map((h) => `http://${h}`)) };
    }
    return cached;
  };
  app.addHook('onRequest', async (request) => {
    const { hosts, origins } = allowed();
    const host = request.headers.host ?? '';
    if (!hosts.has(host.toLowerCase())) {
      throw new ServerError(
        ServerErrorCode.FORBIDDEN_HOST,
        `this server answers only to ${[...hosts].slice(0, 3).join(', ')}${hosts.size > 3 ? ', …' : ''}; the request's Host header names "${host.slice(0, 100)}"`,
        { header: 'host', value: host.slice(0, 100) },
      );
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin.toLowerCase())) {
      throw new ServerError(
        ServerErrorCode.FORBIDDEN_ORIGIN,
        `requests from pages of other sites are refused: the request's Origin header is "${origin.slice(0, 100)}", not this server's (${[...origins][0]})`,
        { header: 'origin', value: origin.slice(0, 100) },
      );
    }
  });
}
