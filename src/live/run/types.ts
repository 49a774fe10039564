import type { SimulationResult } from '../../model/index.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import type { SpanRecord } from '../../trace/index.js';
import type { RunSeriesData } from '../../run-folder/index.js';
import type { DockerEngine } from '../docker.js';
import type { EngineSeries } from '../measure/metrics.js';
import type { RttResult, ThroughputResult } from '../measure/probe.js';
import type { LivePlan, PlanProcess } from '../plan/types.js';
import type { LiveHost } from '../target.js';
import type { LoadedTestbed } from '../testbed/load.js';
import type { HostSample } from './host-sampler.js';

/** How the network constraints were applied and what was measured before the run. */
export interface EmulationReport {
  mode: 'none' | 'netem' | 'fallback';
  netemSupported: boolean | null;
  description: string;
  delay: 'netem' | 'userspace switch' | 'not emulated' | 'none';
  measurements: {
    constraint: number;
    label: string;
    src: string;
    dst: string;
    expectedRttMs: number;
    rtt?: RttResult;
    rttBeforeCalibration?: RttResult;
    delayCorrectionMs?: number;
    rttErrorPercent?: number;
    expectedMbps: number | null;
    throughput?: ThroughputResult;
    /** An automatic probe's short first reading, outside the tolerance: `throughput` is the longer repeat's. */
    throughputShortProbe?: ThroughputResult;
    throughputErrorPercent?: number;
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
  /** Wall-clock seconds of each phase of the run, in the order they ran (run.json's `phases`). */
  phases: Record<string, number>;
  result?: SimulationResult;
  emulation: EmulationReport;
  cleanupProblems: string[];
  measured: MeasuredTime;
  /** The timed events as applied, every repetition's. */
  events: AppliedEvent[];
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
  onWorkloadStarted?: (ctx: {
    hosts: ReadonlyMap<string, LiveHost>;
    pids: ReadonlyMap<string, number>;
  }) => void | Promise<void>;
}

/** A timed event as a repetition applied it (times in seconds on the run's clock, like the windows). */
export interface AppliedEvent {
  /** Position in the plan's events. */
  index: number;
  action: 'stop' | 'restart' | 'link' | 'link-restore' | 'load' | 'scale' | 'pool' | 'autoscale';
  label: string;
  /** 1-based. */
  repetition: number;
  /** The repetition's workload start + the event's offset. */
  scheduledS: number;
  /** When applying it began (a restart then waits for the process to be ready). */
  startedS: number;
  /** When the change was in place (the process gone or ready, the commands done). */
  appliedS: number;
  /** appliedS − scheduledS. */
  lateS: number;
  /** How a stop or restart was done (a load step: `by N driver(s)`, its times those of the latest one): `SIGKILL to container <id> (pid <pid>)…`, `SIGKILL to process group <pid>`, `docker start <id>, ready`, …. */
  how?: string;
  /** Set when the event changed nothing, and why (already stopped, emulation off, …). */
  note?: string;
  /** An autoscaler's action (its index follows the plan's events): the service, and its count from then on. */
  service?: string;
  instances?: number;
  /** An autoscaler's action: the processes it started (their engines' counters start from zero). */
  started?: string[];
}

/** A process of the plan that the run started: a host process (pid) or a container. */
export interface Running {
  proc: PlanProcess;
  host: LiveHost;
  pid?: number;
  container?: string;
  engine?: DockerEngine;
}

/** What the collect phase fetched from the hosts. */
export interface Collected {
  result: SimulationResult | undefined;
  /** series.json's data, with the result. */
  series?: RunSeriesData;
  spans: SpanRecord[];
  files: Map<string, Record<string, string>>;
  engines: EngineSeries[];
  counts: { requests: number; spans: number };
  samples: Map<string, HostSample[]>;
}
