import { createReadStream, existsSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { LiveError, LiveErrorCode } from './errors.js';
import type { Journal } from './journal.js';

/**
 * A Docker engine on one testbed host, through dockerode: a local socket (the local provider's per-host
 * dockerd) or a local socket forwarded over SSH to the host's engine (ssh provider). Containers share
 * the host's network (NetworkMode host), so they get the host's address and its emulated links.
 */
export class DockerEngine {
  readonly docker: Docker;

  constructor(
    readonly host: string,
    readonly socketPath: string,
  ) {
    this.docker = new Docker({ socketPath });
  }

  async version(): Promise<string> {
    const v = await this.docker.version();
    return `${v.Version} (API ${v.ApiVersion})`;
  }

  /** `docker import` of a root filesystem tarball, with an optional CMD. */
  async importImage(tar: string, name: string, cmd?: readonly string[]): Promise<void> {
    const [repo, tag] = name.includes(':')
      ? [name.slice(0, name.lastIndexOf(':')), name.slice(name.lastIndexOf(':') + 1)]
      : [name, 'latest'];
    const stream = await this.docker.importImage(createReadStream(tar), {
      repo,
      tag,
      ...(cmd ? { changes: [`CMD ${JSON.stringify(cmd)}`] } : {}),
    });
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
        const failed = out?.find((o) => o.error);
        if (err || failed)
          reject(
            new LiveError(
              LiveErrorCode.SERVICE,
              `${this.host}: importing ${name}: ${err?.message ?? failed?.error}`,
            ),
          );
        else resolve();
      }),
    );
  }

  /** Creates and starts a container (journaled before it starts); returns its id. */
  async run(options: {
    name: string;
    image: string;
    env: Record<string, string>;
    runId: string;
    journal?: Journal;
    socketForJournal?: string;
  }): Promise<string> {
    const c = await this.docker.createContainer({
      name: options.name,
      Image: options.image,
      Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`),
      Labels: { 'e2ctwin.run': options.runId },
      HostConfig: { NetworkMode: 'host', AutoRemove: false },
    });
    options.journal?.record({
      kind: 'container',
      host: this.host,
      id: c.id,
      ...(options.socketForJournal ? { socket: options.socketForJournal } : {}),
    });
    await c.start();
    return c.id;
  }

  async running(id: string): Promise<boolean> {
    try {
      return (await this.docker.getContainer(id).inspect()).State.Running;
    } catch {
      return false;
    }
  }

  async logs(id: string): Promise<{ stdout: string; stderr: string }> {
    const buf = (await this.docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    // Multiplexed stream: 8-byte headers (stream type, length).
    let stdout = '';
    let stderr = '';
    for (let i = 0; i + 8 <= buf.length; ) {
      const len = buf.readUInt32BE(i + 4);
      const part = buf.subarray(i + 8, i + 8 + len).toString();
      if (buf[i] === 2) stderr += part;
      else stdout += part;
      i += 8 + len;
    }
    return { stdout, stderr };
  }

  /** Kills a container and keeps it (a timed `stop` event, a crash: its logs stay, a `restart` starts it again). */
  async kill(id: string): Promise<void> {
    await this.docker.getContainer(id).kill();
  }

  /**
   * The host's process id of a running container's first process (0 when it is not running). It leads the
   * container's PID namespace: when it dies, the kernel kills every other process of the container.
   */
  async pid(id: string): Promise<number> {
    const st = (await this.docker.getContainer(id).inspect()).State;
    return st.Running ? st.Pid : 0;
  }

  /** Waits until the engine has seen the container's end (at once if it is not running). */
  async waitStopped(id: string): Promise<void> {
    await this.docker.getContainer(id).wait({ condition: 'not-running' });
  }

  async start(id: string): Promise<void> {
    await this.docker.getContainer(id).start();
  }

  async remove(id: string): Promise<void> {
    const c = this.docker.getContainer(id);
    try {
      await c.stop({ t: 3 });
    } catch {
      /* not running */
    }
    await c.remove({ force: true });
  }
}

/** Removes a journaled container; a vanished engine socket means its engine (and the container) is gone. */
export async function removeContainer(socket: string, id: string): Promise<void> {
  if (!existsSync(socket)) return;
  try {
    await new DockerEngine('', socket).remove(id);
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return;
    throw e;
  }
}

/** A local Unix socket whose connections are carried to a socket on a remote host (over SSH). */
export async function forwardUnixSocket(localPath: string, open: () => Promise<Duplex>): Promise<net.Server> {
  const server = net.createServer((local) => {
    open().then(
      (remote) => {
        local.pipe(remote).pipe(local);
        remote.on('error', () => local.destroy());
        local.on('error', () => remote.destroy());
      },
      () => local.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(localPath, () => resolve());
  });
  return server;
}
