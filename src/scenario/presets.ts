import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { suggest } from './did-you-mean.js';
import { ScenarioErrorCode, type ScenarioIssue } from './errors.js';
import { displayPath, type FilePolicy } from './file-policy.js';
import {
  AppSchema,
  HardwareSchema,
  LinkClassSchema,
  type App,
  type Hardware,
  type LinkClass,
} from './schema/index.js';
import { PARSE_ONCE } from './parse-once.js';
import { YamlSource } from './yaml-source.js';
import { valueAt, zodIssuesToScenarioIssues } from './zod-issues.js';

/** The presets shipped with e2ctwin (models/ at the package root, from src/ or dist/ alike). */
export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

export const PRESET_KINDS = {
  hardware: { schema: HardwareSchema, label: 'hardware preset' },
  links: { schema: LinkClassSchema, label: 'link class' },
  apps: { schema: AppSchema, label: 'app model' },
} as const;
export type PresetKind = keyof typeof PRESET_KINDS;
type PresetValue<K extends PresetKind> = K extends 'hardware'
  ? Hardware
  : K extends 'links'
    ? LinkClass
    : App;

/** Where a value was written: a file and the path of the value inside it. */
export interface Origin {
  src: YamlSource;
  base: PropertyKey[];
}

interface RawPreset {
  raw: Record<string, unknown>;
  origins: Origin[];
}

const isPathRef = (ref: string) => ref.includes('/') || ref.includes('\\') || /\.ya?ml$/.test(ref);

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Resolves preset references (by name from models/, or by path relative to the referencing file),
 * follows `extends` chains, reports missing files and cycles, and validates each preset with its schema.
 * Every file is read through the scenario's {@link FilePolicy}; a preset file's own problems are reported
 * at its lines without quoting it. Issues accumulate in {@link issues}; a reference that fails resolves to
 * undefined.
 */
export class PresetLoader {
  readonly issues: ScenarioIssue[] = [];
  /** Parsed preset files by real path (undefined: the file had problems). */
  readonly #files = new Map<string, RawPreset | undefined>();
  readonly #sources = new Map<string, YamlSource>();
  readonly #validated = new Map<string, unknown>();
  /** Real path of each reference already resolved, by referring folder, kind and reference. */
  readonly #refs = new Map<string, string>();
  /** Folder of each preset file read (its display name may be relative). */
  readonly #dirs = new WeakMap<YamlSource, string>();

  constructor(
    readonly modelsDir: string,
    readonly policy: FilePolicy,
  ) {}

