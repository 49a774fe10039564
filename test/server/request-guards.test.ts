import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allowedHosts,
  buildApp,
  CONTENT_SECURITY_POLICY,
  isLoopbackHost,
  newAccessToken,
  ServerError,
  tokenCookieName,
} from '../../src/server/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-guards-'));
const PORT = 8123;
let local: FastifyInstance;

beforeAll(async () => {
  local = await buildApp({ runsDir: path.join(tmp, 'runs'), port: PORT, maxRunningSimulations: 1 });
});
afterAll(async () => {
  await local.close();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (app: FastifyInstance, url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { host: `127.0.0.1:${PORT}`, ...headers } });

describe('the Host and Origin allow-list', () => {
  it('answers requests naming exactly 127.0.0.1, localhost or [::1] with the port', async () => {
    for (const host of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`, `LOCALHOST:${PORT}`]) {
      const r = await get(local, '/api/health', { host });
      expect(r.statusCode, host).toBe(200);
      expect(r.json(), host).toMatchObject({ ok: true });
    }
  });

  it('refuses any other Host with 403 and a located error (the header and its value)', async () => {
    const bad = [
      '127.0.0.1.evil.example',
      `127.0.0.1.evil.example:${PORT}`,
      'evil.example',
      `evil.example:${PORT}`,
      '127.0.0.1',
      `127.0.0.1:${PORT + 1}`,
      `localhost.:${PORT}`,
      `127.0.0.2:${PORT}`,
      `[::1]`,
      `0.0.0.0:${PORT}`,
      `127.1:${PORT}`,
      `localhost:${PORT}@evil.example`,
    ];
    for (const host of bad) {
      for (const url of ['/api/health', '/', '/api/runs', '/api/nothing']) {
        const r = await get(local, url, { host });
        expect(r.statusCode, `${host} ${url}`).toBe(403);
        expect(r.json(), `${host} ${url}`).toMatchObject({
          statusCode: 403,
          code: 'E2C_ERR_SERVER_FORBIDDEN_HOST',
          error: 'Forbidden',
          header: 'host',
          value: host,
        });
        expect(r.json().message).toContain(`127.0.0.1:${PORT}`);
      }
    }
    const post = await local.inject({
      method: 'POST',
      url: '/api/scenarios/check',
      headers: { host: '127.0.0.1.evil.example' },
      payload: { scenario: 'plantnet.yaml' },
    });
    expect(post.json()).toMatchObject({ statusCode: 403, code: 'E2C_ERR_SERVER_FORBIDDEN_HOST' });
  });

  it('accepts an Origin that is this server, refuses any other (a page of another site) with 403', async () => {
    for (const origin of [`http://127.0.0.1:${PORT}`, `http://localhost:${PORT}`, `http://[::1]:${PORT}`]) {
      const r = await local.inject({
        method: 'POST',
        url: '/api/scenarios/check',
        headers: { host: `127.0.0.1:${PORT}`, origin },
        payload: { scenario: 'validation/mm1.yaml' },
      });
      expect(r.statusCode, origin).toBe(200);
    }
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1.evil.example:${PORT}`,
      `https://127.0.0.1:${PORT}`,
      `http://127.0.0.1:${PORT + 1}`,
      'null',
      `http://127.0.0.1:${PORT}/`,
      '',
    ]) {
      for (const method of ['GET', 'POST', 'DELETE'] as const) {
        const url =
          method === 'POST'
            ? '/api/scenarios/check'
            : method === 'DELETE'
              ? '/api/simulations/x'
              : '/api/runs';
        const r = await local.inject({
          method,
          url,
          headers: { host: `127.0.0.1:${PORT}`, origin },
          ...(method === 'POST' ? { payload: { scenario: 'validation/mm1.yaml' } } : {}),
        });
        expect(r.statusCode, `${origin} ${method}`).toBe(403);
        expect(r.json(), `${origin} ${method}`).toMatchObject({
          code: 'E2C_ERR_SERVER_FORBIDDEN_ORIGIN',
          header: 'origin',
          value: origin,
        });
      }
    }
  });

  it('knows loopback exactly: 127.0.0.0/8 literals, ::1 and localhost, nothing that only starts like them', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', 'LocalHost', '::1', '[::1]'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [
      '127.0.0.1.evil.example',
      '127.evil',
      '127.0.0.256',
      '0.0.0.0',
      '::',
      '10.0.0.1',
      'localhost.evil',
      'evil-localhost',
      '',
    ])
      expect(isLoopbackHost(h), h).toBe(false);
    expect(allowedHosts('127.0.0.1', 80)).toEqual(
      expect.arrayContaining(['127.0.0.1:80', '127.0.0.1', 'localhost']),
    );
    expect(allowedHosts('127.0.0.1', 9000)).toEqual(['127.0.0.1:9000', 'localhost:9000', '[::1]:9000']);
    expect(allowedHosts('192.168.7.9', 9000)).toEqual([
      '127.0.0.1:9000',
      'localhost:9000',
      '[::1]:9000',
      '192.168.7.9:9000',
    ]);
    expect(allowedHosts('fe80::1', 9000)).toContain('[fe80::1]:9000');
  });
});

