import type { BalancePolicy, Dist, ResolvedApp, Workload } from '../../scenario/index.js';

/**
 * A live deployment as plain data: what runs where, which files are uploaded, which network rules are
 * applied, how they are checked. Built by {@link buildPlan} without touching any host; printed by
 * `e2ctwin live --dry-run`; then applied by the runner.
 */
export interface LivePlan {
  runId: string;
  scenario: string;
  provider: 'local' | 'ssh';
  seed: number;
  durationS: number;
  warmupS: number;
  repeat: number;
  hosts: PlanHost[];
  instances: PlanInstance[];
  files: PlanFile[];
  processes: PlanProcess[];
  images: PlanImage[];
  network: NetworkPlan;
  /** The scenario's timed events live mode applies in each repetition, in time order. */
  events: PlanEvent[];
  /** The scenario's autoscalers live mode runs in each repetition (run/autoscale.ts). */
  autoscalers: PlanAutoscaler[];
  warnings: string[];
}

/**
 * An autoscaled service as the live controller runs it: every `windowS` from the workload's start it
 * reads `/stats` of the service's engines that serve, takes the window's `metric` of `pool` as the
 * simulator measures it, and decides with the simulator's function (model/autoscale-decision.ts) within
 * [min, max] and the cool-downs. Times are live seconds (the scenario's, scaled by `--duration`).
 */
export interface PlanAutoscaler {
  service: string;
  metric: 'utilization' | 'queue';
  pool: string;
  target: number;
  min: number;
  max: number;
  windowS: number;
  cooldownS: number;
  scaleInCooldownS?: number;
  /** Instances serving at the start of each repetition. */
  quantity: number;
  /** The service's processes, by instance index (`max` of them; those from `quantity` on dormant). */
  processes: string[];
  /** Driver processes of the workloads that target the service: told each new count (`POST /scale` to their control port). */
  drivers: string[];
  /** Where each driver listens for it (its image server's port). */
  driverPort: number;
}

/**
 * A timed event as the live run applies it: at `offsetS` seconds after each repetition's workload start
 * (the scenario's `at`, seconds from the start of the run with the warm-up in it, scaled by `--duration`).
 */
export type PlanEvent = PlanInstanceEvent | PlanLinkEvent | PlanLoadEvent | PlanScaleEvent | PlanPoolEvent;

interface PlanEventBase {
  /** Position in the scenario's events (in time order). */
  index: number;
  /** The scenario's time, simulated seconds from the start of the run. */
  at: number;
  offsetS: number;
  label: string;
}

export interface PlanInstanceEvent extends PlanEventBase {
  action: 'stop' | 'restart';
  service: string;
  instance: number;
  /** The plan process (or container) that runs this instance alone. */
  process: string;
}

/**
 * A service scaled to `instances`: as the simulator, new instances on the lowest free indexes, extra ones
 * from the highest. The drivers of its workloads change their balance at the same time from their spec
 * (`scaleSteps`): an instance taken out gets no new request; one brought in takes requests once its
 * health check answers (the drivers probe it from the event's time). The controller starts the new
 * processes (each waited for until ready) and drains the removed ones: SIGTERM once the drivers have
 * stopped sending to them (the reference engine then finishes its requests in progress and exits).
 */
export interface PlanScaleEvent extends PlanEventBase {
  action: 'scale';
  service: string;
  /** Instances up from then on. */
  instances: number;
  /** Processes started, lowest instance first. */
  start: string[];
  /** Processes drained and stopped, highest instance first. */
  stop: string[];
  /** Driver processes of the workloads that target the service (they apply the new count themselves). */
  drivers: string[];
}

/**
 * A step of a workload's rate or users. No controller action: each driver of the service has the step
 * in its spec (`loadSteps`) and applies it itself at its time, then reports when it did in its summary.
 */
export interface PlanLoadEvent extends PlanEventBase {
  action: 'load';
  service: string;
  factor: number;
  /** The driver processes that apply it. */
  drivers: string[];
}

/**
 * A pool of a service's app resized: the controller asks each of the service's reference engines
 * (`POST /pools` {pool, size}), as the simulator resizes the pool on every instance.
 */
export interface PlanPoolEvent extends PlanEventBase {
  action: 'pool';
  service: string;
  pool: string;
  size: number;
  /** The service's engine processes (`e2ctwin engine`: the only ones that can resize a pool). */
  processes: string[];
}

export interface PlanLinkEvent extends PlanEventBase {
  action: 'link' | 'link-restore';
  /** Index of the scenario's network constraint. */
  constraint: number;
  /** `src->dst`, as the simulator's markers name it. */
  link: string;
  /** The constraint's conditions from then on (rate Infinity: unshaped; `cut`: its packets refused until a later link event). */
  conditions: { delayMs: number; rateMbps: number; lossPercent: number; cut: boolean };
  commands: LinkChangeCommands;
}

/** What changes a constraint's shaping on the hosts, in both forms. */
export interface LinkChangeCommands {
  /** tc class and netem qdisc changes per source host. */
  netem: HostCommands;
  /** htb class rate changes and the nftables loss chain rewritten per source host; every pair's delay for the userspace switch (absent: delays unchanged). */
  fallback: { kernel: HostCommands; delays?: { src: string; dst: string; delayMs: number }[] };
}

export interface PlanHost {
  name: string;
  /** Dense index among the deployed hosts. */
  index: number;
  /** Address other hosts reach this one at. */
  address: string;
  /** Interface carrying testbed traffic (shaped by tc). */
  interface: string;
  /** Folder of this run's files on the host. */
  workDir: string;
  /** local provider: the network namespace of the host. */
  netns?: string;
  /** Instances placed here (`<layer>.<service>#<i>`). */
  instances: string[];
}

