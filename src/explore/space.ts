import type { Explore } from '../scenario/index.js';
import type { Rng } from '../random/index.js';
import { ExploreError, ExploreErrorCode } from './errors.js';

/** A parameter value as it goes into a `--set path=value` override. */
export type Value = number | string | boolean;

/** One value per parameter of the space, in the space's parameter order. Plain data. */
export type Config = Value[];

/** A scenario field to vary: a list of levels (discrete) or an interval (continuous). */
export interface Param {
  /** The field path as written (`cloud.engine.pools.extract`). */
  path: string;
  /** A short unique label for tables (`extract`). */
  name: string;
  /** Ordered levels of a discrete parameter; undefined for a continuous one. */
  levels?: readonly Value[];
  /** Interval of a continuous parameter (also the numeric span of numeric levels). */
  min?: number;
  max?: number;
  /** Sampled on a log scale. */
  log: boolean;
  /** Levels that are not all numbers (strings, booleans): unordered categories. */
  categorical: boolean;
}

/**
 * Coordinates used by model-based optimizers: each parameter maps to one real coordinate in [lo, hi].
 * Discrete linear parameters use their level index (step 1), log ones the log of the value, categorical
 * ones the category index (`categories` set), continuous ones the value (or its log).
 */
export interface Coord {
  lo: number;
  hi: number;
  step?: number;
  categories?: number;
}

const EPS = 1e-9;
const tidy = (x: number) => Number(x.toPrecision(12));

/** Levels of a range with a step (or every integer of an integer range), ascending. */
function rangeLevels(min: number, max: number, step: number, integer: boolean): number[] {
  const n = Math.floor((max - min) / step + EPS);
  if (n > 1_000_000)
    throw new ExploreError(
      ExploreErrorCode.BAD_PARAM,
      `range ${min}..${max} with step ${step} has more than a million levels`,
      { min, max, step },
    );
  return Array.from({ length: n + 1 }, (_, i) =>
    integer ? Math.round(min + i * step) : tidy(min + i * step),
  );
}

/** Builds a parameter from a range or a value list (the shapes of the scenario's `explore.params`). */
export function makeParam(path: string, spec: Explore['params'][string]): Param {
  if ('values' in spec) {
    const levels = [...spec.values];
    const numeric = levels.every((v) => typeof v === 'number');
    const nums = numeric ? (levels as number[]) : [];
    return {
      path,
      name: path,
      levels,
      log: false,
      categorical: !numeric,
      ...(numeric ? { min: Math.min(...nums), max: Math.max(...nums) } : {}),
    };
  }
  const { min, max, integer, log } = spec;
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) {
    throw new ExploreError(ExploreErrorCode.BAD_PARAM, `${path}: the range ${min}..${max} is empty`, {
      path,
      min,
      max,
    });
  }
  if (log && min <= 0)
    throw new ExploreError(
      ExploreErrorCode.BAD_PARAM,
      `${path}: a log-scale range must be positive (got ${min}..${max})`,
      { path, min, max },
    );
  const step = spec.step ?? (integer ? 1 : undefined);
  if (integer && (!Number.isInteger(min) || !Number.isInteger(max))) {
    throw new ExploreError(
      ExploreErrorCode.BAD_PARAM,
      `${path}: an integer range needs integer bounds (got ${min}..${max})`,
      { path, min, max },
    );
  }
  if (step === undefined) return { path, name: path, min, max, log, categorical: false };
  return {
    path,
    name: path,
    levels: rangeLevels(min, max, step, integer),
    min,
    max,
    log,
    categorical: false,
  };
}

/**
 * Parses a `--param` flag: `path=lo..hi` (integers when both bounds are, every integer between them),
 * `path=lo..hi:step`, `path=lo..hi:log`, or `path=a,b,c` (a list of values; YAML scalars).
 */
