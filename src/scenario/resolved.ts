import type {
  App,
  Autoscale,
  BalancePolicy,
  Dist,
  Explore,
  Hardware,
  Live,
  Measurement,
  ScenarioDoc,
  ScenarioEvent,
  Workload,
} from './schema/index.js';

/** A thread pool after the service's overrides: size and optional bound on waiting requests. */
export interface ResolvedPool {
  size: number;
  queueLimit?: number;
}

/** An app model with the service's pool sizes and stage overrides applied. */
export interface ResolvedApp extends Omit<App, 'pools' | 'extends'> {
  pools: Record<string, ResolvedPool>;
}

export interface ResolvedService {
  /** `<layer>.<service>`, unique in the scenario. */
  id: string;
  layer: string;
  name: string;
  description?: string;
  quantity: number;
  roles: string[];
  host: Hardware;
  app?: ResolvedApp;
  workload?: Workload;
  live?: Live;
  /** How requests to it choose an instance; absent: static (client i → instance i mod n). */
  balance?: { policy: BalancePolicy; weights?: number[] };
  autoscale?: Autoscale;
  /** Most instances it may have at once (events, autoscaler); absent: `quantity`, always. */
  maxInstances?: number;
}

/** A timed event with its time in simulated seconds (times of day resolved against `clock.startsAt`). */
export type ResolvedEvent = ScenarioEvent extends infer E
  ? E extends ScenarioEvent
    ? Omit<E, 'at'> & { at: number }
    : never
  : never;

/** A network constraint with its link class and defaults applied. */
export interface ResolvedLink {
  src: string;
  dst: string;
  class?: string;
  delayMs: number;
  rateMbps: number;
  lossPercent: number;
  symmetric: boolean;
  sharing: 'per-host' | 'shared';
}

/**
 * A validated scenario with every preset inlined: what the simulator, explorer, live mode and web view
 * receive. Frozen; nothing below the scenario layer re-validates it.
 */
export interface ResolvedScenario {
  name: string;
  description?: string;
  seed: number;
  run: ScenarioDoc['run'];
  layers: { name: string; description?: string; services: ResolvedService[] }[];
  /** All services, in file order. */
  services: ResolvedService[];
  network: ResolvedLink[];
  /** Timed events by time (file order at equal times); absent when there are none. */
  events?: ResolvedEvent[];
  explore?: Explore;
  expect?: Record<string, number>;
  calibrate?: ResolvedCalibrate;
  /** Where the scenario came from (for relative files such as traces). */
  source: { file: string; dir: string };
}

/** Default host when a service names none: one reference core, no GPU, no power, no price. */
export const REFERENCE_HOST: Hardware = Object.freeze({
  name: 'reference',
  description: 'One reference core (speed 1); no GPU, power or price.',
  cpu: { cores: 1, speed: 1 },
  power: { idleW: 0, maxW: 0 },
  pricePerHour: 0,
}) as Hardware;

/** Default link values when a constraint gives none (and for layer pairs with no constraint). */
export const DEFAULT_LINK = { delayMs: 0, rateMbps: 10_000, lossPercent: 0 } as const;

export type { Dist };

/**
 * The scenario's `calibrate:` section with its measurements read: the list itself, wherever it was
 * written, and the file it is in (the scenario, or the measurements file it names) so that problems
 * found later (an override that does not validate, an unknown metric) point at their line.
 */
export type ResolvedCalibrate = Omit<NonNullable<ScenarioDoc['calibrate']>, 'measurements'> & {
  measurements?: Measurement[];
  /** Absolute path of the file holding the list, and the YAML path of the list in it. */
  measurementsAt?: { file: string; path: (string | number)[] };
};
