import { parse as parseYaml } from 'yaml';
import { suggest } from './did-you-mean.js';
import { ScenarioErrorCode, formatPath, type ScenarioIssue } from './errors.js';
import type { YamlSource } from './yaml-source.js';

/** An override that was applied, with the concrete path it resolved to. */
export interface AppliedOverride {
  text: string;
  path: PropertyKey[];
}

const TOP_LEVEL = new Set([
  '$schema',
  'name',
  'description',
  'seed',
  'run',
  'calibration',
  'layers',
  'network',
  'events',
  'clock',
  'explore',
  'calibrate',
  'expect',
]);

function badOverride(text: string, message: string, hint?: string): ScenarioIssue {
  return {
    code: ScenarioErrorCode.BAD_OVERRIDE,
    file: '--set',
    line: 0,
    column: 0,
    path: text.split('=')[0] ?? text,
    message,
    ...(hint ? { hint } : {}),
  };
}

/**
 * Resolves a dotted field path against scenario data. Array elements are picked by index or by `name`
 * (`layers.cloud.services.engine.quantity`), and `<layer>.<service>.…` is shorthand for
 * `layers.<layer>.services.<service>.…` (`cloud.engine.pools.extract`).
 * @returns the concrete path, or a message (with a hint) saying which segment does not resolve.
 */
export function resolveFieldPath(
  data: unknown,
  dotted: string,
): { path: PropertyKey[] } | { error: string; hint?: string } {
  const segs = dotted.split('.').filter((s) => s !== '');
  if (segs.length === 0) return { error: 'empty field path' };
  const layers = (data as { layers?: unknown })?.layers;
  if (!TOP_LEVEL.has(segs[0]!) && Array.isArray(layers)) {
    const names = layers
      .map((l) => (l as { name?: string })?.name)
      .filter((n): n is string => typeof n === 'string');
    if (!names.includes(segs[0]!)) {
      return {
        error: `"${segs[0]}" is neither a top-level field nor a layer`,
        hint: suggest(segs[0]!, [...TOP_LEVEL, ...names]),
      };
    }
    if (segs.length < 2)
      return {
        error: `"${dotted}" names a layer; add a service and a field (e.g. ${segs[0]}.<service>.quantity)`,
      };
    segs.splice(0, 1, 'layers', segs[0]!, 'services');
  }
  const path: PropertyKey[] = [];
  let cur: unknown = data;
  for (const seg of segs) {
    if (Array.isArray(cur)) {
      let idx = /^\d+$/.test(seg)
        ? Number(seg)
        : cur.findIndex((e) => (e as { name?: unknown })?.name === seg);
      if (idx < 0 || idx >= cur.length) {
        const names = cur
          .map((e) => (e as { name?: unknown })?.name)
          .filter((n): n is string => typeof n === 'string');
        return {
          error: `no element "${seg}" in ${path.map(String).join('.') || 'the document'}`,
          hint: suggest(seg, names),
        };
      }
      path.push(idx);
      cur = cur[idx];
      idx = 0;
    } else if (cur === undefined || cur === null || typeof cur === 'object') {
      path.push(seg);
      cur = (cur as Record<string, unknown> | undefined)?.[seg];
    } else {
      return { error: `"${path.map(String).join('.')}" is a ${typeof cur}, it has no field "${seg}"` };
    }
  }
  return { path };
}

/**
 * Applies `path=value` overrides to the parsed document, in order. Values are YAML (`3`, `true`,
 * `gpu-a100`, `{dist: exponential, mean: 2}`), validated later like the file itself.
 */
export function applyOverrides(
  src: YamlSource,
  overrides: readonly string[],
): { applied: AppliedOverride[]; issues: ScenarioIssue[] } {
  const applied: AppliedOverride[] = [];
  const issues: ScenarioIssue[] = [];
  for (const text of overrides) {
    const eq = text.indexOf('=');
    if (eq <= 0) {
      issues.push(badOverride(text, `"${text}" is not of the form path=value`));
      continue;
    }
    const dotted = text.slice(0, eq).trim();
    const rawValue = text.slice(eq + 1);
    let value: unknown;
    try {
      value = rawValue.trim() === '' ? undefined : parseYaml(rawValue);
    } catch (err) {
      issues.push(
        badOverride(text, `value of ${dotted} is not valid YAML: ${(err as Error).message.split('\n')[0]}`),
      );
      continue;
    }
    if (value === undefined || value === null) {
      issues.push(badOverride(text, `no value given for ${dotted}`));
      continue;
    }
    const resolved = resolveFieldPath(src.toJS(), dotted);
    if ('error' in resolved) {
      issues.push(badOverride(text, resolved.error, resolved.hint));
      continue;
    }
    src.setIn(resolved.path, value);
    applied.push({ text, path: resolved.path });
  }
  return { applied, issues };
}

/** Re-points an issue about an overridden field at the `--set` that produced it. */
export function attributeToOverride(
  issue: ScenarioIssue,
  applied: readonly AppliedOverride[],
): ScenarioIssue {
  const hit = [...applied].reverse().find((o) => {
    const p = formatPath(o.path);
    return issue.path === p || issue.path.startsWith(`${p}.`) || issue.path.startsWith(`${p}[`);
  });
  return hit
    ? { ...issue, file: '--set', line: 0, column: 0, message: `${issue.message} (from --set ${hit.text})` }
    : issue;
}