export function parseParamFlag(text: string): Param {
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw new ExploreError(
      ExploreErrorCode.BAD_PARAM,
      `--param "${text}" is not of the form path=lo..hi, path=lo..hi:step or path=a,b,c`,
      { text },
    );
  const path = text.slice(0, eq).trim();
  const rhs = text.slice(eq + 1).trim();
  const range = /^(-?[\d.]+(?:e-?\d+)?)\s*\.\.\s*(-?[\d.]+(?:e-?\d+)?)(?::(log|[\d.]+(?:e-?\d+)?))?$/i.exec(
    rhs,
  );
  if (range) {
    const min = Number(range[1]),
      max = Number(range[2]);
    const mod = range[3];
    if (!Number.isFinite(min) || !Number.isFinite(max))
      throw new ExploreError(ExploreErrorCode.BAD_PARAM, `--param ${text}: bounds must be numbers`, { text });
    const integer =
      Number.isInteger(min) &&
      Number.isInteger(max) &&
      (mod === undefined || mod === 'log' || Number.isInteger(Number(mod)));
    if (mod !== undefined && mod !== 'log' && !(Number(mod) > 0))
      throw new ExploreError(ExploreErrorCode.BAD_PARAM, `--param ${text}: the step must be positive`, {
        text,
      });
    return makeParam(path, {
      min,
      max,
      integer,
      log: mod === 'log',
      ...(mod !== undefined && mod !== 'log' ? { step: Number(mod) } : {}),
    });
  }
  if (rhs === '') throw new ExploreError(ExploreErrorCode.BAD_PARAM, `--param ${text}: no values`, { text });
  if (rhs.includes('..'))
    throw new ExploreError(
      ExploreErrorCode.BAD_PARAM,
      `--param ${text}: a range is lo..hi, lo..hi:step (step > 0) or lo..hi:log`,
      { text },
    );
  const values = rhs
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(scalar);
  return makeParam(path, { values });
}

function scalar(s: string): Value {
  if (s === 'true') return true;
  if (s === 'false') return false;
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : s;
}

/** The parameter space of a study: the product of its parameters. */
export class Space {
  readonly params: readonly Param[];

  constructor(params: readonly Param[]) {
    if (params.length === 0)
      throw new ExploreError(
        ExploreErrorCode.NO_PARAMS,
        'no parameters to vary',
        {},
        'give --param path=lo..hi or an explore.params section in the scenario',
      );
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.path))
        throw new ExploreError(ExploreErrorCode.BAD_PARAM, `parameter ${p.path} is given twice`, {
          path: p.path,
        });
      seen.add(p.path);
    }
    this.params = shortNames(params);
  }

  /** Builds the space from `--param` flags, or else from the scenario's `explore.params`. */
  static from(flags: readonly string[], explore: Explore | undefined): Space {
    if (flags.length > 0) return new Space(flags.map(parseParamFlag));
    return new Space(Object.entries(explore?.params ?? {}).map(([path, spec]) => makeParam(path, spec)));
  }

  get dims(): number {
    return this.params.length;
  }

  /** Number of distinct configurations (Infinity with a continuous parameter). */
  get size(): number {
    return this.params.reduce((n, p) => n * (p.levels ? p.levels.length : Infinity), 1);
  }

  /** A stable text key of a configuration (same configuration, same key). */
  key(c: Config): string {
    return JSON.stringify(c);
  }

  /** `path=value` overrides that set the configuration in the scenario. */
  overrides(c: Config): string[] {
    return this.params.map((p, i) => `${p.path}=${formatValue(c[i]!)}`);
  }

  /** The configuration as `{name: value}` (short names, for tables and JSON). */
  record(c: Config): Record<string, Value> {
    return Object.fromEntries(this.params.map((p, i) => [p.name, c[i]!]));
  }

  /** Maps a point of the unit cube to a configuration (each coordinate in [0, 1)). */
  fromUnit(u: readonly number[]): Config {
    return this.params.map((p, i) => paramFromUnit(p, Math.min(Math.max(u[i]!, 0), 1 - 1e-12)));
  }

  /** The inverse of {@link fromUnit} (the centre of a discrete level's cell). */
  toUnit(c: Config): number[] {
    return this.params.map((p, i) => paramToUnit(p, c[i]!));
  }

  /** A uniformly random configuration. */
  random(rng: Rng): Config {
    return this.fromUnit(this.params.map(() => rng()));
  }

  /** Model coordinates of the parameters (see {@link Coord}). */
  coords(): Coord[] {
    return this.params.map((p) => {
      if (p.levels && p.categorical) return { lo: 0, hi: p.levels.length - 1, categories: p.levels.length };
      if (p.levels && !p.log) return { lo: 0, hi: p.levels.length - 1, step: 1 };
      const t = p.log ? Math.log : (x: number) => x;
      return { lo: t(p.min!), hi: t(p.max!) };
    });
  }

  toCoord(c: Config): number[] {
    return this.params.map((p, i) => {
      const v = c[i]!;
      if (p.levels && (p.categorical || !p.log)) return levelIndex(p, v);
      return p.log ? Math.log(v as number) : (v as number);
    });
  }

  fromCoord(x: readonly number[]): Config {
    return this.params.map((p, i) => {
      const xi = x[i]!;
      if (p.levels && (p.categorical || !p.log))
        return p.levels[Math.min(p.levels.length - 1, Math.max(0, Math.round(xi)))]!;
      const v = p.log ? Math.exp(xi) : xi;
      return p.levels ? nearestLevel(p, v) : Math.min(p.max!, Math.max(p.min!, tidy(v)));
    });
  }

  /** Coordinates scaled to [0, 1] per dimension (for kernels and distances). */
  toScaled(c: Config): number[] {
    const cs = this.coords();
    return this.toCoord(c).map((x, i) =>
      cs[i]!.hi > cs[i]!.lo ? (x - cs[i]!.lo) / (cs[i]!.hi - cs[i]!.lo) : 0.5,
    );
  }

  /** Grid levels of a parameter: its levels, or `k` evenly spaced values (log-spaced if log). */
  gridLevels(i: number, k = 5): Value[] {
    const p = this.params[i]!;
    if (p.levels) return [...p.levels];
    if (k === 1) return [tidy(p.log ? Math.sqrt(p.min! * p.max!) : (p.min! + p.max!) / 2)];
    return Array.from({ length: k }, (_, j) => {
      const f = j / (k - 1);
      return tidy(
        p.log
          ? Math.exp(Math.log(p.min!) + f * (Math.log(p.max!) - Math.log(p.min!)))
          : p.min! + f * (p.max! - p.min!),
      );
    });
  }

  /** Every configuration of the grid, the last parameter varying fastest. */
  grid(k = 5): Config[] {
    const levels = this.params.map((_, i) => this.gridLevels(i, k));
    const total = levels.reduce((n, l) => n * l.length, 1);
    if (total > 5_000_000)
      throw new ExploreError(
        ExploreErrorCode.BAD_OPTION,
        `the grid has ${total} configurations`,
        { total },
        'use fewer levels, a coarser step, or --design random|lhs',
      );
    const out: Config[] = [];
    const rec = (i: number, acc: Value[]) => {
      if (i === levels.length) {
        out.push(acc.slice());
        return;
      }
      for (const v of levels[i]!) {
        acc.push(v);
        rec(i + 1, acc);
        acc.pop();
      }
    };
    rec(0, []);
    return out;
  }

  /** Validates that a configuration lies in the space (levels or bounds). */
  contains(c: Config): boolean {
    return (
      c.length === this.dims &&
      this.params.every((p, i) =>
        p.levels
          ? p.levels.includes(c[i]!)
          : typeof c[i] === 'number' && (c[i] as number) >= p.min! - EPS && (c[i] as number) <= p.max! + EPS,
      )
    );
  }

  /** Snaps a value to the parameter's nearest level (or clamps it into a continuous range). */
  snap(i: number, v: Value): Value {
    const p = this.params[i]!;
    if (!p.levels) return Math.min(p.max!, Math.max(p.min!, v as number));
    if (p.categorical || typeof v !== 'number') return p.levels.includes(v) ? v : p.levels[0]!;
    return nearestLevel(p, v);
  }
}

