import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { posix } from 'node:path';
import type { Duplex } from 'node:stream';
import { combine, type SimulationResult, type ReplicationMetrics } from '../../model/index.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import type { SpanRecord } from '../../trace/index.js';
import type { EngineSnapshot } from '../app/engine.js';
import { DockerEngine } from '../docker.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import { Journal } from '../journal.js';
import { liveReplicationMetrics, type EngineSeries, type LiveWindow, type ProcessCpu } from '../measure/metrics.js';
import type { RttResult, ThroughputResult } from '../measure/probe.js';
import { NETWORK_CHECK_TOLERANCE, networkCheckWarnings } from '../measure/tolerance.js';
import type { LivePlan, PlanProcess } from '../plan/types.js';
import { createTarget } from '../providers/index.js';
import type { LiveHost, LiveTarget } from '../target.js';
import type { LoadedTestbed } from '../testbed/load.js';
import { HostSampler, type HostSample } from './host-sampler.js';
import { recover, remoteUndo } from './recover.js';
import { checkRunFolder, freshTemp, replaceRunFolder, tempSibling } from './run-folder.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowS = () => (performance.timeOrigin + performance.now()) / 1000;

/** How the network constraints were applied and what was measured before the run. */
export interface EmulationReport {
  mode: 'none' | 'netem' | 'fallback';
  netemSupported: boolean | null;
  description: string;
  delay: 'netem' | 'userspace switch' | 'not emulated' | 'none';
  measurements: {
    constraint: number; label: string; src: string; dst: string;
    expectedRttMs: number; rtt?: RttResult; rttBeforeCalibration?: RttResult; delayCorrectionMs?: number; rttErrorPercent?: number;
    expectedMbps: number | null; throughput?: ThroughputResult; throughputErrorPercent?: number;
  }[];
  /** Checks off by more than this many percent of the configured value are warned about. */
  tolerancePercent: number;
  /** One per check beyond the tolerance. */
  warnings: string[];
}

/** How long the run measured, against the plan: per-second rates are over `actualS`. */
export interface MeasuredTime {
  /** Seconds of measurement planned: repetitions × (duration − warm-up). */
  plannedS: number;
  /** Seconds actually measured: over the windows, from the end of the warm-up to where measuring stopped. */
  actualS: number;
  /** Where an interrupted or failed run stopped, seconds on the run's clock (null: it ran to its end, or stopped before the workload). */
  stoppedAtS: number | null;
  interrupted: boolean;
  repetitionsPlanned: number;
  /** Repetitions with some measured time. */
  repetitionsMeasured: number;
}

export interface LiveOutcome {
  status: 'ok' | 'failed' | 'interrupted';
  failure?: string;
  result?: SimulationResult;
  emulation: EmulationReport;
  cleanupProblems: string[];
  measured: MeasuredTime;
  runFolder?: string;
  requests: number;
  spans: number;
}

export interface LiveRunInput {
  scenario: ResolvedScenario;
  testbed: LoadedTestbed;
  plan: LivePlan;
  stateRoot: string;
  out?: string;
  overrides: readonly string[];
  versions: Record<string, unknown>;
  log: (line: string) => void;
  /** For tests: called once the workload runs (e.g. to kill a process). */
  onWorkloadStarted?: (ctx: { hosts: ReadonlyMap<string, LiveHost>; pids: ReadonlyMap<string, number> }) => void | Promise<void>;
}

interface Running { proc: PlanProcess; host: LiveHost; pid?: number; container?: string; engine?: DockerEngine }

/** Runs an e2ctwin command on a host with the run's bin/ first on PATH (foreground). */
function e2c(host: LiveHost, argv: string[]): string[] {
  return ['sh', '-c', 'PATH="$1/bin:$PATH"; export PATH; shift; exec "$@"', 'sh', host.workDir, ...argv];
}

/**
 * One live run: plan → provision → network (apply, measure) → services → workload (repetitions) →
 * collect → metrics → run folder, and always cleanup from the journal — on success, on failure, on
 * SIGINT/SIGTERM. A run first removes the leftovers of crashed runs.
 */
