import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  E2CTWIN_VERSION,
  readMeasuredRun,
  RunFolderError,
  type MeasuredRunFolder,
} from '../run-folder/index.js';
import { loadScenarioOrThrow, type FileRoots, type ResolvedScenario } from '../scenario/index.js';
import { CalibrateError, CalibrateErrorCode } from './errors.js';
import { loadHeldOutOrThrow, type HeldOut, type HeldOutConfig } from './held-out.js';
import { predict } from './predict.js';
import {
  measuredResponseTimes,
  scoreValidation,
  sideSummary,
  type ConfigInput,
  type ValidationReport,
} from './validation-report.js';

// validate-twin's orchestration, free of any testbed: held-out configurations are measured by a
// `measure` function the caller gives (live mode on a testbed, from the command line; a fake in
// tests), or reused from their run folders; the twin (scenario + calibration) simulates each over the
// window that was measured; the two are scored. Paths are shown by `show` in progress lines and by
// `record` in the report and in errors (the command line: both relative to the current folder, `show`
// absolute for paths outside it).

/** A configuration to measure: its run folder is to be written at `dir`. */
export interface MeasureRequest {
  config: HeldOutConfig;
  /** `--set` of every configuration, then the configuration's own. */
  overrides: string[];
  dir: string;
  /** `[i/n] name`, for progress lines. */
  tag: string;
}

/** Measures one configuration and writes its run folder; the folder read as a measurement, or why there is none. */
export type Measure = (request: MeasureRequest) => Promise<MeasuredRunFolder | string>;

export interface ValidationInput {
  /** The scenario as deployed (the live system; its own demands). */
  scenarioFile: string;
  /** The params file `e2ctwin calibrate` wrote: applied to the twin only. Optional with `twinSet`. */
  calibrationFile?: string | undefined;
  /**
   * Overrides of the twin only, after the params file (e.g. a calibration set's median vector); with
   * what they come from, for the report.
   */
  twinSet?: { overrides: string[]; from: string } | undefined;
  /** Held-out configurations (`configs: [{name, set}]`). */
  configsFile: string;
  /** Overrides of every configuration, twin and live alike. */
  set: readonly string[];
  /** Where scenario files may be read from (the calibration file is always allowed). */
  roots?: FileRoots;
  /** Folder of the run folders, one per configuration name (undefined: none given). */
  runsDir: string | undefined;
  /** Whether configurations without a run folder can be measured (a `measure` will be given). */
  canMeasure: boolean;
  log: (line: string) => void;
  /** How a path is shown in progress lines (default: as given). */
  show?: (p: string) => string;
  /** How a path is written in the report and in errors (default: as given). */
  record?: (p: string) => string;
}

/** The inputs of a validation, loaded and checked: nothing has run yet. */
export interface PreparedValidation {
  input: ValidationInput;
  runsDir: string;
  deployed: ResolvedScenario;
  heldOut: HeldOut;
  /** The deployed scenario with a configuration's overrides (what its live run deploys). */
  scenarioOf(config: HeldOutConfig): ResolvedScenario;
}

/**
 * Loads and checks everything a validation needs before anything runs: the files exist, the scenario
 * loads with and without the calibration, and every configuration applied to it is a valid scenario
 * (all its problems at once, located: a {@link HeldOutError}).
 * @throws CalibrateError FILE_MISSING, NO_MEASUREMENTS (neither run folders nor a way to measure), NO_OUT
 */
