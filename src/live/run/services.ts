import http from 'node:http';
import { posix } from 'node:path';
import type { Duplex } from 'node:stream';
import { DockerEngine } from '../docker.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import type { PlanProcess } from '../plan/types.js';
import type { LiveHost } from '../target.js';
import { sleep, type RunState } from './state.js';
import type { Running } from './types.js';

// Starting the plan's processes (services in the apply phase, workload drivers in the drive phase) and
// watching them: alive, ready, their last lines of error output.

/** Runs an e2ctwin command on a host with the run's bin/ first on PATH (foreground). */
export function e2c(host: LiveHost, argv: string[]): string[] {
  return ['sh', '-c', 'PATH="$1/bin:$PATH"; export PATH; shift; exec "$@"', 'sh', host.workDir, ...argv];
}

/** The Docker engine of `host` (the testbed makes one reachable, or the run cannot use images). */
export function engineOf(s: RunState, host: string): DockerEngine {
  const ph = s.plan.hosts.find((h) => h.name === host)!;
  const socket = s.target!.dockerSocket(ph);
  if (!socket)
    throw new LiveError(
      LiveErrorCode.REQUIREMENT,
      `no Docker engine reachable on ${host} (testbed docker.enabled for the local provider; docker.socket for ssh)`,
      { host },
    );
  return new DockerEngine(host, socket);
}

/** Starts process `p` of the plan (a container when it has an image); a service is waited for until ready. */
export async function startProcess(
  s: RunState,
  p: PlanProcess,
  extraEnv: Record<string, string> = {},
): Promise<Running> {
  const host = s.hosts.get(p.host)!;
  const dir = posix.join(host.workDir, p.dir);
  let r: Running;
  if (p.image) {
    const engine = engineOf(s, p.host);
    const ph = s.plan.hosts.find((h) => h.name === p.host)!;
    const id = await s.guard(
      engine.run({
        name: `e2ctwin-${s.plan.runId}-${p.service.replace(/[^\w.-]/g, '_')}`,
        image: p.image,
        env: { ...p.env, ...extraEnv },
        runId: s.plan.runId,
        journal: s.journal!,
        socketForJournal: s.target!.dockerSocket(ph)!,
      }),
    );
    r = { proc: p, host, container: id, engine };
  } else {
    const pid = await s.guard(
      host.start({
        argv: p.argv,
        env: { ...p.env, ...extraEnv },
        cwd: dir,
        stdout: posix.join(dir, 'out.log'),
        stderr: posix.join(dir, 'err.log'),
        path: [posix.join(host.workDir, 'bin')],
        what: p.id,
      }),
    );
    r = { proc: p, host, pid };
  }
  s.running.push(r);
  if (p.kind === 'service') {
    await s.guard(waitReady(s, r));
    s.log(
      `service ${p.id} ready${p.port ? ` on ${host.address}:${p.port}` : ''}${p.image ? ` (container ${r.container!.slice(0, 12)}, image ${p.image})` : ` (pid ${r.pid})`}`,
    );
  }
  return r;
}

export async function isAlive(r: Running): Promise<boolean> {
  if (r.container) return r.engine!.running(r.container);
  return r.host.alive(r.pid!);
}

/** The last lines of a process's error output (for messages), empty when there is none. */
export async function errorTail(r: Running): Promise<string> {
  try {
    if (r.container)
      return (await r.engine!.logs(r.container)).stderr.trim().split('\n').slice(-5).join(' / ');
    return (await r.host.readFile(posix.join(r.host.workDir, r.proc.dir, 'err.log')))
      .toString()
      .trim()
      .split('\n')
      .slice(-5)
      .join(' / ');
  } catch {
    return '';
  }
}

/** Waits until a started service answers its health check (a located error when it exits or times out). */
export async function waitReady(s: RunState, r: Running): Promise<void> {
  const { proc: p, host } = r;
  const deadline = Date.now() + p.health.timeoutS * 1000;
  let last = '';
  while (Date.now() < deadline) {
    s.check();
    if (!(await isAlive(r)))
      throw new LiveError(
        LiveErrorCode.SERVICE,
        `${p.id} exited before it was ready: ${(await errorTail(r)) || 'no output'}`,
        { service: p.service, host: p.host },
      );
    try {
      if (p.health.command) {
        const c = await host.exec(['sh', '-c', p.health.command]);
        if (c.code === 0) return;
        last = `health command exited with ${c.code}`;
      } else if (p.health.path && p.port) {
        const status = await httpGet(await host.connect(p.port, host.address), host.address, p.health.path);
        if (status >= 200 && status < 300) return;
        last = `GET ${p.health.path} answered ${status}`;
      } else if (p.port) {
        (await host.connect(p.port, host.address)).destroy();
        return;
      } else return;
    } catch (e) {
      last = (e as Error).message;
    }
    // Polled often: a service is usually ready within a few hundred ms of its start.
    await sleep(50);
  }
  throw new LiveError(LiveErrorCode.SERVICE, `${p.id} not ready after ${p.health.timeoutS} s (${last})`, {
    service: p.service,
    host: p.host,
  });
}

function httpGet(stream: Duplex, host: string, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { method: 'GET', path: p, headers: { host }, createConnection: () => stream as never, timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
