// A private redis-server for tests: 127.0.0.1, a free port, no persistence, in a temporary folder; stopped by
// PID. Tests that need it skip (with a message) only when redis-server is not installed (scripts/setup.sh
// installs it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
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

/** Whether a Redis answers PING on the port (or asks for a password). */
export function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.setTimeout(500, () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('error', () => resolve(false));
    sock.on('connect', () => sock.write('PING\r\n'));
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
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `args`: more redis-server options, e.g. `['--requirepass', 'x']`. */
  static async start(args: readonly string[] = []): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), args);
    await r.restart();
    return r;
  }

  /** Starts (again) on the same port: an empty Redis, as after a crash without persistence. */
  async restart(): Promise<void> {
    this.#child = spawn(
      REDIS_SERVER!,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    await until(`redis-server on port ${this.port} answers`, () => pong(this.port), { timeoutMs: 10_000 });
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
