import { z } from 'zod';

// run.json, the file that makes a folder a run folder: what ran, by which e2ctwin, and (live runs) how
// it went. One schema per kind, keyed by `kind`; writers build their run.json through these schemas
// (so a writer cannot drift from what readers expect), readers check it with them. Objects are loose:
// a reader ignores fields it does not know (a newer e2ctwin may add some). Fields marked "optional:
// older folders" are absent from run folders written before they were added (the shipped
// calibration/local-testbed/runs among them) and must stay optional for those to read.

const seconds = z.number().nonnegative();
const isoTime = z.string();

/** `e2ctwin simulate --out` and a simulation started from the browser (`serve`). */
export const SimulationRunJson = z.looseObject({
  kind: z.literal('simulation'),
  scenario: z.string(),
  scenarioFile: z.string(),
  overrides: z.array(z.string()),
  seed: z.number(),
  replications: z.number().int().positive(),
  e2ctwinVersion: z.string(),
  gitCommit: z.string().nullable(),
  node: z.string(),
  finishedAt: isoTime,
  wallSeconds: seconds,
});
export type SimulationRunJson = z.output<typeof SimulationRunJson>;

/** A measured window of a live run, seconds on the run's clock (0 = the first repetition's start). */
export const RunWindow = z.looseObject({
  start: z.number(),
  warmupEnd: z.number(),
  end: z.number(),
  plannedEnd: z.number().optional(),
});
export type RunWindow = z.output<typeof RunWindow>;

/** How long a live run measured, against its plan (per-second rates are over `actualS`). */
export const MeasuredTimeJson = z.looseObject({
  plannedS: seconds,
  actualS: seconds,
  stoppedAtS: z.number().nullable(),
  interrupted: z.boolean(),
  repetitionsPlanned: z.number().int().nonnegative(),
  repetitionsMeasured: z.number().int().nonnegative(),
});

export const LIVE_STATUSES = ['ok', 'failed', 'interrupted'] as const;
export type LiveStatus = (typeof LIVE_STATUSES)[number];

/** `e2ctwin live --out` (and the live runs of `validate-twin`). */
export const LiveRunJson = z.looseObject({
  kind: z.literal('live'),
  status: z.enum(LIVE_STATUSES),
  failure: z.string().optional(),
  /** Optional: older folders. */
  interrupted: z.boolean().optional(),
  /** Optional: older folders. */
  measured: MeasuredTimeJson.optional(),
  scenario: z.string(),
  scenarioFile: z.string(),
  overrides: z.array(z.string()),
  testbedFile: z.string(),
  provider: z.string(),
  runId: z.string(),
  seed: z.number(),
  durationS: z.number().positive(),
  warmupS: seconds,
  repeat: z.number().int().positive(),
  startedAt: isoTime.nullable(),
  finishedAt: isoTime,
  emulation: z.looseObject({
    mode: z.string(),
    delay: z.string(),
    netemSupported: z.boolean().nullable(),
    description: z.string(),
  }),
  windows: z.array(RunWindow),
  drivers: z.array(z.looseObject({ id: z.string(), summary: z.unknown() })),
  /** The scenario's timed events as each repetition applied them (times on the run's clock). Optional: older folders, runs without events. */
  events: z
    .array(
      z.looseObject({
        index: z.number().int().nonnegative(),
        action: z.string(),
        label: z.string(),
        repetition: z.number().int().positive(),
        scheduledS: z.number(),
        startedS: z.number(),
        appliedS: z.number(),
        lateS: z.number(),
        note: z.string().optional(),
      }),
    )
    .optional(),
  versions: z.record(z.string(), z.unknown()),
  warnings: z.array(z.string()),
  /**
   * Wall-clock seconds of each phase of the run, in the order they ran: plan, hosts (provision, files,
   * network constraints), networkCheck, services (images, prepare, start + readiness), drive, collect,
   * cleanup. Optional: older folders (and a run folder whose run.json could not be rewritten after cleanup).
   */
  phases: z.record(z.string(), seconds).optional(),
});
export type LiveRunJson = z.output<typeof LiveRunJson>;

/**
 * The files of a run folder that readers know by name (the server serves only these): run.json, what
 * every kind writes (metrics, resolved scenario, trace), the simulation's Chrome trace export, and what
 * a simulation started from the browser adds (its time series, the scenario text it posted).
 */
export const RUN_FILES = [
  'run.json',
  'metrics.json',
  'scenario.resolved.json',
  'trace.jsonl',
  'chrome-trace.json',
  'series.json',
  'scenario.yaml',
] as const;
export type RunFile = (typeof RUN_FILES)[number];

/** run.json of any kind e2ctwin writes. */
export const RunJson = z.discriminatedUnion('kind', [SimulationRunJson, LiveRunJson]);
export type RunJson = z.output<typeof RunJson>;
export type RunKind = RunJson['kind'];
export const RUN_KINDS: readonly RunKind[] = ['simulation', 'live'];

/**
 * What a list of runs shows of a run.json, read leniently: a field that is missing or of another type
 * is null (a folder hand-edited, or written by another tool, is still listed), nothing is refused.
 */
export interface RunListing {
  kind: string;
  scenario: string;
  seed: number | null;
  replications: number | null;
  overrides: string[];
  finishedAt: string | null;
}

const num = (v: unknown) => (typeof v === 'number' ? v : null);

export function runListing(run: unknown): RunListing {
  const r = (run && typeof run === 'object' ? run : {}) as Record<string, unknown>;
  return {
    kind: String(r.kind ?? 'run'),
    scenario: String(r.scenario ?? ''),
    seed: num(r.seed),
    replications: num(r.replications),
    overrides: Array.isArray(r.overrides) ? r.overrides.map(String) : [],
    finishedAt: typeof r.finishedAt === 'string' ? r.finishedAt : null,
  };
}
