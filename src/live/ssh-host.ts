import { posix } from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import { LiveError, LiveErrorCode } from './errors.js';
import type { Journal } from './journal.js';
import type { RunResult } from './proc.js';
import { ENV_NAME, shellJoin, shellQuote } from './shell.js';
import type { LiveHost, StartSpec } from './target.js';

type Client = InstanceType<typeof ssh2.Client>;
type ConnectConfig = Parameters<Client['connect']>[0];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects an ssh2 client, retrying while the server is not up yet. */
export async function connectSsh(config: () => ConnectConfig, what: string, attempts = 20): Promise<Client> {
  let last: Error | undefined;
  for (let i = 0; i < attempts; i++) {
    const c = new ssh2.Client();
    try {
      await new Promise<void>((resolve, reject) => {
        c.once('ready', () => resolve());
        // Errors after the connection is up are reported by the next use of the client.
        c.on('error', reject);
        c.connect({ readyTimeout: 10_000, keepaliveInterval: 5000, ...config() });
      });
      return c;
    } catch (e) {
      last = e as Error;
      c.end();
      await sleep(150);
    }
  }
  // The message names the host, never the key or password.
  throw new LiveError(
    LiveErrorCode.HOST,
    `cannot connect to ${what} over SSH: ${last?.message ?? 'unknown error'}`,
    { host: what },
  );
}

/**
 * A host reached over SSH (ssh2): commands, SFTP, background processes, port forwarding. Used by the
 * ssh provider for existing machines and by the local provider for its namespaces (whose sshd is
 * reached through a Unix-socket bridge), so both exercise the same remote path.
 */
export class SshHost implements LiveHost {
  #sftp: ssh2.SFTPWrapper | undefined;

  constructor(
    readonly name: string,
    readonly address: string,
    readonly workDir: string,
    readonly client: Client,
    readonly journal: Journal | undefined,
  ) {}