  /** Names of the presets of a kind shipped in the models folder. */
  available(kind: PresetKind): string[] {
    const dir = path.join(this.modelsDir, kind);
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => /\.ya?ml$/.test(f))
          .map((f) => f.replace(/\.ya?ml$/, ''))
          .sort()
      : [];
  }

  /**
   * Resolves the reference written at `at` (a name, a path or an inline object) to a validated preset.
   * @returns the preset, or undefined when it has problems (recorded in {@link issues}).
   */
  resolve<K extends PresetKind>(
    kind: K,
    ref: string | Record<string, unknown>,
    at: Origin,
  ): PresetValue<K> | undefined {
    let raw: RawPreset | undefined;
    if (typeof ref === 'string') {
      const file = this.#find(kind, ref, at, at.base);
      if (!file) return undefined;
      if (this.#validated.has(file)) return this.#validated.get(file) as PresetValue<K> | undefined;
      raw = this.#load(kind, file, []);
      const value = raw ? this.#validate(kind, raw) : undefined;
      this.#validated.set(file, value);
      return value as PresetValue<K> | undefined;
    }
    raw = this.#withParent(kind, ref, at, []);
    return (raw ? this.#validate(kind, raw) : undefined) as PresetValue<K> | undefined;
  }

  /** Where a reference already resolved was written: the top of its preset file, or `at` itself when inline. */
  origin(kind: PresetKind, ref: string | Record<string, unknown>, at: Origin): Origin {
    if (typeof ref !== 'string') return at;
    const real = this.#refs.get(this.#refKey(kind, ref, at));
    const src = real !== undefined ? this.#sources.get(real) : undefined;
    return src ? { src, base: [] } : at;
  }

  #dirOf(src: YamlSource): string {
    return this.#dirs.get(src) ?? path.dirname(path.resolve(src.file));
  }

  #refKey(kind: PresetKind, ref: string, at: Origin): string {
    return `${this.#dirOf(at.src)}\0${kind}\0${ref}`;
  }

  /** The real path of a reference, read under the policy; a missing or refused file is an issue at `fieldPath`. */
  #find(kind: PresetKind, ref: string, at: Origin, fieldPath: PropertyKey[]): string | undefined {
    const key = this.#refKey(kind, ref, at);
    const known = this.#refs.get(key);
    if (known !== undefined) return known;
    const file = isPathRef(ref)
      ? path.resolve(this.#dirOf(at.src), ref)
      : path.join(this.modelsDir, kind, `${ref}.yaml`);
    const r = this.policy.read(file, 'yaml');
    let real: string | undefined;
    if (r.ok) {
      real = r.real;
      if (!this.#sources.has(real)) {
        const src = YamlSource.foreign(r.text, displayPath(real));
        this.#dirs.set(src, path.dirname(real));
        this.#sources.set(real, src);
      }
    } else {
      const { label } = PRESET_KINDS[kind];
      if (r.refusal.code === ScenarioErrorCode.FILE_MISSING) {
        const where = isPathRef(ref) ? `file ${displayPath(file)} not found` : `looked in models/${kind}/`;
        const hint = isPathRef(ref) ? undefined : suggest(ref, this.available(kind));
        this.issues.push(
          at.src.issue(ScenarioErrorCode.PRESET_MISSING, fieldPath, `no ${label} "${ref}" (${where})`, hint),
        );
      } else {
        this.issues.push(
          at.src.issue(r.refusal.code, fieldPath, `${label} file ${r.refusal.message}`, r.refusal.hint),
        );
      }
    }
    if (real !== undefined) this.#refs.set(key, real); // a failure is reported again at each place that names it
    return real;
  }

  #load(kind: PresetKind, file: string, chain: string[]): RawPreset | undefined {
    if (this.#files.has(file)) return this.#files.get(file);
    const src = this.#sources.get(file)!;
    const syntax = src.syntaxIssues();
    const data = src.toJS();
    if (syntax.length > 0 || !isPlainObject(data)) {
      this.issues.push(
        ...(syntax.length > 0
          ? syntax
          : [src.issue(ScenarioErrorCode.INVALID_VALUE, [], 'a preset file must be a YAML mapping')]),
      );
      this.#files.set(file, undefined);
      return undefined;
    }
    const result = this.#withParent(kind, data, { src, base: [] }, [...chain, file]);
    this.#files.set(file, result);
    return result;
  }

  #withParent(
    kind: PresetKind,
    data: Record<string, unknown>,
    at: Origin,
    chain: string[],
  ): RawPreset | undefined {
    const own = { ...data };
    const parentRef = own.extends;
    delete own.extends;
    if (parentRef === undefined) return { raw: own, origins: [at] };
    if (typeof parentRef !== 'string') {
      this.issues.push(
        at.src.issue(
          ScenarioErrorCode.INVALID_VALUE,
          [...at.base, 'extends'],
          'extends must be a preset name or path',
        ),
      );
      return undefined;
    }
    const parentFile = this.#find(kind, parentRef, at, [...at.base, 'extends']);
    if (!parentFile) return undefined;
    if (chain.includes(parentFile)) {
      const cycle = [...chain.slice(chain.indexOf(parentFile)), parentFile]
        .map((f) => path.basename(f))
        .join(' → ');
      this.issues.push(
        at.src.issue(ScenarioErrorCode.INCLUDE_CYCLE, [...at.base, 'extends'], `extends cycle: ${cycle}`),
      );
      return undefined;
    }
    const parent = this.#load(kind, parentFile, chain);
    if (!parent) return undefined;
    return { raw: deepMerge(parent.raw, own), origins: [at, ...parent.origins] };
  }

  #validate(kind: PresetKind, preset: RawPreset): unknown {
    const schema = PRESET_KINDS[kind].schema as z.ZodType;
    const parsed = schema.safeParse(preset.raw, PARSE_ONCE);
    if (parsed.success) return parsed.data;
    for (const zi of parsed.error.issues) {
      // Point at the file of the chain that wrote the offending value (the child first).
      const origin =
        preset.origins.find((o) => valueAt(o.src.toJS(), [...o.base, ...zi.path]) !== undefined) ??
        preset.origins[0]!;
      this.issues.push(...zodIssuesToScenarioIssues([zi], schema, preset.raw, origin.src, origin.base));
    }
    return undefined;
  }
}
