import dgram from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { LiveError, LiveErrorCode } from '../errors.js';
import type { Journal } from '../journal.js';
import { distFile } from '../paths.js';
import type { LivePlan, PlanHost } from '../plan/types.js';
import {
  haveCommand,
  isAlive,
  processStartTime,
  run,
  runsRealtime,
  spawnDetached,
  stopProcess,
} from '../proc.js';
import { connectSsh, SshHost } from '../ssh-host.js';
import type { LiveHost, LiveTarget, TargetCapabilities } from '../target.js';

const SSHD = '/usr/sbin/sshd';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  what: string,
  ok: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await sleep(20);
  }
  throw new LiveError(LiveErrorCode.HOST, `timed out waiting for ${what}`);
}

/** `n` distinct free UDP ports on 127.0.0.1 (all bound at once, then released). */
async function freeUdpPorts(n: number): Promise<number[]> {
  const socks = Array.from({ length: n }, () => dgram.createSocket('udp4'));
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
  const ports = socks.map((s) => s.address().port);
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** A namespace host: its processes share the controller's PID space, so they are journaled (and stopped) locally too. */
class LocalHost extends SshHost {
  protected override async recordProcess(pid: number, what: string): Promise<void> {
    this.journal?.record({
      kind: 'process',
      pid,
      start: processStartTime(pid) ?? 0,
      what: `${what} on ${this.name}`,
      group: true,
    });
  }

  override async alive(pid: number): Promise<boolean> {
    return isAlive(pid);
  }

  override async stop(pid: number, graceMs = 3000): Promise<void> {
    await stopProcess(pid, processStartTime(pid), { graceMs, group: true });
  }
}

/**
 * Builds the testbed's hosts on this machine: a network namespace per host, an sshd in each (keys made
 * for the run) reached through a Unix-socket bridge — the root namespace gets no testbed address — and
 * a TAP device per host wired to a userspace switch (the delay path; rate and loss go to the kernel
 * inside the namespaces). Needs root, iproute2, socat and openssh-server.
 */
export class LocalTarget implements LiveTarget {
  readonly provider = 'local' as const;
  #hosts: LocalHost[] = [];
  #plan: LivePlan | undefined;
  #control = 0;
  #dockerSockets = new Map<string, string>();
  #caps: TargetCapabilities | undefined;

  constructor(
    readonly stateDir: string,
    readonly options: { docker?: boolean; storageDriver?: 'vfs' | 'overlay2' } = {},
  ) {}

  static async requirements(docker = false): Promise<string[]> {
    const missing: string[] = [];
    if (process.getuid?.() !== 0) missing.push('root (network namespaces and sshd need it)');
    for (const cmd of [
      'ip',
      'tc',
      'socat',
      'ssh-keygen',
      'unshare',
      SSHD,
      ...(docker ? ['dockerd', 'nsenter'] : []),
    ]) {
      if (!(await haveCommand(cmd))) missing.push(cmd === SSHD ? `${SSHD} (openssh-server)` : cmd);
    }
    return missing;
  }

  async provision(plan: LivePlan, journal: Journal, log: (line: string) => void): Promise<LiveHost[]> {
    this.#plan = plan;
    const missing = await LocalTarget.requirements(this.options.docker);
    if (missing.length > 0)
      throw new LiveError(LiveErrorCode.REQUIREMENT, `the local provider needs: ${missing.join(', ')}`, {
        missing,
      });
    const dir = this.stateDir;
    if (existsSync(dir))
      throw new LiveError(LiveErrorCode.HOST, `${dir} already exists (another run with the same id?)`);
    journal.record({ kind: 'dir', path: dir });
    mkdirSync(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
    if (!existsSync('/run/sshd')) {
      journal.record({ kind: 'empty-dirs', paths: ['/run/sshd'] }); // an empty folder sshd needs; removed if we made it
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    }
    const key = path.join(dir, 'keys', 'client_ed25519');
    const hostKey = path.join(dir, 'keys', 'host_ed25519');
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `e2ctwin-${plan.runId}`, '-f', key]);
    await run([
      'ssh-keygen',
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      `e2ctwin-${plan.runId}-host`,
      '-f',
      hostKey,
    ]);
    const authorized = path.join(dir, 'keys', 'authorized_keys');
    writeFileSync(authorized, readFileSync(`${key}.pub`), { mode: 0o600 });

    // Namespaces.
    for (const h of plan.hosts) {
      journal.record({ kind: 'netns', name: h.netns! });
      await run(['ip', 'netns', 'add', h.netns!]);
      await run(['ip', '-n', h.netns!, 'link', 'set', 'lo', 'up']);
      mkdirSync(h.workDir, { recursive: true });
    }
    log(`local: ${plan.hosts.length} network namespaces (${plan.hosts.map((h) => h.netns).join(', ')})`);

    // The switch and one TAP per host.
    const ports = await freeUdpPorts(2 * plan.hosts.length + 1);
    const peers = ports.slice(0, plan.hosts.length);
    const listens = ports.slice(plan.hosts.length, 2 * plan.hosts.length);
    this.#control = ports[2 * plan.hosts.length]!;
    const swCfg = path.join(dir, 'switch.json');
    writeFileSync(
      swCfg,
      JSON.stringify({
        ports: plan.hosts.map((_, i) => ({ listen: listens[i], peer: peers[i] })),
        control: this.#control,
        delays: plan.hosts.map(() => plan.hosts.map(() => 0)),
      }),
    );
    const swOut = path.join(dir, 'switch.out');
    const sw = spawnDetached(
      [process.execPath, distFile('live/switch.js'), swCfg],
      swOut,
      path.join(dir, 'switch.err'),
    );
    journal.record({ kind: 'process', pid: sw.pid, start: sw.start, what: 'userspace switch' });
    await waitFor(
      'the userspace switch',
      () => existsSync(swOut) && readFileSync(swOut, 'utf8').includes('ready'),
    );
    for (const [i, h] of plan.hosts.entries()) {
      const tap = h.interface;
      const errFile = path.join(dir, `tap-${h.name}.err`);
      // The TAP device lives as long as its socat: a socat that ends between the device showing up and
      // its address being set takes the device with it ("Cannot find device", seen now and then on a busy
      // machine). Then its error output says why, and the step is tried again with a new socat.
      for (let attempt = 1; ; attempt++) {
        const p = spawnDetached(
          [
            'socat',
            `TUN,tun-name=${tap},tun-type=tap,iff-no-pi`,
            `UDP4-DATAGRAM:127.0.0.1:${listens[i]},bind=127.0.0.1:${peers[i]}`,
          ],
          path.join(dir, `tap-${h.name}.out`),
          errFile,
        );
        journal.record({ kind: 'process', pid: p.pid, start: p.start, what: `TAP ${tap}` });
        try {
          await waitFor(
            `TAP device ${tap}`,
            async () => (await run(['ip', 'link', 'show', tap], { check: false })).code === 0,
          );
          await run(['ip', 'link', 'set', tap, 'netns', h.netns!]);
          await run(['ip', '-n', h.netns!, 'addr', 'add', `${h.address}/24`, 'dev', tap]);
          await run(['ip', '-n', h.netns!, 'link', 'set', tap, 'up']);
          break;
        } catch (e) {
          const alive = isAlive(p.pid, p.start);
          const why = existsSync(errFile)
            ? readFileSync(errFile, 'utf8').trim().split('\n').slice(-2).join(' / ')
            : '';
          await stopProcess(p.pid, p.start, { graceMs: 500 });
          // Gone with the socat that held it, or still in the namespace (moved, then failed): removed.
          await run(['ip', '-n', h.netns!, 'link', 'del', tap], { check: false });
          await run(['ip', 'link', 'del', tap], { check: false });
          const detail = `${(e as Error).message}; socat ${alive ? 'still running' : 'ended'}${why ? `: ${why}` : ''}`;
          if (attempt >= 3)
            throw new LiveError(LiveErrorCode.HOST, `TAP device ${tap} for ${h.name}: ${detail}`, {
              host: h.name,
            });
          log(`local: TAP device ${tap} for ${h.name} lost (${detail}); trying again`);
        }
      }
    }
    log(
      `local: TAP devices on a userspace switch, hosts ${plan.hosts.map((h) => `${h.name}=${h.address}`).join(', ')}`,
    );

    // sshd per host, reached through a Unix-socket bridge.
    const clients = await Promise.all(
      plan.hosts.map(async (h) => {
        const hdir = path.join(dir, 'ssh', h.name);
        mkdirSync(hdir, { recursive: true, mode: 0o700 });
        const cfg = path.join(hdir, 'sshd_config');
        writeFileSync(
          cfg,
          [
            'Port 22',
            'ListenAddress 0.0.0.0',
            `HostKey ${hostKey}`,
            `PidFile ${path.join(hdir, 'sshd.pid')}`,
            `AuthorizedKeysFile ${authorized}`,
            'PermitRootLogin prohibit-password',
            'PasswordAuthentication no',
            'KbdInteractiveAuthentication no',
            'UsePAM no',
            'StrictModes no',
            'Subsystem sftp internal-sftp',
            'AllowTcpForwarding yes',
            'AllowStreamLocalForwarding yes',
            'MaxSessions 100',
            'MaxStartups 100',
            'LogLevel ERROR',
            '',
          ].join('\n'),
        );
        await run([SSHD, '-t', '-f', cfg]);
        // Its own hostname, and its own mount namespace where root's shell rc is empty: a fresh host, whose
        // commands do not pay for this machine's interactive setup (pyenv, nvm, …) at every SSH exec.
        const rc = path.join(dir, 'keys', 'empty-rc');
        writeFileSync(rc, '');
        const sshd = spawnDetached(
          [
            'ip',
            'netns',
            'exec',
            h.netns!,
            'unshare',
            '--uts',
            '--mount',
            '--propagation',
            'private',
            '--',
            'sh',
            '-c',
            'hostname "$1" && for f in /root/.bashrc /root/.profile; do [ ! -f "$f" ] || mount --bind "$4" "$f"; done && exec "$2" -D -e -f "$3"',
            'sh',
            h.name,
            SSHD,
            cfg,
            rc,
          ],
          path.join(hdir, 'sshd.out'),
          path.join(hdir, 'sshd.log'),
        );
        journal.record({ kind: 'process', pid: sshd.pid, start: sshd.start, what: `sshd of ${h.name}` });
        const sock = path.join(hdir, 'ssh.sock');
        const bridge = spawnDetached(
          [
            'ip',
            'netns',
            'exec',
            h.netns!,
            'socat',
            `UNIX-LISTEN:${sock},fork,unlink-early,mode=600`,
            'TCP4:127.0.0.1:22,nodelay',
          ],
          path.join(hdir, 'bridge.out'),
          path.join(hdir, 'bridge.err'),
        );
        journal.record({
          kind: 'process',
          pid: bridge.pid,
          start: bridge.start,
          what: `SSH bridge of ${h.name}`,
        });
        await waitFor(`the SSH bridge of ${h.name}`, () => existsSync(sock));
        const privateKey = readFileSync(key);
        const client = await connectSsh(
          () => ({ username: 'root', privateKey, sock: net.connect(sock) }),
          h.name,
          50,
        );
        return new LocalHost(h.name, h.address, h.workDir, client, journal);
      }),
    );
    this.#hosts = clients;
    log(
      `local: sshd up on ${clients.length} hosts (reached through Unix-socket bridges, keys made for this run)`,
    );
    if (this.options.docker) await this.#startDockerds(plan, journal, log);
    return clients;
  }

  async #startDockerds(plan: LivePlan, journal: Journal, log: (line: string) => void): Promise<void> {
    const hosts = plan.hosts.filter((h) => plan.processes.some((p) => p.host === h.name && p.image));
    const cgroupRoots = [
      '/sys/fs/cgroup/cpu',
      '/sys/fs/cgroup/memory',
      '/sys/fs/cgroup/pids',
      '/sys/fs/cgroup/devices',
      '/sys/fs/cgroup/cpuset',
      '/sys/fs/cgroup/blkio',
      '/sys/fs/cgroup/freezer',
      '/sys/fs/cgroup/net_cls',
      '/sys/fs/cgroup/perf_event',
      '/sys/fs/cgroup/hugetlb',
      '/sys/fs/cgroup/systemd',
      '/sys/fs/cgroup/unified',
      '/sys/fs/cgroup/cpu,cpuacct',
      '/sys/fs/cgroup/cpuacct',
      '/sys/fs/cgroup/net_cls,net_prio',
      '/sys/fs/cgroup/net_prio',
      '/sys/fs/cgroup/pids',
    ]
      .map((r) => path.join(r, 'docker'))
      .filter((p) => !existsSync(p));
    // dockerd leaves a `docker` cgroup per controller and /run/{docker,containerd}: removed after the run if we made them.
    const runDirs = ['/run/docker', '/run/docker/plugins', '/run/containerd', '/run/containerd/s'].filter(
      (p) => !existsSync(p),
    );
    if (hosts.length > 0)
      journal.record({ kind: 'empty-dirs', paths: [...new Set(cgroupRoots), ...runDirs] });
    await Promise.all(
      hosts.map(async (h) => {
        const d = path.join(this.stateDir, 'docker', h.name);
        mkdirSync(d, { recursive: true, mode: 0o700 });
        journal.record({ kind: 'mounts', under: d });
        const sock = path.join(d, 'docker.sock');
        // A run at real-time priority would pass it on to dockerd and its containers, and runc cannot put a
        // real-time process into the container's cpu cgroup (it has no real-time budget: "write
        // …/cgroup.procs: invalid argument"), so dockerd starts at normal priority then.
        const argv = [
          ...(runsRealtime() ? ['chrt', '--other', '0'] : []),
          'nsenter',
          `--net=/run/netns/${h.netns!}`,
          '--',
          'dockerd',
          '--iptables=false',
          '--ip-forward=false',
          '--ip-masq=false',
          '--bridge=none',
          `--storage-driver=${this.options.storageDriver ?? 'vfs'}`,
          '-H',
          `unix://${sock}`,
          '--data-root',
          path.join(d, 'data'),
          '--exec-root',
          path.join(d, 'exec'),
          '--pidfile',
          path.join(d, 'docker.pid'),
          '--userland-proxy=false',
        ];
        const p = spawnDetached(argv, path.join(d, 'dockerd.out'), path.join(d, 'dockerd.log'));
        journal.record({
          kind: 'process',
          pid: p.pid,
          start: p.start,
          what: `dockerd of ${h.name}`,
          group: false,
        });
        await waitFor(`dockerd of ${h.name}`, () => existsSync(sock), 30_000);
        this.#dockerSockets.set(h.name, sock);
      }),
    );
    if (hosts.length > 0)
      log(
        `local: dockerd on ${hosts.map((h) => h.name).join(', ')} (--iptables=false --ip-forward=false --bridge=none, own roots)`,
      );
  }

  async capabilities(): Promise<TargetCapabilities> {
    if (this.#caps) return this.#caps;
    const h = this.#plan?.hosts[0];
    let netem = false;
    if (h?.netns) {
      // A throwaway dummy device: the probe touches nothing the run uses.
      const dev = `e2cp${this.#plan!.runId}`;
      await run(['ip', '-n', h.netns, 'link', 'add', dev, 'type', 'dummy'], { check: false });
      const r = await run(
        ['tc', '-n', h.netns, 'qdisc', 'add', 'dev', dev, 'root', 'netem', 'delay', '1ms'],
        { check: false },
      );
      netem = r.code === 0;
      await run(['ip', '-n', h.netns, 'link', 'del', dev], { check: false });
    }
    this.#caps = { netem, userspaceDelay: true, docker: this.#dockerSockets.size > 0 };
    return this.#caps;
  }

  async setDelays(delays: readonly { src: string; dst: string; delayMs: number }[]): Promise<void> {
    const hosts = this.#plan!.hosts;
    const m = hosts.map(() => hosts.map(() => 0));
    for (const d of delays) {
      const i = hosts.findIndex((h) => h.name === d.src);
      const j = hosts.findIndex((h) => h.name === d.dst);
      if (i >= 0 && j >= 0) m[i]![j] = Math.max(0, d.delayMs);
    }
    const sock = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new LiveError(LiveErrorCode.HOST, 'the userspace switch did not answer')),
          3000,
        );
        sock.on('message', (msg) => {
          clearTimeout(timer);
          if (msg.toString() === 'ok') resolve();
          else reject(new LiveError(LiveErrorCode.HOST, `userspace switch: ${msg.toString()}`));
        });
        sock.send(JSON.stringify({ delays: m }), this.#control, '127.0.0.1');
      });
    } finally {
      sock.close();
    }
  }

  dockerSocket(host: PlanHost): string | undefined {
    return this.#dockerSockets.get(host.name);
  }

  async close(): Promise<void> {
    await Promise.all(this.#hosts.map((h) => h.close()));
  }
}
