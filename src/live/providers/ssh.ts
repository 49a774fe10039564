import { mkdirSync, readFileSync } from 'node:fs';
import type net from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { connect as netConnect } from 'node:net';
import { forwardUnixSocket } from '../docker.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import type { Journal } from '../journal.js';
import type { LivePlan, PlanHost } from '../plan/types.js';
import { connectSsh, SshHost } from '../ssh-host.js';
import type { LiveHost, LiveTarget, TargetCapabilities } from '../target.js';
import type { SshTestbed } from '../testbed/schema.js';

type HostDef = SshTestbed['hosts'][number];
type Client = Awaited<ReturnType<typeof connectSsh>>;

const expand = (p: string) => (p.startsWith('~/') ? path.join(homedir(), p.slice(2)) : p);

/**
 * Existing machines (reserved Grid'5000 nodes, cloud VMs) listed in the testbed with their SSH access:
 * address, port, user, key file or password, an optional jump host (an access machine) or a Unix-socket
 * bridge. Commands and files go over ssh2 (exec, SFTP); Docker engines are reached through their socket
 * forwarded over SSH. Host keys are accepted as EnOSlib does (StrictHostKeyChecking=no).
 */
export class SshTarget implements LiveTarget {
  readonly provider = 'ssh' as const;
  readonly #clients = new Map<string, Client>();
  readonly #hosts = new Map<string, SshHost>();
  readonly #forwards: net.Server[] = [];
  readonly #dockerSockets = new Map<string, string>();
  #plan: LivePlan | undefined;

  constructor(
    readonly testbed: SshTestbed,
    readonly stateDir: string,
  ) {}

  /** An SSH client for a host of the testbed (through its jump host when it has one). */
  async client(name: string, seen = new Set<string>()): Promise<Client> {
    const existing = this.#clients.get(name);
    if (existing) return existing;
    const def = this.testbed.hosts.find((h) => h.name === name);
    if (!def) throw new LiveError(LiveErrorCode.TESTBED, `no host ${name} in the testbed`);
    if (seen.has(name)) throw new LiveError(LiveErrorCode.TESTBED, `jump hosts form a cycle at ${name}`);
    seen.add(name);
    const s = def.ssh;
    const target = s.host ?? def.address ?? name;
    const jump = s.jump ? await this.client(s.jump, seen) : undefined;
    const auth = {
      username: s.user,
      ...(s.key ? { privateKey: readFileSync(expand(s.key)) } : {}),
      ...(s.password !== undefined ? { password: s.password } : {}),
    };
    const c = await connectSsh(
      () => ({
        host: target,
        port: s.port,
        ...auth,
        hostVerifier: () => true,
        ...(s.unixSocket ? { sock: netConnect(s.unixSocket) } : {}),
      }),
      name,
      jump ? 1 : 3,
    ).catch(async (e) => {
      if (!jump) throw e;
      // Through the jump host: a direct-tcpip channel to the target's sshd.
      const sock = await new Promise<net.Socket>((resolve, reject) =>
        jump.forwardOut('127.0.0.1', 0, target, s.port, (err, ch) =>
          err ? reject(err) : resolve(ch as unknown as net.Socket),
        ),
      );
      return connectSsh(() => ({ ...auth, hostVerifier: () => true, sock }), name, 1);
    });
    this.#clients.set(name, c);
    return c;
  }

  async provision(plan: LivePlan, journal: Journal, log: (line: string) => void): Promise<LiveHost[]> {
    this.#plan = plan;
    journal.record({ kind: 'dir', path: this.stateDir });
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    const hosts = await Promise.all(
      plan.hosts.map(async (h) => {
        const def = this.#def(h.name);
        if (def.ssh.jump) {
          // Jump hosts connect first; their clients are shared.
          await this.client(def.ssh.jump);
        }
        const c = await this.client(h.name);
        const host = new SshHost(h.name, h.address, h.workDir, c, journal);
        journal.record({ kind: 'remote-dir', host: h.name, path: h.workDir });
        await host.check(['mkdir', '-p', h.workDir]);
        this.#hosts.set(h.name, host);
        return host;
      }),
    );
    log(`ssh: connected to ${hosts.map((h) => h.name).join(', ')}`);
    for (const h of plan.hosts.filter((x) => plan.processes.some((p) => p.host === x.name && p.image))) {
      const local = path.join(this.stateDir, `docker-${h.name}.sock`);
      const host = this.#hosts.get(h.name)!;
      this.#forwards.push(await forwardUnixSocket(local, () => host.connectUnix(this.testbed.docker.socket)));
      this.#dockerSockets.set(h.name, local);
    }
    return hosts;
  }

  #def(name: string): HostDef {
    return this.testbed.hosts.find((h) => h.name === name)!;
  }

  host(name: string): SshHost | undefined {
    return this.#hosts.get(name);
  }

  async capabilities(): Promise<TargetCapabilities> {
    const first = this.#plan?.hosts[0];
    let netem = false;
    if (first) {
      const h = this.#hosts.get(first.name)!;
      const dev = `e2cp${this.#plan!.runId}`;
      const r = await h.exec([
        'sh',
        '-c',
        'ip link add "$1" type dummy && tc qdisc add dev "$1" root netem delay 1ms; s=$?; ip link del "$1"; exit $s',
        'sh',
        dev,
      ]);
      netem = r.code === 0;
    }
    return { netem, userspaceDelay: false, docker: this.#dockerSockets.size > 0 };
  }

  async setDelays(delays: readonly { src: string; dst: string; delayMs: number }[]): Promise<void> {
    if (delays.some((d) => d.delayMs > 0))
      throw new LiveError(
        LiveErrorCode.REQUIREMENT,
        'the ssh provider has no userspace delay path: delay needs tc netem on the hosts',
      );
  }

  dockerSocket(host: PlanHost): string | undefined {
    return this.#dockerSockets.get(host.name);
  }

  async close(): Promise<void> {
    for (const f of this.#forwards) f.close();
    for (const h of this.#hosts.values()) await h.close();
    for (const c of this.#clients.values()) c.end();
  }
}
