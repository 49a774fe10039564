import { LiveError, LiveErrorCode } from '../errors.js';
import type { Journal } from '../journal.js';
import type { LiveWindow } from '../measure/metrics.js';
import { NETWORK_CHECK_TOLERANCE } from '../measure/tolerance.js';
import type { LivePlan, PlanProcess } from '../plan/types.js';
import type { LiveHost, LiveTarget } from '../target.js';
import type { HostSampler } from './host-sampler.js';
import type { AppliedEvent, EmulationReport, LiveRunInput, Running } from './types.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Wall-clock seconds since the epoch (the clock spans and windows are measured on). */
export const nowS = () => (performance.timeOrigin + performance.now()) / 1000;

/**
 * What one live run knows as it goes through its phases (plan, apply, drive, collect, cleanup): the
 * hosts and processes it created, the network report, the measured windows, and the interruption
 * signal every phase checks. Each phase module reads and fills it; none keeps state of its own.
 */
export class RunState {
  readonly hosts = new Map<string, LiveHost>();
  readonly running: Running[] = [];
  readonly emulation: EmulationReport = {
    mode: 'none',
    netemSupported: null,
    description: 'no network constraints between deployed hosts',
    delay: 'none',
    measurements: [],
    tolerancePercent: NETWORK_CHECK_TOLERANCE * 100,
    warnings: [],
  };
  readonly windows: LiveWindow[] = [];
  readonly drivers: { proc: PlanProcess; summary?: unknown }[] = [];
  readonly abort = new AbortController();
  /** The start of the first repetition (seconds since the epoch; 0 before the workload): the run's clock. */
  t0 = 0;
  sampler: HostSampler | undefined;
  target: LiveTarget | undefined;
  journal: Journal | undefined;
  workloadStarted = false;
  /** When the run was interrupted or failed (seconds since the epoch): measuring ends there. */
  stoppedAt: number | undefined;
  /** Files fetched by the finalize phase, for the run folder's files/<host>/<repetition>/. */
  readonly fetched: { host: string; repetition: number; file: string; content: Buffer }[] = [];
  /** Finalize files that could not be fetched. */
  readonly missingFiles: string[] = [];
  /** The timed events applied so far, every repetition's, in the plan's order within each repetition. */
  readonly appliedEvents: AppliedEvent[] = [];
  /** Processes a timed `stop` event stopped (by plan process id): not a death that fails the run. */
  readonly stopped = new Map<string, Running>();
  /** Processes deployed and not running because of a `scale`: dormant from the start, or drained since (by plan process id). */
  readonly dormant = new Set<string>();
  /** Pool sizes timed `pool` events set, by plan process id then pool: a restarted engine gets them again. */
  readonly poolSizes = new Map<string, Map<string, number>>();
  /** Per constraint, what the userspace path's calibration subtracts from each one-way delay (ms). */
  readonly delayCorrections = new Map<number, number>();
  /** Per source host, the IPv4 address of each destination name its shaping commands match (resolved there once). */
  readonly addresses = new Map<string, Map<string, string>>();
  /** Hosts whose network undo is in the journal. */
  readonly networkJournaled = new Set<string>();
  /** The provider has the userspace delay path (found when the network is applied). */
  userspaceDelay = false;
  /** The temporary sibling the run folder is written into. */
  outTemp: string | undefined;
  /** Wall-clock seconds each phase of the run took so far, in the order they ran (see {@link timed}). */
  readonly phases: Record<string, number> = {};

  constructor(readonly input: LiveRunInput) {}

  get plan(): LivePlan {
    return this.input.plan;
  }

  log(line: string): void {
    this.input.log(line);
  }

  /** Throws the interruption, if the run was interrupted. */
  check(): void {
    if (this.abort.signal.aborted) throw this.abort.signal.reason as Error;
  }

  /** Waits for `p`, or throws at once when the run is interrupted. */
  async guard<T>(p: Promise<T>): Promise<T> {
    this.check();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.abort.signal.reason as Error);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([p, aborted]);
    } finally {
      this.abort.signal.removeEventListener('abort', onAbort!);
    }
  }

  /** Runs `fn` as the phase `name`, adding its wall-clock seconds to `phases` (even when it throws). */
  async timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.phases[name] = (this.phases[name] ?? 0) + (performance.now() - t) / 1000;
    }
  }

  interrupt(reason: string): void {
    if (this.abort.signal.aborted) return;
    this.stoppedAt ??= nowS();
    this.abort.abort(new LiveError(LiveErrorCode.INTERRUPTED, reason));
  }
}
