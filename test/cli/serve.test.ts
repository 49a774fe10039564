import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-serve-'));
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) if (s.exitCode === null) s.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts `e2ctwin serve` and resolves with what it printed once `until` holds of its standard output and error. */
function serve(
  args: string[],
  until: (out: string, err: string) => boolean,
): Promise<{ out: string; err: string; server: ChildProcess }> {
  const server = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin/e2ctwin.js'),
      'serve',
      '--port',
      '0',
      '--runs',
      path.join(tmp, 'runs'),
      ...args,
    ],
    { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  servers.push(server);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const check = () => until(out, err) && resolve({ out, err, server });
    server.stderr!.on('data', (d) => {
      err += d;
      check();
    });
    server.stdout!.on('data', (d) => {
      out += d;
      check();
    });
    server.on('exit', (code) => reject(new Error(`e2ctwin serve exited (${code}): ${out}${err}`)));
  });
}

describe('e2ctwin serve', () => {
  it('documents remote access and the simulation budgets in --help', () => {
    const r = runCli(['serve', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--host', '--allow-remote', '--max-wall-seconds', '--max-memory-mib'])
      expect(r.stdout).toContain(flag);
  });

  it('refuses a host that is not loopback without --allow-remote: exit 2, a clear message, nothing listens', () => {
    const r = runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--runs', path.join(tmp, 'runs')], {
      timeoutMs: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--host 0.0.0.0 is not a loopback address');
    expect(r.stderr).toContain('--allow-remote');
    expect(r.stdout).not.toContain('e2ctwin serve:');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses budgets that are not numbers with exit 2', () => {
    expect(runCli(['serve', '--max-wall-seconds', '0']).status).toBe(2);
    expect(runCli(['serve', '--max-memory-mib', 'lots']).status).toBe(2);
  });

  it('with --allow-remote: prints the address it really listens on, warns, prints a token once, and requires it', async () => {
    const { out, err, server } = await serve(
      ['--host', '0.0.0.0', '--allow-remote'],
      (o, e) => /API clients: .*\n/.test(o) && e.includes('\n'),
    );
    const port = Number(/^e2ctwin serve: http:\/\/0\.0\.0\.0:(\d+)\/ /m.exec(out)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(err).toContain('warning: listening on 0.0.0.0, not a loopback address');
    const token = /^access token: ([A-Za-z0-9_-]{43})$/m.exec(out)?.[1];
    expect(token).toBeDefined();
    expect(out.split(token!).length - 1).toBe(3); // the token line, the address to open, the header to send
    const base = `http://127.0.0.1:${port}`;
    const none = await fetch(`${base}/api/health`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'E2C_ERR_SERVER_UNAUTHORIZED' });
    const ok = await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const visit = await fetch(`${base}/?token=${token}`, { redirect: 'manual' });
    expect(visit.status).toBe(303);
    const cookie = visit.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${base}/`, { headers: { cookie } })).status).toBe(200);
    server.kill('SIGTERM');
  });

  it('on loopback: the banner names 127.0.0.1 and the real port, no token is needed, other hosts are refused', async () => {
    const { out, err, server } = await serve([], (o) => /e2ctwin serve: .*\n/.test(o));
    const port = Number(/^e2ctwin serve: http:\/\/127\.0\.0\.1:(\d+)\/ /m.exec(out)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(out).not.toContain('token');
    expect(err).toBe('');
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    expect((await fetch(`http://localhost:${port}/api/health`)).status).toBe(200);
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port,
            path: '/api/health',
            headers: { host: `127.0.0.1.evil.example:${port}` },
          },
          (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        )
        .on('error', reject);
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ code: 'E2C_ERR_SERVER_FORBIDDEN_HOST' });
    server.kill('SIGTERM');
  });
});
