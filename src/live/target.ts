import type { Duplex } from 'node:stream';
import type { Journal } from './journal.js';
import type { LivePlan, PlanHost } from './plan/types.js';
import type { RunResult } from './proc.js';

/** How a background process is started on a host. */
export interface StartSpec {
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Working directory (absolute). */
  cwd: string;
  /** Files for stdout and stderr (absolute). */
  stdout: string;
  stderr: string;
  /** Folders prepended to PATH. */
  path?: readonly string[];
  what: string;
}

/**
 * One machine of a testbed, however it is reached. Every command is an argv array, quoted for the
 * remote shell; nothing from a scenario or testbed is ever interpolated into shell syntax.
 */
export interface LiveHost {
  readonly name: string;
  /** Address other hosts reach this one at. */
  readonly address: string;
  /** Folder of the run's files on the host. */
  readonly workDir: string;
  exec(
    argv: readonly string[],
    options?: { input?: string | Buffer; timeoutMs?: number },
  ): Promise<RunResult>;
  /** Like exec, but rejects with the command's stderr when it exits non-zero. */
  check(argv: readonly string[], options?: { input?: string | Buffer; timeoutMs?: number }): Promise<string>;
  writeFile(file: string, content: string | Buffer, mode?: number): Promise<void>;
  readFile(file: string): Promise<Buffer>;
  /** Starts a process in the background in its own session; returns its PID (journaled by the host). */
  start(spec: StartSpec): Promise<number>;
  alive(pid: number): Promise<boolean>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`. */
  stop(pid: number, graceMs?: number): Promise<void>;
  /** A TCP stream to address:port opened from the host (port forwarding through its SSH server). */
  connect(port: number, address?: string): Promise<Duplex>;
  /** A stream to a Unix socket on the host (e.g. the Docker engine's). */
  connectUnix(socketPath: string): Promise<Duplex>;
  close(): Promise<void>;
}

/** What a provider can do, as found on the machine. */
export interface TargetCapabilities {
  /** The kernel has sch_netem (tc qdisc … netem works). */
  netem: boolean;
  /** Delay can be emulated without netem (a userspace path). */
  userspaceDelay: boolean;
  /** Docker engines are reachable on the hosts. */
  docker: boolean;
}

/**
 * A testbed provider: gives the plan's hosts (building them or reaching existing ones), applies
 * per-pair delays the userspace way when it can, and records everything it creates in the journal.
 * All implementations pass one conformance suite (test/conformance/).
 */
export interface LiveTarget {
  readonly provider: 'local' | 'ssh';
  /** Builds or reaches the hosts; every resource goes to the journal as it is created. */
  provision(plan: LivePlan, journal: Journal, log: (line: string) => void): Promise<LiveHost[]>;
  /** Probes what the hosts support (after provision). */
  capabilities(): Promise<TargetCapabilities>;
  /** Sets the one-way delay from host to host on the userspace path (ms; 0 removes it). */
  setDelays(delays: readonly { src: string; dst: string; delayMs: number }[]): Promise<void>;
  /** Path of the Docker engine socket on a host, when one is reachable. */
  dockerSocket(host: PlanHost): string | undefined;
  /** Closes connections (resources are removed by the journal). */
  close(): Promise<void>;
}
