import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `e2ctwin doctor`: what each mode needs on this machine, checked before a run instead of failing deep
// inside one. Checks only look (PATH lookups, a listen on 127.0.0.1, `ip netns list`); the one probe
// that changes anything, sch_netem, runs in an anonymous network namespace that ends with the probe.

/** e2ctwin's package root (this file is src/cli/ or a bundle under dist/: two levels down alike). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DOCTOR_MODES = ['simulate', 'live', 'browser', 'distributed'] as const;
export type DoctorMode = (typeof DOCTOR_MODES)[number];

/**
 * ok: present; missing: required by the mode and absent (doctor exits 1); fallback: absent, and the mode
 * works without it in another way (named in detail); optional: absent, needed only for a named part;
 * unknown: could not be checked (e.g. needs root).
 */
export type CheckStatus = 'ok' | 'missing' | 'fallback' | 'optional' | 'unknown';

export interface Check {
  mode: DoctorMode;
  name: string;
  status: CheckStatus;
  detail: string;
  /** The command that installs what is missing (Debian), when something is. */
  install?: string;
}

export interface DoctorOptions {
  modes: readonly DoctorMode[];
  /** A Redis URL distributed studies would use: checked for reachability (PING). */
  redis?: string;
}

/** The executable a command name resolves to on PATH, as a shell would find it. */
export function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const f = path.join(dir, cmd);
    try {
      accessSync(f, constants.X_OK);
      if (statSync(f).isFile()) return f;
    } catch {
      // not here
    }
  }
  return undefined;
}

const apt = (...pkgs: string[]) => `apt-get install -y ${pkgs.join(' ')}`;

function command(mode: DoctorMode, cmd: string, pkg: string, why: string, optional = false): Check {
  const found = onPath(cmd);
  return found
    ? { mode, name: cmd, status: 'ok', detail: found }
    : {
        mode,
        name: cmd,
        status: optional ? 'optional' : 'missing',
        detail: `not on PATH (${why})`,
        install: apt(pkg),
      };
}

/** `>=20.19` style ranges (what package.json states); anything else is not compared. */
function nodeCheck(): Check {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    engines?: { node?: string };
  };
  const range = pkg.engines?.node ?? '';
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  const have = process.versions.node.split('.').map(Number);
  const name = `Node.js ${range}`.trim();
  if (!m) return { mode: 'simulate', name, status: 'ok', detail: `v${process.versions.node}` };
  const want = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  const cmp = have[0]! - want[0]! || have[1]! - want[1]! || have[2]! - want[2]!;
  return cmp >= 0
    ? { mode: 'simulate', name, status: 'ok', detail: `v${process.versions.node}` }
    : {
        mode: 'simulate',
        name,
        status: 'missing',
        detail: `v${process.versions.node} is too old`,
        install: `install Node.js ${range} (https://nodejs.org/ or NodeSource's Debian packages)`,
      };
}

function simulateChecks(): Check[] {
  const bundled = [
    'dist/cli/main.js',
    'dist/explore/worker.js',
    'dist/server/sim-worker.js',
    'models',
    'scenarios',
    'web',
  ];
  const absent = bundled.filter((f) => !existsSync(path.join(PACKAGE_ROOT, f)));
  const checks: Check[] = [
    nodeCheck(),
    absent.length === 0
      ? { mode: 'simulate', name: 'bundled files', status: 'ok', detail: bundled.join(', ') }
      : {
          mode: 'simulate',
          name: 'bundled files',
          status: 'missing',
          detail: `absent: ${absent.join(', ')}`,
          install: 'npm run build (in a checkout) or reinstall: npm i -g e2ctwin',
        },
  ];
  // Studies (sweep, optimize, …) store trials in SQLite through a native addon.
  try {
    createRequire(import.meta.url)('better-sqlite3');
    checks.push({ mode: 'simulate', name: 'study store', status: 'ok', detail: 'better-sqlite3 loads' });
  } catch (err) {
    checks.push({
      mode: 'simulate',
      name: 'study store',
      status: 'missing',
      detail: `better-sqlite3 does not load (${(err as Error).message.split('\n')[0]})`,
      install: `${apt('build-essential', 'python3')}, then reinstall e2ctwin (npm i -g e2ctwin)`,
    });
  }
  return checks;
}

/** CAP_NET_ADMIN is bit 12 of the effective capability set. */
function hasNetAdmin(): boolean {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & (1n << 12n)) !== 0n;
  } catch {
    return false;
  }
}

function liveChecks(): Check[] {
  const root = process.getuid?.() === 0;
  const privileged = root || hasNetAdmin();
  const checks: Check[] = [
    privileged
      ? { mode: 'live', name: 'root or CAP_NET_ADMIN', status: 'ok', detail: root ? 'root' : 'CAP_NET_ADMIN' }
      : {
          mode: 'live',
          name: 'root or CAP_NET_ADMIN',
          status: 'missing',
          detail: 'network namespaces and sshd need it',
          install: 'run e2ctwin live as root (sudo)',
        },
  ];
  const ip = onPath('ip');
  const netns = ip ? spawnSync(ip, ['netns', 'list'], { encoding: 'utf8' }) : undefined;
  checks.push(
    netns?.status === 0
      ? { mode: 'live', name: 'ip netns', status: 'ok', detail: `${ip} netns list works` }
      : {
          mode: 'live',
          name: 'ip netns',
          status: 'missing',
          detail: ip
            ? `${ip} netns list failed: ${(netns?.stderr ?? '').trim().split('\n')[0]}`
            : 'ip not on PATH',
          install: apt('iproute2'),
        },
  );
  checks.push(command('live', 'nft', 'nftables', 'loss and firewall rules in the kernel'));
  checks.push(command('live', 'tc', 'iproute2', 'rate limits in the kernel'));
  checks.push(netemCheck(privileged));
  checks.push(command('live', 'sshd', 'openssh-server', 'an sshd per emulated host'));
  checks.push(command('live', 'ssh-keygen', 'openssh-client', "the hosts' keys"));
  checks.push(command('live', 'unshare', 'util-linux', 'a hostname per emulated host'));
  checks.push(command('live', 'socat', 'socat', 'the bridges to the hosts and the userspace links'));
  checks.push(command('live', 'dockerd', 'docker.io', 'only for testbeds that run containers', true));
  return checks;
}