export interface PlanInstance {
  service: string;
  index: number;
  name: string;
  host: string;
}

/**
 * A file written on a host before start: inline `content` (never a secret), or a local file `src` (a
 * service's `live.files`, read when the plan is applied). `path` is relative to the host's work folder.
 */
export type PlanFile = {
  host: string;
  path: string;
  mode?: number;
} & ({ content: string; src?: undefined } | { src: string; content?: undefined });

export interface PlanProcess {
  /** `<service>@<host>`. */
  id: string;
  service: string;
  host: string;
  /** Its folder (working directory, spec, logs, outputs), relative to the host's work dir. */
  dir: string;
  instances: string[];
  /** service: started first and kept up; workload: drives requests for the run's duration. */
  kind: 'service' | 'workload';
  /** Command as argv (a scenario string command becomes ['sh', '-c', string] with quoted references). */
  argv: string[];
  env: Record<string, string>;
  /** Run this container image (with its own CMD) instead of argv. */
  image?: string;
  port?: number;
  health: { path?: string; command?: string; timeoutS: number };
  /** Spec file of e2ctwin engine/drive processes, relative to its folder. */
  spec?: string;
  /** E2Clab's workflow phases (live.prepare/launch/finalize), references filled; argv lists, run in its folder. */
  phases?: PlanPhases;
  /**
   * Deployed but not started with the run: an instance above the service's `quantity`, which a `scale`
   * event starts (the plan deploys as many instances as the service's scale events ever ask for).
   */
  dormant?: boolean;
}

/** prepare: once, before any service starts; launch: each repetition, before the workload; finalize: after each. */
export interface PlanPhases {
  prepare: string[][];
  launch: string[][];
  finalize: { commands: string[][]; files: string[] };
}

export interface PlanImage {
  host: string;
  name: string;
  tar: string;
  cmd?: string[];
}

/** Shaping from one host to another (egress of `src`, per destination address, as EnOSlib does). */
export interface PairRule {
  src: string;
  dst: string;
  dstAddress: string;
  device: string;
  /** Index of the scenario's network constraint that applies. */
  constraint: number;
  /** The constraint matches this pair in its own direction (src → dst), not only as a symmetric reverse. */
  forward: boolean;
  delayMs: number;
  /** Infinity: not shaped. */
  rateMbps: number;
  lossPercent: number;
  /** The fallback gives this pair an htb class even while unshaped (a link event sets its rate later). */
  classed?: boolean;
}

export interface VerifyPair {
  constraint: number;
  label: string;
  src: string;
  dst: string;
  dstAddress: string;
  expectedRttMs: number;
  /** Rate of src → dst, Mbit/s; null when not shaped. */
  expectedMbps: number | null;
}

/** Commands (argv) per host, in order. */
export type HostCommands = Record<string, string[][]>;

export interface NetworkPlan {
  mode: 'auto' | 'netem' | 'fallback' | 'none';
  rules: PairRule[];
  /** tc netem commands (EnOSlib NetemHTB shape): htb class per destination with a netem child. */
  netem: HostCommands;
  /** Where netem is missing: htb rate per destination, nftables loss, and per-pair delays for the userspace path. */
  fallback: { kernel: HostCommands; delays: { src: string; dst: string; delayMs: number }[] };
  /** Undo commands per host (errors ignored). */
  undo: HostCommands;
  /** nftables table the fallback creates on each host. */
  nftTable: string;
  verify: VerifyPair[];
  probePort: number;
}

/** What `e2ctwin engine` reads from its spec file (E2CTWIN_LIVE_SPEC). */
export interface EngineSpec {
  kind: 'engine';
  scenario: string;
  service: string;
  instance: string;
  app: ResolvedApp;
  seed: number;
  port: number;
  /** Cores of the modelled host (informative: the engine runs on what the host has). */
  cores: number;
  /** Other services' URLs, by service id (forward stages). */
  targets: Record<string, string[]>;
  spansFile: string;
  statsFile: string;
  spanLimit: number;
}

/** What `e2ctwin drive` reads from its spec file. */
export interface DriverSpec {
  kind: 'driver';
  scenario: string;
  service: string;
  instances: { name: string; index: number }[];
  workload: Workload;
  target: string;
  targetUrls: string[];
  /** The target's balance (absent: static, each client keeps its instance); see app/balance.ts. */
  balance?: { policy: BalancePolicy; weights?: number[] };
  /** The target's health path: the driver probes an instance it took out of the balance there (default `/`). */
  targetHealth?: string;
  /** Laws of the target app: items per request, bytes of each item (served by the image server), request bytes. */
  items: Dist;
  itemBytes: Dist;
  requestBytes: Dist;
  /** The target app's response-size law (range requests ask for a draw of it). Absent in older specs: 0. */
  responseBytes?: Dist;
  seed: number;
  /** This host's testbed address and the image server's port (item URLs point here). */
  address: string;
  imagePort: number;
  spansFile: string;
  /** Scenario seconds per live second (profiles are written for the scenario's duration). */
  profileTimeScale: number;
  /**
   * The scenario's load steps of this workload, in time order (`at`: scenario seconds, as the profile's
   * times; `index`: the event's position). The driver applies each at its time and reports it. Absent: none.
   */
  loadSteps?: { index: number; at: number; factor: number }[];
  /**
   * The target's scale events (`at`: scenario seconds; `instances`: the count from then on), in time
   * order, and the count it starts with (`scaleFrom`, its quantity). The driver balances among the first
   * `instances` of `targetUrls` only; one brought in is probed until it answers. Absent: never scaled.
   */
  scaleSteps?: { index: number; at: number; instances: number }[];
  scaleFrom?: number;
}
