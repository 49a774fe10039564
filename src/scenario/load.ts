import path from 'node:path';
import { checkReferences } from './checks.js';
import { resolveEvents, resolveServiceDynamics } from './dynamics.js';
import { ScenarioErrorCode, ScenarioError, type ScenarioIssue } from './errors.js';
import {
  displayPath,
  FilePolicy,
  readNamedFile,
  readNamedFileAsync,
  type FileRead,
  type FileRoots,
  type Prefetch,
} from './file-policy.js';
import { applyOverrides, attributeToOverride } from './overrides.js';
import { PARSE_ONCE } from './parse-once.js';
import { MODELS_DIR, PresetLoader, type Origin } from './presets.js';
import {
  DEFAULT_LINK,
  REFERENCE_HOST,
  type ResolvedApp,
  type ResolvedCalibrate,
  type ResolvedLink,
  type ResolvedScenario,
  type ResolvedService,
} from './resolved.js';
import {
  CalibrationSchema,
  MeasurementsFileSchema,
  ScenarioSchema,
  type App,
  type Calibration,
  type Hardware,
  type Measurement,
  type ScenarioDoc,
} from './schema/index.js';
import { type ResolvedSelectors, resolveSelectors } from './selectors.js';
import { readTraceFile, rememberTraces } from './traces.js';
import { YamlSource } from './yaml-source.js';
import { zodIssuesToScenarioIssues } from './zod-issues.js';

export interface LoadOptions extends FileRoots {
  /** `path=value` overrides, applied in order and validated like the file. */
  overrides?: readonly string[];
  /** Scenario text to use instead of reading `file` (the web page posts text); `file` still names it. */
  text?: string;
  /** Folder of presets; default the models/ shipped with e2ctwin. */
  modelsDir?: string;
  /**
   * Folders a file named by the scenario (preset, calibration, trace) may be read from, and no other
   * (the server passes its configured roots; include SHIPPED_ROOTS there, or named presets are refused).
   * Default: the scenario's folder and e2ctwin's models/, scenarios/ and calibration/ (and `modelsDir`),
   * plus {@link extraRoots}. See file-policy.ts.
   */
  allowedRoots?: readonly string[];
  /** Folders added to the default roots (the CLI's `--allow-dir`); ignored with `allowedRoots`. */
  extraRoots?: readonly string[];
  /** Files read ahead (by {@link loadScenarioAsync}); not for other callers. */
  prefetch?: Prefetch;
}