/**
 * Whether the kernel has sch_netem: a netem qdisc added on lo inside an anonymous network namespace
 * (`unshare --net`), which disappears with the probe process.
 */
function netemCheck(privileged: boolean): Check {
  const name = 'sch_netem';
  const fallback =
    'live mode delays packets in its userspace switch instead (TAP devices through socat to a Node wire, dist/live/switch.js); rate and loss stay in the kernel (tbf/htb, nft)';
  const unshare = onPath('unshare');
  const tc = onPath('tc');
  if (!privileged || !unshare || !tc)
    return {
      mode: 'live',
      name,
      status: 'unknown',
      detail: `not checked (needs root, unshare and tc); where absent, ${fallback}`,
    };
  const r = spawnSync(unshare, ['--net', tc, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], {
    encoding: 'utf8',
  });
  return r.status === 0
    ? { mode: 'live', name, status: 'ok', detail: 'tc netem works (delay, rate and loss in the kernel)' }
    : {
        mode: 'live',
        name,
        status: 'fallback',
        detail: `not in this kernel (${r.stderr.trim().split('\n')[0] || `tc exit ${r.status}`}): ${fallback}`,
        install:
          'a kernel with CONFIG_NET_SCH_NETEM (nothing to install for e2ctwin: the fallback is automatic)',
      };
}

/** Whether 127.0.0.1 accepts a listener on `port` (0: any free port); resolves to the port or an error. */
function tryListen(port: number): Promise<number | Error> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err) => resolve(err));
    srv.listen(port, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

async function browserChecks(): Promise<Check[]> {
  const any = await tryListen(0);
  const dflt = await tryListen(8080);
  const checks: Check[] = [
    typeof any === 'number'
      ? {
          mode: 'browser',
          name: 'free port',
          status: 'ok',
          detail: `127.0.0.1 listens (port ${any}); serve's default 8080 is ${typeof dflt === 'number' ? 'free' : 'in use: pass --port 0 or another port'}`,
        }
      : {
          mode: 'browser',
          name: 'free port',
          status: 'missing',
          detail: `cannot listen on 127.0.0.1: ${any.message}`,
        },
  ];
  const chromium = ['chromium', 'chromium-browser', 'google-chrome'].map(onPath).find(Boolean);
  checks.push(
    chromium
      ? { mode: 'browser', name: 'chromium', status: 'ok', detail: `${chromium} (the browser tests)` }
      : {
          mode: 'browser',
          name: 'chromium',
          status: 'optional',
          detail: "not on PATH: only e2ctwin's own browser tests drive it; any browser shows the view",
          install: apt('chromium'),
        },
  );
  return checks;
}

/** PING over a plain TCP connection (RESP inline command): +PONG, or the reason it did not come. */
function redisPing(url: string): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve(`not a URL: ${url}`);
  }
  if (u.protocol !== 'redis:') return Promise.resolve(`only redis:// URLs are checked (${u.protocol})`);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    let got = '';
    const done = (why: string | undefined) => {
      sock.destroy();
      resolve(why);
    };
    sock.setTimeout(3000, () => done('no answer within 3 s'));
    sock.on('error', (err) => done(err.message));
    sock.on('connect', () => {
      const auth = u.password
        ? `AUTH ${u.username ? `${decodeURIComponent(u.username)} ` : ''}${decodeURIComponent(u.password)}\r\n`
        : '';
      sock.write(`${auth}PING\r\n`);
    });
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('+PONG')) done(undefined);
      else if (got.startsWith('-')) done(got.split('\r\n')[0]!.slice(1));
    });
  });
}

async function distributedChecks(redis: string | undefined): Promise<Check[]> {
  const checks: Check[] = [
    command(
      'distributed',
      'redis-server',
      'redis-server',
      redis ? 'a Redis is given by --redis' : 'only to host the queue on this machine; or pass --redis URL',
      true,
    ),
  ];
  if (redis !== undefined) {
    const why = await redisPing(redis);
    checks.push(
      why === undefined
        ? { mode: 'distributed', name: 'redis reachable', status: 'ok', detail: `${redis} answers PING` }
        : {
            mode: 'distributed',
            name: 'redis reachable',
            status: 'missing',
            detail: `${redis}: ${why}`,
            install: `start one: ${apt('redis-server')}; redis-server --port 6379 --bind 127.0.0.1`,
          },
    );
  }
  return checks;
}

/** Runs the checks of the given modes, in mode order. */
export async function runDoctor(opts: DoctorOptions): Promise<Check[]> {
  const out: Check[] = [];
  for (const mode of DOCTOR_MODES) {
    if (!opts.modes.includes(mode)) continue;
    if (mode === 'simulate') out.push(...simulateChecks());
    if (mode === 'live') out.push(...liveChecks());
    if (mode === 'browser') out.push(...(await browserChecks()));
    if (mode === 'distributed') out.push(...(await distributedChecks(opts.redis)));
  }
  return out;
}