describe('security headers', () => {
  const expectHeaders = (r: { headers: Record<string, unknown> }, what: string) => {
    expect(r.headers['content-security-policy'], what).toBe(CONTENT_SECURITY_POLICY);
    expect(r.headers['x-content-type-options'], what).toBe('nosniff');
    expect(r.headers['x-frame-options'], what).toBe('DENY');
    expect(r.headers['referrer-policy'], what).toBe('no-referrer');
  };

  it('go with every answer: page, assets, JSON, errors, refusals, event streams', async () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    for (const url of [
      '/',
      '/main.js',
      '/style.css',
      '/favicon.svg',
      '/vendor/d3.js',
      '/api/health',
      '/api/scenarios',
      '/api/runs',
      '/api/nothing',
      '/api/runs/..%2fx',
      '/api/simulations/nope/events',
    ]) {
      expectHeaders(await get(local, url), url);
    }
    expectHeaders(await get(local, '/api/health', { host: 'evil.example' }), 'forbidden host');
    expectHeaders(await get(local, '/api/health', { origin: 'http://evil.example' }), 'forbidden origin');
    expectHeaders(
      await local.inject({
        method: 'POST',
        url: '/api/scenarios/check',
        headers: { host: `127.0.0.1:${PORT}`, 'content-type': 'application/json' },
        payload: '{nope',
      }),
      'bad JSON',
    );
  });

  it('the page has no inline script or inline event handler (the policy allows neither)', async () => {
    const html = (await get(local, '/')).body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/[^"]+"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
  });
});

describe('remote mode', () => {
  it('refuses a host that is not loopback unless allowed, and then only with a token', async () => {
    const runsDir = path.join(tmp, 'runs');
    await expect(buildApp({ runsDir, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'E2C_ERR_SERVER_REMOTE_NOT_ALLOWED',
      fields: { option: 'host' },
    });
    await expect(buildApp({ runsDir, host: '127.0.0.1.evil.example' })).rejects.toBeInstanceOf(ServerError);
    await expect(buildApp({ runsDir, host: '0.0.0.0', allowRemote: true })).rejects.toMatchObject({
      code: 'E2C_ERR_SERVER_REMOTE_NOT_ALLOWED',
      fields: { option: 'token' },
    });
    await expect(
      buildApp({ runsDir, host: '0.0.0.0', allowRemote: true, token: 'short' }),
    ).rejects.toMatchObject({ code: 'E2C_ERR_SERVER_BAD_REQUEST', fields: { option: 'token' } });
  });

  it('answers 401 without the token, 200 with it (Bearer, cookie, or ?token= which sets the cookie), and keeps the Host check', async () => {
    const token = newAccessToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newAccessToken()).not.toBe(token);
    const remote = await buildApp({
      runsDir: path.join(tmp, 'runs'),
      host: '192.168.7.9',
      port: PORT,
      allowRemote: true,
      token,
    });
    try {
      const host = `192.168.7.9:${PORT}`;
      for (const url of ['/', '/main.js', '/api/health', '/api/runs', '/api/nothing']) {
        for (const headers of [
          {},
          { authorization: 'Bearer wrong' },
          { authorization: `Bearer ${token.slice(0, -1)}` },
          { authorization: token },
          { cookie: `${tokenCookieName(PORT)}=wrong` },
          { cookie: `${tokenCookieName(PORT + 1)}=${token}` },
        ] as Record<string, string>[]) {
          const r = await get(remote, url, { host, ...headers });
          expect(r.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
          expect(r.json()).toMatchObject({
            statusCode: 401,
            code: 'E2C_ERR_SERVER_UNAUTHORIZED',
            error: 'Unauthorized',
          });
          expect(r.headers['www-authenticate']).toContain('Bearer');
          expect(r.body).not.toContain(token);
          expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
        }
        expect((await get(remote, `${url}?token=wrong`, { host })).statusCode, url).toBe(401);
      }
      const bearer = await get(remote, '/api/health', { host, authorization: `Bearer ${token}` });
      expect(bearer.statusCode).toBe(200);
      expect(bearer.json()).toMatchObject({ ok: true });
      expect(
        (await get(remote, '/api/runs', { host: `127.0.0.1:${PORT}`, authorization: `bearer ${token}` }))
          .statusCode,
      ).toBe(200);
      expect(
        (await get(remote, '/api/health', { host, cookie: `other=1; ${tokenCookieName(PORT)}=${token}` }))
          .statusCode,
      ).toBe(200);
      // The printed address: the page is redirected without the token in its URL, and gets the cookie.
      const visit = await get(remote, `/?token=${token}`, { host });
      expect(visit.statusCode).toBe(303);
      expect(visit.headers.location).toBe('/');
      expect(visit.headers['set-cookie']).toBe(
        `${tokenCookieName(PORT)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      );
      const page = await get(remote, '/', { host, cookie: `${tokenCookieName(PORT)}=${token}` });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect((await get(remote, `/api/health?token=${token}`, { host })).statusCode).toBe(200);
      // The token does not open the server to other names.
      const rebound = await get(remote, '/api/health', {
        host: `evil.example:${PORT}`,
        authorization: `Bearer ${token}`,
      });
      expect(rebound.json()).toMatchObject({ statusCode: 403, code: 'E2C_ERR_SERVER_FORBIDDEN_HOST' });
      const foreign = await get(remote, '/api/health', {
        host,
        origin: 'http://evil.example',
        authorization: `Bearer ${token}`,
      });
      expect(foreign.json()).toMatchObject({ statusCode: 403, code: 'E2C_ERR_SERVER_FORBIDDEN_ORIGIN' });
      expect(
        (
          await get(remote, '/api/health', {
            host,
            origin: `http://${host}`,
            authorization: `Bearer ${token}`,
          })
        ).statusCode,
      ).toBe(200);
    } finally {
      await remote.close();
    }
  });
});