  exec(
    argv: readonly string[],
    options: { input?: string | Buffer; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    return this.execRaw(shellJoin(argv), options);
  }

  async check(
    argv: readonly string[],
    options: { input?: string | Buffer; timeoutMs?: number } = {},
  ): Promise<string> {
    const r = await this.exec(argv, options);
    if (r.code !== 0)
      throw new LiveError(
        LiveErrorCode.COMMAND,
        `${this.name}: \`${argv.join(' ')}\` exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`,
        { host: this.name, argv, code: r.code },
      );
    return r.stdout;
  }

  /** Runs a command line already quoted for the remote shell. */
  execRaw(
    command: string,
    options: { input?: string | Buffer; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, ch) => {
        if (err)
          return reject(
            new LiveError(LiveErrorCode.HOST, `${this.name}: ${err.message}`, { host: this.name }),
          );
        let stdout = '';
        let stderr = '';
        let code: number | undefined;
        let timer: NodeJS.Timeout | undefined;
        if (options.timeoutMs) {
          timer = setTimeout(() => {
            ch.close();
            reject(
              new LiveError(
                LiveErrorCode.COMMAND,
                `${this.name}: command timed out after ${options.timeoutMs} ms`,
                { host: this.name },
              ),
            );
          }, options.timeoutMs);
        }
        ch.on('data', (d: Buffer) => (stdout += d.toString()));
        ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        ch.on('exit', (c: number | null, signal?: string) => (code = c ?? (signal ? 128 : 1)));
        ch.on('close', () => {
          if (timer) clearTimeout(timer);
          resolve({ code: code ?? 255, stdout, stderr });
        });
        if (options.input !== undefined) ch.end(options.input);
        else ch.end();
      });
    });
  }

  async #sftpSession(): Promise<ssh2.SFTPWrapper> {
    if (this.#sftp) return this.#sftp;
    this.#sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) =>
      this.client.sftp((err, s) => (err ? reject(err) : resolve(s))),
    );
    return this.#sftp;
  }

  #abs(file: string): string {
    return posix.isAbsolute(file) ? file : posix.join(this.workDir, file);
  }

  async writeFile(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
    const p = this.#abs(file);
    await this.check(['mkdir', '-p', posix.dirname(p)]);
    const sftp = await this.#sftpSession();
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(p, content, { mode }, (err) =>
        err
          ? reject(new LiveError(LiveErrorCode.HOST, `${this.name}: writing ${p}: ${err.message}`))
          : resolve(),
      ),
    );
    await new Promise<void>((resolve) => sftp.chmod(p, mode, () => resolve()));
  }

  async readFile(file: string): Promise<Buffer> {
    const p = this.#abs(file);
    const sftp = await this.#sftpSession();
    return new Promise((resolve, reject) =>
      sftp.readFile(p, (err: Error | undefined, data: Buffer) =>
        err
          ? reject(new LiveError(LiveErrorCode.HOST, `${this.name}: reading ${p}: ${err.message}`))
          : resolve(data),
      ),
    );
  }

  /** The remote command line that starts `spec` detached in its own session and prints its PID. */
  static launcher(spec: StartSpec): string {
    const env = Object.entries(spec.env ?? {});
    for (const [k] of env)
      if (!ENV_NAME.test(k))
        throw new LiveError(LiveErrorCode.PLAN, `environment variable name "${k}" is not valid`);
    const path = (spec.path ?? []).map((p) => `${shellQuote(p)}:`).join('');
    const argv = [...(env.length > 0 ? ['env', ...env.map(([k, v]) => `${k}=${v}`)] : []), ...spec.argv];
    // setsid: the process leads its own session and group (stopped as a group; no SIGHUP when SSH goes).
    return `cd ${shellQuote(spec.cwd)} && PATH=${path}"$PATH" && export PATH && { setsid ${shellJoin(argv)} >${shellQuote(spec.stdout)} 2>${shellQuote(spec.stderr)} </dev/null & echo $!; }`;
  }

  async start(spec: StartSpec): Promise<number> {
    await this.check(['mkdir', '-p', spec.cwd]);
    const r = await this.execRaw(SshHost.launcher(spec));
    const pid = Number(r.stdout.trim());
    if (r.code !== 0 || !Number.isInteger(pid) || pid <= 0)
      throw new LiveError(
        LiveErrorCode.SERVICE,
        `${this.name}: could not start ${spec.what}: ${r.stderr.trim()}`,
        { host: this.name },
      );
    await this.recordProcess(pid, spec.what);
    return pid;
  }

  /** Journals a started process (the local provider overrides this: its hosts share the controller's PIDs). */
  protected async recordProcess(pid: number, what: string): Promise<void> {
    this.journal?.record({ kind: 'remote-process', host: this.name, pid, what });
  }

  async alive(pid: number): Promise<boolean> {
    const r = await this.exec(['cat', `/proc/${pid}/stat`]);
    if (r.code !== 0) return false;
    const state = r.stdout.slice(r.stdout.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z';
  }

  async stop(pid: number, graceMs = 3000): Promise<void> {
    // `kill -SIG -PID` signals the process group (dash has no `--`); the process leads its group (setsid).
    const script =
      'p=$1; g=$2; kill -TERM -"$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; i=0; while [ $i -lt "$g" ] && kill -0 -"$p" 2>/dev/null; do sleep 0.05; i=$((i+1)); done; kill -KILL -"$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; true';
    await this.exec(['sh', '-c', script, 'sh', String(pid), String(Math.ceil(graceMs / 50))]);
  }

  connect(port: number, address = '127.0.0.1'): Promise<Duplex> {
    return new Promise((resolve, reject) =>
      this.client.forwardOut('127.0.0.1', 0, address, port, (err, ch) =>
        err
          ? reject(
              new LiveError(
                LiveErrorCode.HOST,
                `${this.name}: cannot open ${address}:${port}: ${err.message}`,
              ),
            )
          : resolve(ch),
      ),
    );
  }

  connectUnix(socketPath: string): Promise<Duplex> {
    return new Promise((resolve, reject) =>
      this.client.openssh_forwardOutStreamLocal(socketPath, (err, ch) =>
        err
          ? reject(
              new LiveError(LiveErrorCode.HOST, `${this.name}: cannot open ${socketPath}: ${err.message}`),
            )
          : resolve(ch),
      ),
    );
  }

  async close(): Promise<void> {
    this.#sftp?.end();
    this.client.end();
  }
}