export class LiveRun {
  readonly hosts = new Map<string, LiveHost>();
  readonly running: Running[] = [];
  readonly emulation: EmulationReport = { mode: 'none', netemSupported: null, description: 'no network constraints between deployed hosts', delay: 'none', measurements: [], tolerancePercent: NETWORK_CHECK_TOLERANCE * 100, warnings: [] };
  readonly windows: LiveWindow[] = [];
  readonly drivers: { proc: PlanProcess; summary?: unknown }[] = [];
  readonly #abort = new AbortController();
  #t0 = 0;
  #sampler: HostSampler | undefined;
  #target: LiveTarget | undefined;
  #journal: Journal | undefined;
  #workloadStarted = false;
  /** When the run was interrupted or failed (seconds since the epoch): measuring ends there. */
  #stoppedAt: number | undefined;
  /** The temporary sibling the run folder is written into. */
  #outTemp: string | undefined;

  constructor(readonly input: LiveRunInput) {}

  get plan(): LivePlan {
    return this.input.plan;
  }

  #log(line: string): void {
    this.input.log(line);
  }

  #check(): void {
    if (this.#abort.signal.aborted) throw this.#abort.signal.reason as Error;
  }

  /** Waits for `p`, or throws at once when the run is interrupted. */
  async #guard<T>(p: Promise<T>): Promise<T> {
    this.#check();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.#abort.signal.reason as Error);
      this.#abort.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([p, aborted]);
    } finally {
      this.#abort.signal.removeEventListener('abort', onAbort!);
    }
  }

  interrupt(reason: string): void {
    if (this.#abort.signal.aborted) return;
    this.#stoppedAt ??= nowS();
    this.#abort.abort(new LiveError(LiveErrorCode.INTERRUPTED, reason));
  }

  async execute(): Promise<LiveOutcome> {
    const { plan, stateRoot, out } = this.input;
    if (out) checkRunFolder(out);
    const leftovers = await recover(stateRoot, (l) => this.#log(l));
    for (const l of leftovers) if (l.problems.length > 0) this.#log(`warning: leftovers of run ${l.runId} not fully removed: ${l.problems.join('; ')}`);
    this.#journal = Journal.open(stateRoot, plan.runId, this.input.testbed.file);
    if (out) {
      this.#outTemp = tempSibling(out, plan.runId);
      this.#journal.record({ kind: 'out-temp', path: this.#outTemp });
    }
    const onSignal = (sig: NodeJS.Signals) => {
      if (this.#abort.signal.aborted) return this.#log(`${sig}: still cleaning up, please wait`);
      this.#log(`${sig}: stopping the run and cleaning up`);
      this.interrupt(`interrupted by ${sig}`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let status: LiveOutcome['status'] = 'ok';
    let failure: string | undefined;
    let result: SimulationResult | undefined;
    let counts = { requests: 0, spans: 0 };
    let runFolder: string | undefined;
    let cleanupProblems: string[] = [];
    try {
      try {
        await this.#deploy();
        await this.#workload();
      } catch (e) {
        const err = e as LiveError;
        this.#stoppedAt ??= nowS();
        status = err.code === LiveErrorCode.INTERRUPTED ? 'interrupted' : 'failed';
        failure = err.message;
        this.#log(`${status === 'interrupted' ? 'interrupted' : 'failed'}: ${failure}`);
      }
      this.#sampler?.stop();
      this.#endWindows();
      // Keep what was measured, even from a failed run.
      try {
        const collected = await this.#collect();
        result = collected.result;
        counts = collected.counts;
        if (out) runFolder = this.#writeRunFolder(collected, status, failure);
      } catch (e) {
        this.#log(`collecting results failed: ${(e as Error).message}`);
        if (status === 'ok') { status = 'failed'; failure = `collecting results: ${(e as Error).message}`; }
        if (out) {
          try {
            runFolder = this.#writeRunFolder(undefined, status, failure);
          } catch (e2) {
            this.#log(`writing the run folder failed: ${(e2 as Error).message}`);
          }
        }
      }
    } finally {
      await this.#target?.close().catch(() => {});
      cleanupProblems = await this.#journal.cleanup(remoteUndo(() => this.hosts, plan.runId), (l) => this.#log(l));
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      this.#log(cleanupProblems.length === 0 ? `cleanup: removed ${this.#journal.entries.length} resources` : `cleanup: ${cleanupProblems.length} problem(s): ${cleanupProblems.join('; ')}`);
    }
    return { status, ...(failure ? { failure } : {}), ...(result ? { result } : {}), emulation: this.emulation, cleanupProblems, measured: this.#measured(status), ...(runFolder ? { runFolder } : {}), ...counts };
  }

  /**
   * Ends every window where the run stopped, if it stopped early: the rates of an interrupted or failed
   * run are over the time it actually measured, never over the planned window.
   */
  #endWindows(): void {
    if (this.#stoppedAt === undefined || !this.#t0) return;
    const stop = this.#stoppedAt - this.#t0;
    for (const w of this.windows) w.end = Math.max(w.start, Math.min(w.plannedEnd ?? w.end, stop));
  }

  #measured(status: LiveOutcome['status']): MeasuredTime {
    const { plan } = this;
    const measured = this.windows.filter((w) => w.end > w.warmupEnd);
    return {
      plannedS: plan.repeat * Math.max(0, plan.durationS - plan.warmupS),
      actualS: measured.reduce((a, w) => a + (w.end - w.warmupEnd), 0),
      stoppedAtS: status !== 'ok' && this.#stoppedAt !== undefined && this.#t0 > 0 ? this.#stoppedAt - this.#t0 : null,
      interrupted: status === 'interrupted',
      repetitionsPlanned: plan.repeat,
      repetitionsMeasured: measured.length,
    };
  }

  async #deploy(): Promise<void> {
    const { plan, testbed } = this.input;
    const stateDir = path.join(this.input.stateRoot, plan.runId);
    this.#target = createTarget(testbed.testbed, stateDir);
    const hosts = await this.#guard(this.#target.provision(plan, this.#journal!, (l) => this.#log(l)));
    for (const h of hosts) this.hosts.set(h.name, h);
    for (const f of plan.files) await this.#guard(this.hosts.get(f.host)!.writeFile(f.path, f.content, f.mode ?? 0o644));
    await this.#network();
    await this.#verify();
    await this.#images();
    for (const p of plan.processes.filter((x) => x.kind === 'service')) await this.#startService(p);
    const shaped = new Set(this.emulation.mode === 'none' ? [] : Object.keys(this.emulation.mode === 'netem' ? plan.network.netem : plan.network.fallback.kernel));
    this.#sampler = new HostSampler([...this.hosts.values()], (h) => this.running.filter((r) => r.host.name === h && r.pid).map((r) => ({ id: r.proc.id, pid: r.pid! })), () => nowS() - (this.#t0 || nowS()), 1000,
      (h) => (shaped.has(h) ? plan.hosts.find((x) => x.name === h)?.interface : undefined));
  }

  async #network(): Promise<void> {
    const net = this.plan.network;
    if (net.rules.length === 0 || net.mode === 'none') {
      this.emulation.description = net.mode === 'none' ? 'network emulation off (testbed emulation: none)' : this.emulation.description;
      this.#log(`network: ${this.emulation.description}`);
      return;
    }
    const caps = await this.#guard(this.#target!.capabilities());
    this.emulation.netemSupported = caps.netem;
    const mode = net.mode === 'auto' ? (caps.netem ? 'netem' : 'fallback') : net.mode;
    if (mode === 'netem' && !caps.netem) throw new LiveError(LiveErrorCode.REQUIREMENT, 'tc netem is not available on the hosts (`tc qdisc add … netem` failed): use emulation: auto or fallback');
    this.emulation.mode = mode;
    const cmds = mode === 'netem' ? net.netem : net.fallback.kernel;
    const hostsByName = new Map(this.plan.hosts.map((h) => [h.name, h]));
    for (const [host, list] of Object.entries(cmds)) {
      const h = this.hosts.get(host)!;
      const netns = hostsByName.get(host)?.netns;
      this.#journal!.record({ kind: 'remote-commands', host, commands: net.undo[host] ?? [], what: 'network emulation (tc qdisc, nft table)', ...(netns ? { netns } : {}) });
      // tc filters and nft rules match IP addresses: names (ssh inventories) are resolved on the source host.
      const ips = new Map<string, string>();
      for (const r of net.rules.filter((x) => x.src === host && !/^\d+\.\d+\.\d+\.\d+$/.test(x.dstAddress))) {
        const got = (await h.exec(['getent', 'ahostsv4', r.dstAddress])).stdout.trim().split(/\s+/)[0];
        if (!got || !/^\d+\.\d+\.\d+\.\d+$/.test(got)) throw new LiveError(LiveErrorCode.HOST, `${host}: cannot resolve ${r.dstAddress} to an IPv4 address for tc`, { host });
        ips.set(r.dstAddress, got);
      }
      // As EnOSlib: reset the interface's root qdisc first (a real NIC has one), errors ignored.
      await h.exec(['tc', 'qdisc', 'del', 'dev', hostsByName.get(host)!.interface, 'root']);
      for (const c of list) {
        const argv = c.map((a) => ips.get(a) ?? (a.endsWith('/32') && ips.has(a.slice(0, -3)) ? `${ips.get(a.slice(0, -3))}/32` : a));
        await this.#guard(h.check(argv));
      }
    }
    const hasDelay = net.rules.some((r) => r.delayMs > 0);
    if (mode === 'netem') {
      this.emulation.delay = hasDelay ? 'netem' : 'none';
      this.emulation.description = 'tc netem (EnOSlib NetemHTB shape: an htb class per destination with a netem child for delay and loss)';
    } else {
      if (hasDelay && caps.userspaceDelay) {
        await this.#target!.setDelays(net.fallback.delays);
        this.emulation.delay = 'userspace switch';
      } else if (hasDelay) {
        this.emulation.delay = 'not emulated';
      }
      this.emulation.description = `fallback (${caps.netem ? 'chosen by the testbed' : 'no sch_netem in this kernel: `tc qdisc add … netem` failed'}): rate by an htb class per destination, loss by nftables numgen in table ${net.nftTable}, delay ${this.emulation.delay === 'userspace switch' ? 'by the userspace switch between the hosts\' TAP devices' : this.emulation.delay === 'not emulated' ? 'NOT emulated (no userspace path on this provider)' : 'none needed'}`;
    }
    this.#log(`network: ${this.emulation.description}`);
  }

  async #probeServer(host: LiveHost, fn: () => Promise<void>): Promise<void> {
    const port = this.plan.network.probePort;
    const dir = posix.join(host.workDir, 'probe');
    const pid = await host.start({ argv: ['e2ctwin', 'probe', 'serve', '--port', String(port), '--host', '0.0.0.0'], cwd: dir, stdout: posix.join(dir, 'out.log'), stderr: posix.join(dir, 'err.log'), path: [posix.join(host.workDir, 'bin')], what: 'probe server' });
    try {
      for (let i = 0; i < 100; i++) {
        const r = await host.exec(['sh', '-c', 'grep -q listening "$1"', 'sh', posix.join(dir, 'err.log')]);
        if (r.code === 0) break;
        await sleep(50);
      }
      await fn();
    } finally {
      await host.stop(pid, 1000);
    }
  }

  async #probe<T>(host: LiveHost, argv: string[]): Promise<T> {
    const out = await this.#guard(host.check(e2c(host, ['e2ctwin', 'probe', ...argv]), { timeoutMs: 120_000 }));
    return JSON.parse(out.trim().split('\n').pop()!) as T;
  }

  async #verify(): Promise<void> {
    const net = this.plan.network;
    if (this.emulation.mode === 'none') return;
    const tb = this.input.testbed.testbed;
    const adjust = new Map<number, number>();
    const userspace = this.emulation.delay === 'userspace switch';
    for (const v of net.verify) {
      const src = this.hosts.get(v.src)!;
      const dst = this.hosts.get(v.dst)!;
      const target = `${v.dstAddress}:${net.probePort}`;
      const m: EmulationReport['measurements'][number] = { constraint: v.constraint, label: v.label, src: v.src, dst: v.dst, expectedRttMs: v.expectedRttMs, expectedMbps: v.expectedMbps };
      await this.#probeServer(dst, async () => {
        let rtt = await this.#probe<RttResult>(src, ['rtt', target, '--count', String(tb.verify.rttCount)]);
        // The userspace path adds its own latency (timers, UDP hops): subtract it, as EnOSlib's
        // AccurateNetemHTB subtracts the measured baseline, and measure again (at most 3 times).
        for (let i = 0; i < 3 && userspace && v.expectedRttMs > 0; i++) {
          const error = rtt.medianMs - v.expectedRttMs;
          if (Math.abs(error) <= Math.max(0.3, 0.02 * v.expectedRttMs)) break;
          m.rttBeforeCalibration ??= rtt;
          const correction = (adjust.get(v.constraint) ?? 0) + error / 2;
          adjust.set(v.constraint, correction);
          await this.#target!.setDelays(net.fallback.delays.map((d) => {
            const rule = net.rules.find((r) => r.src === d.src && r.dst === d.dst);
            return { ...d, delayMs: Math.max(0, d.delayMs - (rule ? adjust.get(rule.constraint) ?? 0 : 0)) };
          }));
          m.delayCorrectionMs = -correction;
          rtt = await this.#probe<RttResult>(src, ['rtt', target, '--count', String(tb.verify.rttCount)]);
        }
        m.rtt = rtt;
        m.rttErrorPercent = v.expectedRttMs > 0 ? ((rtt.medianMs - v.expectedRttMs) / v.expectedRttMs) * 100 : undefined as never;
        if (v.expectedMbps !== null) {
          m.throughput = await this.#probe<ThroughputResult>(src, ['throughput', target, '--seconds', String(tb.verify.throughputSeconds)]);
          m.throughputErrorPercent = ((m.throughput.mbps - v.expectedMbps) / v.expectedMbps) * 100;
        }
      });
      this.emulation.measurements.push(m);
      this.#log(`network check ${v.label} (${v.src} → ${v.dst}): RTT ${m.rtt!.medianMs.toFixed(2)} ms (configured ${v.expectedRttMs} ms${m.delayCorrectionMs !== undefined ? `, userspace path corrected by ${m.delayCorrectionMs.toFixed(2)} ms per direction` : ''})${m.throughput ? `, throughput ${m.throughput.mbps.toFixed(2)} Mbit/s (configured ${v.expectedMbps})` : ''}`);
    }
    this.emulation.warnings = networkCheckWarnings(this.emulation.measurements);
    for (const w of this.emulation.warnings) this.#log(`warning: ${w}`);
  }

  async #images(): Promise<void> {
    for (const img of this.plan.images) {
      const engine = this.#engine(img.host);
      await this.#guard(engine.importImage(img.tar, img.name, img.cmd));
      this.#log(`docker: imported ${img.name} on ${img.host} (engine ${await engine.version()})`);
    }
  }

  #engine(host: string): DockerEngine {
    const ph = this.plan.hosts.find((h) => h.name === host)!;
    const socket = this.#target!.dockerSocket(ph);
    if (!socket) throw new LiveError(LiveErrorCode.REQUIREMENT, `no Docker engine reachable on ${host} (testbed docker.enabled for the local provider; docker.socket for ssh)`, { host });
    return new DockerEngine(host, socket);
  }

  async #startService(p: PlanProcess, extraEnv: Record<string, string> = {}): Promise<Running> {
    const host = this.hosts.get(p.host)!;
    const dir = posix.join(host.workDir, p.dir);
    let r: Running;
    if (p.image) {
      const engine = this.#engine(p.host);
      const ph = this.plan.hosts.find((h) => h.name === p.host)!;
      const id = await this.#guard(engine.run({ name: `e2ctwin-${this.plan.runId}-${p.service.replace(/[^\w.-]/g, '_')}`, image: p.image, env: { ...p.env, ...extraEnv }, runId: this.plan.runId, journal: this.#journal!, socketForJournal: this.#target!.dockerSocket(ph)! }));
      r = { proc: p, host, container: id, engine };
    } else {
      const pid = await this.#guard(host.start({ argv: p.argv, env: { ...p.env, ...extraEnv }, cwd: dir, stdout: posix.join(dir, 'out.log'), stderr: posix.join(dir, 'err.log'), path: [posix.join(host.workDir, 'bin')], what: p.id }));
      r = { proc: p, host, pid };
    }
    this.running.push(r);
    if (p.kind === 'service') {
      await this.#guard(this.#waitReady(r));
      this.#log(`service ${p.id} ready${p.port ? ` on ${host.address}:${p.port}` : ''}${p.image ? ` (container ${r.container!.slice(0, 12)}, image ${p.image})` : ` (pid ${r.pid})`}`);
    }
    return r;
  }

  async #alive(r: Running): Promise<boolean> {
    if (r.container) return r.engine!.running(r.container);
    return r.host.alive(r.pid!);
  }

  async #tail(r: Running): Promise<string> {
    try {
      if (r.container) return (await r.engine!.logs(r.container)).stderr.trim().split('\n').slice(-5).join(' / ');
      return (await r.host.readFile(posix.join(r.host.workDir, r.proc.dir, 'err.log'))).toString().trim().split('\n').slice(-5).join(' / ');
    } catch {
      return '';
    }
  }

  async #waitReady(r: Running): Promise<void> {
    const { proc: p, host } = r;
    const deadline = Date.now() + p.health.timeoutS * 1000;
    let last = '';
    while (Date.now() < deadline) {
      this.#check();
      if (!(await this.#alive(r))) throw new LiveError(LiveErrorCode.SERVICE, `${p.id} exited before it was ready: ${await this.#tail(r) || 'no output'}`, { service: p.service, host: p.host });
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
      await sleep(200);
    }
    throw new LiveError(LiveErrorCode.SERVICE, `${p.id} not ready after ${p.health.timeoutS} s (${last})`, { service: p.service, host: p.host });
  }

  async #workload(): Promise<void> {
    const plan = this.plan;
    const workloads = plan.processes.filter((p) => p.kind === 'workload');
    if (workloads.length === 0) throw new LiveError(LiveErrorCode.PLAN, 'the scenario has no workload to drive');
    for (let rep = 0; rep < plan.repeat; rep++) {
      const startAt = Date.now() + 1500;
      if (rep === 0) {
        this.#t0 = startAt / 1000;
        this.#sampler!.start();
      }
      const s = startAt / 1000 - this.#t0;
      this.windows.push({ start: s, warmupEnd: s + plan.warmupS, end: s + plan.durationS, plannedEnd: s + plan.durationS });
      const env = { E2CTWIN_START_AT_MS: String(startAt), E2CTWIN_DURATION_S: String(plan.durationS), E2CTWIN_REPETITION: String(rep) };
      const started = [];
      for (const p of workloads) started.push(await this.#startService(p, env));
      this.#workloadStarted = true;
      this.#log(`workload${plan.repeat > 1 ? ` ${rep + 1}/${plan.repeat}` : ''}: ${workloads.map((p) => `${p.id} (${p.instances.length} instance${p.instances.length === 1 ? '' : 's'})`).join(', ')} for ${plan.durationS} s (warm-up ${plan.warmupS.toFixed(1)} s)`);
      if (rep === 0) await this.input.onWorkloadStarted?.({ hosts: this.hosts, pids: new Map(this.running.filter((r) => r.pid).map((r) => [r.proc.id, r.pid!])) });
      const patience = Math.max(0, ...this.input.scenario.services.map((x) => x.workload?.patienceS ?? 30));
      const deadline = startAt + (plan.durationS + patience + 30) * 1000;
      for (;;) {
        this.#check();
        await this.#guard(sleep(500));
        for (const r of this.running.filter((x) => x.proc.kind === 'service')) {
          if (!(await this.#alive(r))) throw new LiveError(LiveErrorCode.SERVICE, `${r.proc.id} died during the run: ${await this.#tail(r) || 'no output'}`, { service: r.proc.service, host: r.proc.host });
        }
        const alive = await Promise.all(started.map((r) => this.#alive(r)));
        if (alive.every((a) => !a)) break;
        if (Date.now() > deadline) throw new LiveError(LiveErrorCode.SERVICE, `workload still running ${Math.round((Date.now() - startAt) / 1000)} s after its start`);
      }
      for (const r of started) {
        const early = Date.now() < startAt + plan.durationS * 1000 - 1000;
        const out = await r.host.readFile(posix.join(r.host.workDir, r.proc.dir, 'out.log')).then((b) => b.toString()).catch(() => '');
        const summary = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
        if (!summary || early) throw new LiveError(LiveErrorCode.SERVICE, `${r.proc.id} ended ${early ? 'early' : 'without a summary'}: ${await this.#tail(r) || 'no output'}`, { service: r.proc.service, host: r.proc.host });
        this.drivers.push({ proc: r.proc, summary: JSON.parse(summary) });
        this.running.splice(this.running.indexOf(r), 1);
      }
    }
  }

  async #collect(): Promise<Collected> {
    // Stop services (they flush spans and counters on SIGTERM), then fetch their files.
    const files = new Map<string, Record<string, string>>();
    for (const r of [...this.running].reverse()) {
      try {
        if (r.container) {
          const logs = await r.engine!.logs(r.container).catch(() => ({ stdout: '', stderr: '' }));
          files.set(r.proc.id, { 'out.log': logs.stdout, 'err.log': logs.stderr });
          await r.engine!.remove(r.container);
        } else await r.host.stop(r.pid!, 5000);
      } catch { /* gone already */ }
    }
    const spans: SpanRecord[] = [];
    const engines: EngineSeries[] = [];
    const t0 = this.#t0;
    for (const p of this.plan.processes) {
      const host = this.hosts.get(p.host);
      if (!host || p.image) continue;
      const got: Record<string, string> = {};
      for (const f of ['out.log', 'err.log', 'spans.jsonl', 'stats.jsonl']) {
        try {
          got[f] = (await host.readFile(posix.join(host.workDir, p.dir, f))).toString();
        } catch { /* not written */ }
      }
      files.set(p.id, got);
      if (!t0) continue;
      for (const line of (got['spans.jsonl'] ?? '').split('\n')) {
        if (!line.trim()) continue;
        try {
          const s = JSON.parse(line) as SpanRecord;
          spans.push({ ...s, start: s.start - t0, end: s.end - t0 });
        } catch { /* a line cut by a kill */ }
      }
      if (got['stats.jsonl']) {
        const snaps = got['stats.jsonl'].split('\n').filter((l) => l.trim()).flatMap((l) => {
          try {
            const s = JSON.parse(l) as EngineSnapshot;
            return [{ ...s, t: s.t - t0 }];
          } catch {
            return [];
          }
        });
        engines.push({ service: p.service, instance: p.instances[0]!, snapshots: snaps });
      }
    }
    spans.sort((a, b) => a.start - b.start);
    const requests = spans.filter((s) => s.kind === 'request');
    // A window the run stopped in before its warm-up ended measured nothing: it gives no repetition.
    const reps: ReplicationMetrics[] = this.windows.filter((w) => w.end > w.warmupEnd).map((w) => {
      const cpu: ProcessCpu = {};
      for (const p of this.plan.processes) {
        const c = this.#sampler?.cpuBetween(p.id, w.warmupEnd, w.end);
        if (c === undefined) continue;
        const e = (cpu[p.service] ??= { cpuSeconds: 0, instances: 0 });
        e.cpuSeconds += c;
        e.instances += p.instances.length;
      }
      const m = liveReplicationMetrics(this.input.scenario, w, requests, engines, cpu);
      m.links = this.#links(w);
      return m;
    });
    const result = reps.length > 0 && this.#workloadStarted ? combine(this.input.scenario, this.plan.seed, reps) : undefined;
    return { result, spans, files, engines, counts: { requests: new Set(requests.map((r) => r.request)).size, spans: spans.length }, samples: this.#sampler?.samples ?? new Map() };
  }

  /**
   * Bytes and utilization of the shaped links in a window, from the htb class counters of each source
   * host (frames on the wire, headers included), keyed like the simulator's links (`src->dst`).
   */
  #links(w: LiveWindow): ReplicationMetrics['links'] {
    const out: ReplicationMetrics['links'] = {};
    if (this.emulation.mode === 'none' || !this.#sampler) return out;
    const net = this.plan.network;
    const T = w.end - w.warmupEnd;
    const bySource = new Map<string, typeof net.rules>();
    for (const r of net.rules) bySource.set(r.src, [...(bySource.get(r.src) ?? []), r]);
    for (const [src, rules] of bySource) {
      // Class 1:(i+1) is the i-th rule of the host that got a class (every rule with netem; shaped ones in the fallback).
      const classed = this.emulation.mode === 'netem' ? rules : rules.filter((r) => Number.isFinite(r.rateMbps));
      classed.forEach((r, i) => {
        const bytes = this.#sampler!.bytesBetween(src, `1:${i + 1}`, w.warmupEnd, w.end);
        if (bytes === undefined) return;
        const c = this.input.scenario.network[r.constraint]!;
        const l = (out[`${c.src}->${c.dst}`] ??= { links: 0, utilization: 0, meanActive: NaN, bytes: 0 });
        l.links++;
        l.bytes += bytes;
        l.utilization += Number.isFinite(r.rateMbps) && T > 0 ? (bytes * 8) / T / (r.rateMbps * 1e6) : NaN;
      });
    }
    for (const l of Object.values(out)) l.utilization /= l.links;
    return out;
  }

  /** Writes the run folder into its temporary sibling, then puts it in place of `--out` whole. */
  #writeRunFolder(c: Collected | undefined, status: LiveOutcome['status'], failure: string | undefined): string {
    const dir = this.#outTemp!;
    freshTemp(dir);
    const { scenario, plan, testbed } = this.input;
    const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
    const json = (v: unknown) => `${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2)}\n`;
    write('plan.json', json(plan));
    write('scenario.resolved.json', json(scenario));
    write('testbed.json', json(redact(testbed.testbed)));
    write('run.json', json({
      kind: 'live', status, ...(failure ? { failure } : {}), interrupted: status === 'interrupted', measured: this.#measured(status), scenario: scenario.name, scenarioFile: scenario.source.file, overrides: this.input.overrides,
      testbedFile: testbed.file, provider: plan.provider, runId: plan.runId, seed: plan.seed, durationS: plan.durationS, warmupS: plan.warmupS, repeat: plan.repeat,
      startedAt: this.#t0 ? new Date(this.#t0 * 1000).toISOString() : null, finishedAt: new Date().toISOString(),
      emulation: { mode: this.emulation.mode, delay: this.emulation.delay, netemSupported: this.emulation.netemSupported, description: this.emulation.description },
      windows: this.windows, drivers: this.drivers.map((d) => ({ id: d.proc.id, summary: d.summary })), versions: this.input.versions,
      warnings: [...plan.warnings, ...this.emulation.warnings],
    }));
    write('network.json', json({ ...this.emulation, rules: plan.network.rules }));
    if (c) {
      if (c.result) write('metrics.json', json(c.result));
      write('trace.jsonl', `${[JSON.stringify({ format: 'e2ctwin-trace', version: 1, source: 'live', scenario: scenario.name, seed: plan.seed, replication: 0, sampledRequests: c.counts.requests }), ...c.spans.map((s) => JSON.stringify(s))].join('\n')}\n`);
      const hostMetrics: Record<string, { samples: HostSample[]; meanCpuBusy: number; maxMemUsedBytes: number }> = {};
      for (const [h, list] of c.samples) {
        hostMetrics[h] = { samples: list, meanCpuBusy: list.reduce((a, s) => a + s.cpuBusy, 0) / Math.max(1, list.length), maxMemUsedBytes: Math.max(0, ...list.map((s) => s.memUsedBytes)) };
      }
      write('host-metrics.json', json({ note: plan.provider === 'local' ? 'local hosts share this machine: machine-wide CPU and memory are the same for all; per-process CPU (fraction of one core) is each host\'s own' : 'per host: CPU busy fraction of all cores, memory, and per-process CPU (fraction of one core)', hosts: hostMetrics }));
      write('engine-stats.json', json(c.engines));
      for (const [id, files] of c.files) {
        const d = path.join(dir, 'logs', id.replace(/[^\w.@-]/g, '_'));
        mkdirSync(d, { recursive: true });
        for (const f of ['out.log', 'err.log']) if (files[f] !== undefined) writeFileSync(path.join(d, f), files[f]!);
      }
    }
    return replaceRunFolder(dir, this.input.out!);
  }
}

interface Collected {
  result: SimulationResult | undefined;
  spans: SpanRecord[];
  files: Map<string, Record<string, string>>;
  engines: EngineSeries[];
  counts: { requests: number; spans: number };
  samples: Map<string, HostSample[]>;
}

function redact(tb: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(tb)) as { hosts: { ssh?: { password?: string } }[] };
  for (const h of copy.hosts) if (h.ssh?.password !== undefined) h.ssh.password = '<redacted>';
  return copy;
}

function httpGet(stream: Duplex, host: string, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ method: 'GET', path: p, headers: { host }, createConnection: () => stream as never, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