export function formatValue(v: Value): string {
  return typeof v === 'number' ? String(v) : typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function levelIndex(p: Param, v: Value): number {
  const i = p.levels!.indexOf(v);
  if (i >= 0) return i;
  if (typeof v === 'number' && !p.categorical) return p.levels!.indexOf(nearestLevel(p, v));
  return 0;
}

function nearestLevel(p: Param, v: number): number {
  let best = p.levels![0] as number;
  const d = (a: number) => (p.log ? Math.abs(Math.log(a) - Math.log(v)) : Math.abs(a - v));
  for (const l of p.levels! as number[]) if (d(l) < d(best)) best = l;
  return best;
}

function paramFromUnit(p: Param, u: number): Value {
  if (p.levels && (p.categorical || !p.log))
    return p.levels[Math.min(p.levels.length - 1, Math.floor(u * p.levels.length))]!;
  const v = p.log
    ? Math.exp(Math.log(p.min!) + u * (Math.log(p.max!) - Math.log(p.min!)))
    : p.min! + u * (p.max! - p.min!);
  return p.levels ? nearestLevel(p, v) : tidy(v);
}

function paramToUnit(p: Param, v: Value): number {
  if (p.levels && (p.categorical || !p.log)) return (levelIndex(p, v) + 0.5) / p.levels.length;
  const x = v as number;
  if (p.max! === p.min!) return 0.5;
  return p.log
    ? (Math.log(x) - Math.log(p.min!)) / (Math.log(p.max!) - Math.log(p.min!))
    : (x - p.min!) / (p.max! - p.min!);
}

/** Short labels: the last path segment, or as many trailing segments as needed to be unique. */
function shortNames(params: readonly Param[]): Param[] {
  const segs = params.map((p) => p.path.split('.'));
  const names = params.map((_, i) => {
    for (let k = 1; k <= segs[i]!.length; k++) {
      const tail = segs[i]!.slice(-k).join('.');
      if (segs.every((s, j) => j === i || s.slice(-k).join('.') !== tail)) return tail;
    }
    return params[i]!.path;
  });
  return params.map((p, i) => ({ ...p, name: names[i]! }));
}
