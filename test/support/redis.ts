// A private redis-server for tests: 127.0.0.1, a free port, no persistence, in a temporary folder; stopped by
// PID. Tests that need it skip (with a message) only when redis-server is not installed (scripts/setup.sh
// installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { until } from './poll.js';

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((f) =>
  existsSync(f),
);
export const redisMissing = REDIS_SERVER
  ? undefined
  : 'redis-server is not installed (bash scripts/setup.sh installs it): the Redis backend tests are skipped';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** PEM files of a throw-away CA and of a server certificate it signed for 127.0.0.1 (and localhost). */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Makes a throw-away CA and a server certificate for 127.0.0.1 with openssl, in `dir` (valid one day). */
export function makeTlsFiles(dir: string): TlsFiles {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr || r.error}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=e2ctwin test CA',
  );
  openssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '1',
    '-extfile',
    f('server.ext'),
  );
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

/** Whether a Redis answers PING on the port (or asks for a password); over TLS when `ca` (a PEM file) is given. */
export function pong(port: number, ca?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock =
      ca === undefined
        ? net.connect(port, '127.0.0.1')
        : tls.connect({ port, host: '127.0.0.1', ca: readFileSync(ca) });
    const ready = ca === undefined ? 'connect' : 'secureConnect';
    let got = '';
    sock.setTimeout(500, () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('error', () => resolve(false));
    sock.on(ready, () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      got += d;
      if (got.includes('\r\n')) {
        sock.destroy();
        resolve(got.startsWith('+PONG') || got.startsWith('-NOAUTH'));
      }
    });
  });
}

export class TestRedis {
  #child: ChildProcess | undefined;
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-redis-'));
  private constructor(
    readonly port: number,
    readonly args: readonly string[],
    readonly tls: TlsFiles | undefined,
  ) {}

  /** redis://127.0.0.1:port, or rediss:// when it speaks TLS only. */
  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  /**
   * `args`: more redis-server options, e.g. `['--requirepass', 'x']`. `tls`: TLS only on the port (no plain
   * port), with that certificate; clients are not asked for one.
   */
  static async start(args: readonly string[] = [], o: { tls?: TlsFiles } = {}): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), args, o.tls);
    await r.restart();
    return r;
  }

  /** Starts (again) on the same port: an empty Redis, as after a crash without persistence. */
  async restart(): Promise<void> {
    this.#child = spawn(
      REDIS_SERVER!,
      [
        ...(this.tls
          ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', this.tls.cert]
          : ['--port', String(this.port)]),
        ...(this.tls
          ? ['--tls-key-file', this.tls.key, '--tls-ca-cert-file', this.tls.ca, '--tls-auth-clients', 'no']
          : []),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        ...this.args,
      ],
      { stdio: 'ignore' },
    );
    await until(`redis-server on port ${this.port} answers`, () => pong(this.port, this.tls?.ca), {
      timeoutMs: 10_000,
    });
  }

  /** Kills it (SIGKILL by PID) and waits until the port no longer answers. */
  async kill(): Promise<void> {
    const c = this.#child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