export function prepareValidation(input: ValidationInput): PreparedValidation {
  const { calibrationFile, configsFile, runsDir } = input;
  if (calibrationFile === undefined && input.twinSet === undefined)
    throw new CalibrateError(
      CalibrateErrorCode.FILE_MISSING,
      'give --calibration <params.yaml> (or --calibration-set <file>, whose median vector is then the twin)',
    );
  if (calibrationFile !== undefined && !existsSync(calibrationFile))
    throw new CalibrateError(
      CalibrateErrorCode.FILE_MISSING,
      `--calibration ${calibrationFile}: file not found`,
      { file: calibrationFile },
    );
  if (!existsSync(configsFile))
    throw new CalibrateError(CalibrateErrorCode.FILE_MISSING, `--configs ${configsFile}: file not found`, {
      file: configsFile,
    });
  if (!input.canMeasure && runsDir === undefined)
    throw new CalibrateError(
      CalibrateErrorCode.NO_MEASUREMENTS,
      'give --testbed to measure the configurations live, or --live-runs <dir> with their measured run folders (or both: only the missing ones run)',
    );
  if (!input.canMeasure && !existsSync(runsDir!))
    throw new CalibrateError(CalibrateErrorCode.FILE_MISSING, `--live-runs ${runsDir}: folder not found`, {
      file: runsDir,
    });
  if (runsDir === undefined)
    throw new CalibrateError(
      CalibrateErrorCode.NO_OUT,
      'with --testbed, give --out <dir> (or --live-runs <dir>) for the live run folders',
    );
  const roots = rootsWithCalibration(input);
  const deployed = loadScenarioOrThrow(input.scenarioFile, { overrides: [...input.set], ...roots });
  const twinBase = loadScenarioOrThrow(input.scenarioFile, {
    overrides: [...input.set, ...calibrationOverride(input)],
    ...roots,
  });
  if (
    input.twinSet === undefined &&
    deployed.services.every(
      (s) => JSON.stringify(s.app) === JSON.stringify(twinBase.services.find((x) => x.id === s.id)?.app),
    )
  ) {
    input.log(
      `warning: ${calibrationFile} changes no stage of ${input.scenarioFile}: the twin is the scenario as it is`,
    );
  }
  if (calibrationFile !== undefined) {
    const lacking = fittedSwitches(calibrationFile).filter(
      ([field, value]) =>
        JSON.stringify(twinBase.run[field as keyof ResolvedScenario['run']]) !== JSON.stringify(value),
    );
    if (lacking.length > 0)
      input.log(
        `warning: ${calibrationFile} was fitted with ${lacking.map(([f, v]) => `run.${f}=${v}`).join(' ')}, which this twin does not have: score it with the same --twin-set`,
      );
  }
  const heldOut = loadHeldOutOrThrow(
    configsFile,
    input.scenarioFile,
    [...input.set, ...calibrationOverride(input)],
    roots,
  );
  return {
    input,
    runsDir,
    deployed,
    heldOut,
    scenarioOf: (c) =>
      loadScenarioOrThrow(input.scenarioFile, {
        overrides: [...input.set, ...c.set],
        ...(input.roots ?? {}),
      }),
  };
}

export interface ValidationOptions {
  /** Measures configurations without a usable run folder; absent: they stay missing. */
  measure?: Measure;
  /** Twin replications per configuration. */
  replications: number;
  /** Root seed of the twin (default: the scenario's). */
  seed?: number;
  /** Asked before each configuration: a reason to stop measuring (an interruption), or undefined. */
  stopped?: () => string | undefined;
  /** Extra fields of the report's setup (e.g. the testbed file). */
  setup?: Record<string, unknown>;
}

export interface ValidationOutcome {
  report: ValidationReport;
  /** Per scored configuration: the response times predicted and measured (for the CDF plot). */
  samples: Map<string, { predicted: number[]; measured: number[] }>;
  /** Configurations scored (0: nothing could be measured). */
  scored: number;
  /** Corrupt run folders skipped. */
  corrupt: number;
  /** Each scored configuration as the twin simulated it (overrides with the calibration and the measured window) and its measured metrics. */
  measured: { name: string; overrides: string[]; measured: MeasuredRunFolder['metrics'] }[];
}

/**
 * Measures (or reuses) every held-out configuration in order, simulates the twin over each measured
 * window, and scores the twin. A configuration whose run folder is missing, failed or corrupt is
 * measured when `measure` is given, else reported missing; a corrupt folder is named and skipped, never
 * fatal. A reused folder of other overrides or another scenario is an error (RUN_MISMATCH): it would
 * score the twin against the wrong measurement.
 */