export type LoadResult =
  | { ok: true; scenario: ResolvedScenario; issues: [] }
  | { ok: false; issues: ScenarioIssue[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads, overrides, validates and resolves a scenario. Never throws for a bad scenario: every problem
 * (syntax, types, unknown keys, ranges, dangling references, missing presets, cycles, bad overrides)
 * comes back as a located issue.
 */
export function loadScenario(file: string, options: LoadOptions = {}): LoadResult {
  const src = options.text !== undefined ? YamlSource.fromText(options.text, file) : YamlSource.read(file);
  if (!(src instanceof YamlSource)) return { ok: false, issues: [src] };
  const syntax = src.syntaxIssues();
  if (syntax.length > 0) return { ok: false, issues: syntax };
  if (!isObject(src.toJS()))
    return {
      ok: false,
      issues: [
        src.issue(
          ScenarioErrorCode.INVALID_VALUE,
          [],
          'a scenario must be a YAML mapping (name:, run:, layers: …)',
        ),
      ],
    };

  const { applied, issues } = applyOverrides(src, options.overrides ?? []);
  const raw = src.toJS();
  const parsed = ScenarioSchema.safeParse(raw, PARSE_ONCE);
  if (!parsed.success) {
    issues.push(
      ...zodIssuesToScenarioIssues(parsed.error.issues, ScenarioSchema, raw, src).map((i) =>
        attributeToOverride(i, applied),
      ),
    );
  }

  const policy = FilePolicy.forScenario(file, options);
  const loader = new PresetLoader(options.modelsDir ?? MODELS_DIR, policy);
  const scenarioDir = path.dirname(path.resolve(file));
  const at = (base: PropertyKey[]): Origin => ({ src, base });

  // Presets are resolved even when the document has other problems, so missing files show up in the same report.
  const rawLayers = isObject(raw) && Array.isArray(raw.layers) ? raw.layers : [];
  const hosts: (Hardware | undefined)[][] = [];
  const apps: ({ app: App; origin: Origin } | undefined)[][] = [];
  rawLayers.forEach((layer: unknown, li: number) => {
    hosts[li] = [];
    apps[li] = [];
    const services = isObject(layer) && Array.isArray(layer.services) ? layer.services : [];
    services.forEach((svc: unknown, si: number) => {
      if (!isObject(svc)) return;
      const base = ['layers', li, 'services', si];
      const h = svc.host;
      hosts[li]![si] =
        typeof h === 'string' || isObject(h)
          ? loader.resolve('hardware', h, at([...base, 'host']))
          : REFERENCE_HOST;
      const a = svc.app;
      if (typeof a === 'string' || isObject(a)) {
        const app = loader.resolve('apps', a, at([...base, 'app']));
        apps[li]![si] = app ? { app, origin: loader.origin('apps', a, at([...base, 'app'])) } : undefined;
      }
    });
  });
  const rawNetwork = isObject(raw) && Array.isArray(raw.network) ? raw.network : [];
  const linkClasses = rawNetwork.map((n: unknown, ni: number) =>
    isObject(n) && typeof n.class === 'string'
      ? loader.resolve('links', n.class, at(['network', ni, 'class']))
      : undefined,
  );

  let calibration: Calibration | undefined;
  const traces = new Map<string, Float64Array>();
  if (parsed.success) {
    if (parsed.data.calibration !== undefined) {
      calibration = loadCalibration(
        policy,
        path.resolve(scenarioDir, parsed.data.calibration),
        parsed.data.calibration,
        { top: at([]), issues, applied },
      );
    }
    // Trace files are read and checked here, so that `validate` finds a bad row, not the simulation.
    parsed.data.layers.forEach((layer, li) =>
      layer.services.forEach((svc, si) => {
        const w = svc.workload;
        if (w?.kind !== 'trace') return;
        const r = readTraceFile(policy, scenarioDir, w, (field, code, message, hint) =>
          attributeToOverride(
            src.issue(code, ['layers', li, 'services', si, 'workload', field], message, hint),
            applied,
          ),
        );
        issues.push(...r.issues);
        if (r.times) traces.set(`${layer.name}.${svc.name}`, r.times);
      }),
    );
  }
  // A measurements file is read like the calibration file (same resolution, same policy).
  let measurements: { list: Measurement[]; file: string } | undefined;
  const named = parsed.success ? parsed.data.calibrate?.measurements : undefined;
  if (typeof named === 'string') {
    measurements = loadMeasurementsFile(policy, path.resolve(scenarioDir, named), named, {
      top: at([]),
      issues,
      applied,
    });
  }
  issues.push(...loader.issues.map((i) => attributeToOverride(i, applied)));
  if (!parsed.success || issues.length > 0) return { ok: false, issues: dedupe(issues) };

  const doc = parsed.data;
  const selectors = resolveSelectors(doc);
  issues.push(
    ...checkReferences({ doc, raw, at, hosts, apps, scenarioDir, selectors }).map((i) =>
      attributeToOverride(i, applied),
    ),
  );
  if (issues.length > 0) return { ok: false, issues: dedupe(issues) };

  const scenario = deepFreeze(
    resolve(doc, {
      hosts,
      apps,
      linkClasses,
      calibration,
      file: path.resolve(file),
      selectors,
      measurements,
    }),
  );
  rememberTraces(scenario, traces);
  return { ok: true, scenario, issues: [] };
}

/**
 * {@link loadScenario} with every file read asynchronously (for the server: a large preset or trace does
 * not hold the event loop while it is read). Loads in rounds: each round reads the files the previous one
 * asked for (an `extends` chain adds a round per level), the last round reads nothing. Same result.
 */
export async function loadScenarioAsync(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  let text = options.text;
  if (text === undefined) {
    const r = await readNamedFileAsync(file, 'yaml');
    if (!r.ok)
      return {
        ok: false,
        issues: [
          { code: r.refusal.code, file, line: 0, column: 0, path: '', message: `file ${r.refusal.message}` },
        ],
      };
    text = r.text;
  }
  const policy = FilePolicy.forScenario(file, options);
  const prefetch: Prefetch = { done: new Map(), wanted: new Map() };
  // Each round reads at least one new file; the cap only bounds a pathological extends chain, whose
  // last round then reports the files it could not read.
  for (let round = 0; ; round++) {
    prefetch.wanted.clear();
    const r = loadScenario(file, { ...options, text, prefetch });
    if (prefetch.wanted.size === 0 || round === MAX_READ_ROUNDS) return r;
    for (const [key, w] of prefetch.wanted) prefetch.done.set(key, await policy.readAsync(w.file, w.kind));
  }
}
const MAX_READ_ROUNDS = 64;

/**
 * {@link loadScenario} for a caller that loads the same scenario many times with different overrides (a
 * study's worker): the files are read once, into `files`, and later loads answer from it — the scenario
 * file itself (by its path) and every file it names (presets, calibration, measurements, traces: read under
 * each load's policy, as loadScenario would). The caller keeps `files` only while the files cannot have
 * changed (a study names them by digest). Same result as {@link loadScenario} on the same files.
 */
export function loadScenarioReusingFiles(
  file: string,
  options: LoadOptions,
  files: Map<string, FileRead>,
): LoadResult {
  let text = options.text;
  if (text === undefined) {
    const key = `scenario\0${path.resolve(file)}`;
    let read = files.get(key);
    if (!read) {
      read = readNamedFile(file, 'yaml');
      files.set(key, read);
    }
    // A file that cannot be read: loadScenario reports it as it does.
    if (!read.ok) return loadScenario(file, options);
    text = read.text;
  }
  const prefetch: Prefetch = { done: files, wanted: new Map() };
  for (let round = 0; ; round++) {
    prefetch.wanted.clear();
    const r = loadScenario(file, { ...options, text, prefetch });
    if (prefetch.wanted.size === 0 || round === MAX_READ_ROUNDS) return r;
    const policy = FilePolicy.forScenario(file, options);
    for (const [key, w] of prefetch.wanted) files.set(key, policy.read(w.file, w.kind));
  }
}

/** Like {@link loadScenario} but throws a {@link ScenarioError} carrying every issue. */
export function loadScenarioOrThrow(file: string, options: LoadOptions = {}): ResolvedScenario {
  const r = loadScenario(file, options);
  if (!r.ok) throw new ScenarioError(r.issues);
  return r.scenario;
}

/** Where a referenced file's problems go: located at `top`, attributed to the override that named it. */
interface IssueSink {
  top: Origin;
  issues: ScenarioIssue[];
  applied: Parameters<typeof attributeToOverride>[1];
}

/** Reads the `calibration:` params file under the policy; its problems are located in it, unquoted. */
function loadCalibration(
  policy: FilePolicy,
  file: string,
  written: string,
  sink: IssueSink,
): Calibration | undefined {
  const { top, issues, applied } = sink;
  const r = policy.read(file, 'yaml');
  if (!r.ok) {
    const message =
      r.refusal.code === ScenarioErrorCode.FILE_MISSING
        ? `calibration file ${written} not found`
        : `calibration file ${r.refusal.message}`;
    issues.push(
      attributeToOverride(top.src.issue(r.refusal.code, ['calibration'], message, r.refusal.hint), applied),
    );
    return undefined;
  }
  const src = YamlSource.foreign(r.text, displayPath(r.real));
  const syntax = src.syntaxIssues();
  if (syntax.length > 0) {
    issues.push(...syntax);
    return undefined;
  }
  const parsed = CalibrationSchema.safeParse(src.toJS(), PARSE_ONCE);
  if (!parsed.success) {
    issues.push(...zodIssuesToScenarioIssues(parsed.error.issues, CalibrationSchema, src.toJS(), src));
    return undefined;
  }
  return parsed.data;
}

function loadMeasurementsFile(
  policy: FilePolicy,
  file: string,
  written: string,
  sink: IssueSink,
): { list: Measurement[]; file: string } | undefined {
  const { top, issues, applied } = sink;
  const r = policy.read(file, 'yaml');
  if (!r.ok) {
    const message =
      r.refusal.code === ScenarioErrorCode.FILE_MISSING
        ? `measurements file ${written} not found`
        : `measurements file ${r.refusal.message}`;
    issues.push(
      attributeToOverride(
        top.src.issue(r.refusal.code, ['calibrate', 'measurements'], message, r.refusal.hint),
        applied,
      ),
    );
    return undefined;
  }
  const src = YamlSource.foreign(r.text, displayPath(r.real));
  const syntax = src.syntaxIssues();
  if (syntax.length > 0) {
    issues.push(...syntax);
    return undefined;
  }
  const parsed = MeasurementsFileSchema.safeParse(src.toJS(), PARSE_ONCE);
  if (!parsed.success) {
    issues.push(...zodIssuesToScenarioIssues(parsed.error.issues, MeasurementsFileSchema, src.toJS(), src));
    return undefined;
  }
  return { list: parsed.data.measurements, file: r.real };
}

function resolveCalibrate(
  c: NonNullable<ScenarioDoc['calibrate']>,
  file: string,
  fromFile: { list: Measurement[]; file: string } | undefined,
): ResolvedCalibrate {
  const { measurements, ...rest } = c;
  if (fromFile)
    return {
      ...rest,
      measurements: fromFile.list,
      measurementsAt: { file: fromFile.file, path: ['measurements'] },
    };
  if (Array.isArray(measurements))
    return { ...rest, measurements, measurementsAt: { file, path: ['calibrate', 'measurements'] } };
  return rest;
}

/** What loading found besides the document: each service's host and app, each link's class, the files read. */
interface ResolveParts {
  hosts: (Hardware | undefined)[][];
  apps: ({ app: App } | undefined)[][];
  linkClasses: ({ delayMs: number; rateMbps: number; lossPercent: number } | undefined)[];
  calibration: Calibration | undefined;
  file: string;
  selectors: ResolvedSelectors;
  measurements?: { list: Measurement[]; file: string } | undefined;
}

function resolve(doc: ScenarioDoc, parts: ResolveParts): ResolvedScenario {
  const { hosts, apps, linkClasses, calibration, file, selectors, measurements } = parts;
  const layers = doc.layers.map((layer, li) => ({
    name: layer.name,
    ...(layer.description !== undefined ? { description: layer.description } : {}),
    services: layer.services.map((s, si): ResolvedService => {
      const id = `${layer.name}.${s.name}`;
      const app = apps[li]?.[si]?.app;
      return {
        id,
        layer: layer.name,
        name: s.name,
        quantity: s.quantity,
        roles: s.roles,
        ...(s.description !== undefined ? { description: s.description } : {}),
        host: hosts[li]?.[si] ?? REFERENCE_HOST,
        ...(app
          ? { app: resolveApp(app, s.pools, { ...s.stages, ...calibration?.services[id]?.stages }) }
          : {}),
        ...(s.workload
          ? { workload: { ...s.workload, target: selectors.targets.get(id) ?? s.workload.target } }
          : {}),
        ...(s.live ? { live: s.live } : {}),
        ...resolveServiceDynamics(doc, id, s),
      };
    }),
  }));
  // A selector matching several names (a glob, a role) becomes one constraint per pair of names, in
  // place: the model reads only layer names and service ids.
  const network = doc.network.flatMap((n, ni): ResolvedLink[] => {
    const cls = linkClasses[ni];
    const ends = selectors.network[ni] ?? { src: [n.src], dst: [n.dst] };
    return ends.src.flatMap((src) =>
      ends.dst.map((dst) => ({
        src,
        dst,
        ...(n.class !== undefined ? { class: n.class } : {}),
        delayMs: n.delayMs ?? cls?.delayMs ?? DEFAULT_LINK.delayMs,
        rateMbps: n.rateMbps ?? cls?.rateMbps ?? DEFAULT_LINK.rateMbps,
        lossPercent: n.lossPercent ?? cls?.lossPercent ?? DEFAULT_LINK.lossPercent,
        symmetric: n.symmetric,
        sharing: n.sharing,
      })),
    );
  });
  return {
    name: doc.name,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    seed: doc.seed,
    run: doc.run,
    layers,
    services: layers.flatMap((l) => l.services),
    network,
    ...(doc.events.length > 0 ? { events: resolveEvents(doc) } : {}),
    ...(doc.explore ? { explore: doc.explore } : {}),
    ...(doc.expect ? { expect: doc.expect } : {}),
    ...(doc.calibrate ? { calibrate: resolveCalibrate(doc.calibrate, file, measurements) } : {}),
    source: { file, dir: path.dirname(file) },
  };
}

function resolveApp(
  app: App,
  pools: ScenarioDoc['layers'][number]['services'][number]['pools'],
  stages: Record<string, { demand?: unknown; sizeBytes?: unknown; concurrency?: unknown }>,
): ResolvedApp {
  const { extends: _ignored, pools: basePools, ...rest } = app;
  const merged: ResolvedApp['pools'] = {};
  for (const [name, p] of Object.entries({ ...basePools, ...pools })) {
    merged[name] =
      typeof p === 'number'
        ? { size: p }
        : { size: p.size, ...(p.queueLimit !== undefined ? { queueLimit: p.queueLimit } : {}) };
  }
  return {
    ...rest,
    pools: merged,
    stages: app.stages.map((st) => {
      const o = stages[st.name];
      return o ? { ...st, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } : st;
    }),
  };
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.file}:${i.line}:${i.column}:${i.path}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