export async function runValidation(v: PreparedValidation, o: ValidationOptions): Promise<ValidationOutcome> {
  const { input, deployed, heldOut } = v;
  const show = input.show ?? ((p: string) => p);
  const record = input.record ?? ((p: string) => p);
  const log = input.log;
  const measured = new Map<string, MeasuredRunFolder>();
  const missing: ValidationReport['missing'] = [];
  for (const [i, c] of heldOut.configs.entries()) {
    const dir = path.join(v.runsDir, c.name);
    const tag = `[${i + 1}/${heldOut.configs.length}] ${c.name}`;
    const overrides = [...input.set, ...c.set];
    const stop = o.stopped?.();
    let got = existsSync(dir) ? readOrSkip(dir, tag, log) : `no run folder ${show(dir)}`;
    if (typeof got !== 'string') {
      if (JSON.stringify(got.overrides) !== JSON.stringify(overrides)) {
        throw new CalibrateError(
          CalibrateErrorCode.RUN_MISMATCH,
          `${record(dir)} measured --set ${got.overrides.join(' ') || '(none)'}, but configuration "${c.name}" is --set ${overrides.join(' ') || '(none)'}: a run folder of another configuration`,
          { dir, config: c.name },
        );
      }
      if (got.scenario !== deployed.name)
        throw new CalibrateError(
          CalibrateErrorCode.RUN_MISMATCH,
          `${record(dir)} is a run of scenario "${got.scenario}", not "${deployed.name}"`,
          { dir, scenario: got.scenario },
        );
      log(`${tag}: measured run ${show(dir)} reused`);
    } else if (o.measure && !stop) {
      got = await o.measure({ config: c, overrides, dir, tag });
      if (typeof got === 'string') log(`${tag}: ${got}`);
    } else if (stop) {
      got = stop;
    }
    if (typeof got !== 'string') measured.set(c.name, got);
    else if (got.startsWith(CORRUPT))
      missing.push({ name: c.name, reason: got.slice(CORRUPT.length), corrupt: true });
    else missing.push({ name: c.name, reason: got });
  }

  // The twin simulates each measured configuration over the window that was measured.
  const roots = rootsWithCalibration(input);
  const inputs: ConfigInput[] = [];
  const scoredConfigs: ValidationOutcome['measured'] = [];
  const samples = new Map<string, { predicted: number[]; measured: number[] }>();
  for (const c of heldOut.configs) {
    const m = measured.get(c.name);
    if (!m) continue;
    const window = [`run.duration=${m.durationS}`, `run.warmup=${m.warmupS}`];
    const twinOverrides = [...input.set, ...calibrationOverride(input), ...c.set, ...window];
    scoredConfigs.push({ name: c.name, overrides: twinOverrides, measured: m.metrics });
    const twin = loadScenarioOrThrow(input.scenarioFile, { overrides: twinOverrides, ...roots });
    log(`twin ${c.name}: ${o.replications} replications of ${m.durationS} s (warm-up ${m.warmupS} s)`);
    const p = predict(twin, {
      replications: o.replications,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
    });
    const mr = measuredResponseTimes(m.spans, m.windows);
    inputs.push({
      name: c.name,
      set: c.set,
      run: record(m.dir),
      predicted: { ...sideSummary(p.result as never, p.responseTimes), responseTimes: p.responseTimes },
      measured: { ...sideSummary(m.metrics as never, mr), responseTimes: mr },
    });
    samples.set(c.name, { predicted: p.responseTimes, measured: mr });
  }
  const first = [...measured.values()][0];
  const { testbed, ...setup } = o.setup ?? {};
  const report = scoreValidation(deployed.name, inputs, missing, {
    scenario: record(input.scenarioFile),
    calibration: input.calibrationFile !== undefined ? record(input.calibrationFile) : null,
    ...(input.twinSet
      ? { twinSet: { from: record(input.twinSet.from), overrides: input.twinSet.overrides } }
      : {}),
    configs: record(input.configsFile),
    ...(input.set.length ? { set: input.set } : {}),
    replications: o.replications,
    seed: o.seed ?? deployed.seed,
    liveRuns: record(v.runsDir),
    ...(testbed !== undefined ? { testbed } : {}),
    liveRepetitions: first ? (first.metrics.replications ?? 1) : null,
    measuredWindow: first ? { durationS: first.durationS, warmupS: first.warmupS } : null,
    heldOutDescription: heldOut.description ?? null,
    e2ctwinVersion: E2CTWIN_VERSION,
    ...setup,
  });
  return {
    report,
    samples,
    scored: inputs.length,
    corrupt: missing.filter((m) => m.corrupt).length,
    measured: scoredConfigs,
  };
}

/**
 * A configuration's run folder as a measurement, or why not; a corrupt folder is reported (the file and
 * the problem) and skipped, so that one bad folder does not abort the report over the others.
 */
export function readOrSkip(
  dir: string,
  tag: string,
  log: (line: string) => void,
): MeasuredRunFolder | string {
  try {
    return readMeasuredRun(dir);
  } catch (e) {
    if (!(e instanceof RunFolderError)) throw e;
    log(`${tag}: skipped: ${e.message} [${e.code}]`);
    return `${CORRUPT}${e.message} [${e.code}]`;
  }
}

// Marks the reason of a skipped corrupt folder until it is filed as such in the report's missing list.
const CORRUPT = 'corrupt run folder: ';

/** What makes the twin of the deployed scenario: the params file, then the twin-only overrides. */
const calibrationOverride = (input: ValidationInput): string[] => [
  ...(input.calibrationFile !== undefined ? [`calibration=${path.resolve(input.calibrationFile)}`] : []),
  ...(input.twinSet?.overrides ?? []),
];

/** The run switches a params file's factors were fitted under (`calibrate --twin-set`), as [field, value]. */
function fittedSwitches(file: string): [string, unknown][] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as {
    provenance?: { factors?: { twinSet?: unknown } };
  } | null;
  const list = doc?.provenance?.factors?.twinSet;
  if (!Array.isArray(list)) return [];
  return list
    .filter((o): o is string => typeof o === 'string' && o.startsWith('run.') && o.includes('='))
    .map((o) => [o.slice(4, o.indexOf('=')), parseYaml(o.slice(o.indexOf('=') + 1)) as unknown]);
}

/** The params file named on the command line may be read wherever it is (that file only). */
function rootsWithCalibration(input: ValidationInput): FileRoots {
  if (input.calibrationFile === undefined) return input.roots ?? {};
  return {
    ...(input.roots ?? {}),
    extraRoots: [...(input.roots?.extraRoots ?? []), path.resolve(input.calibrationFile)],
  };
}
