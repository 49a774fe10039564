import type { z } from 'zod';
import { suggest } from './did-you-mean.js';
import { formatPath, ScenarioErrorCode, type ScenarioIssue } from './errors.js';
import type { YamlSource } from './yaml-source.js';

type ZIssue = z.core.$ZodIssue;
type Path = PropertyKey[];

/**
 * Turns zod's issues into located scenario issues: unions are resolved to the branch the user most likely
 * meant, unknown keys get "did you mean …", and each issue points at the file, line and column.
 */
export function zodIssuesToScenarioIssues(
  issues: readonly ZIssue[],
  schema: z.ZodType,
  data: unknown,
  src: YamlSource,
  base: Path = [],
): ScenarioIssue[] {
  const found: ScenarioIssue[] = [];
  // In a file other than the scenario, names the file chose (record keys) are its text: shown as "*".
  const shownPath = (rel: Path) =>
    formatPath([
      ...base,
      ...rel.map((seg, i) =>
        typeof seg === 'number' || keysAt(schema, rel.slice(0, i), data).includes(String(seg)) ? seg : '*',
      ),
    ]);
  const out = {
    push: (i: ScenarioIssue, rel: Path) => found.push(src.foreign ? { ...i, path: shownPath(rel) } : i),
  };
  for (const issue of flatten(issues, [])) {
    const path = [...base, ...issue.path];
    const rel = issue.path as Path;
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, rel, data);
      for (const key of issue.keys) {
        out.push(
          src.issue(
            ScenarioErrorCode.UNKNOWN_KEY,
            [...path, key],
            `unknown key "${key}"`,
            suggest(key, known),
            true,
          ),
          rel,
        );
      }
      continue;
    }
    if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
      const got = valueAt(data, rel);
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
      out.push(
        src.issue(
          ScenarioErrorCode.INVALID_VALUE,
          path,
          `unknown ${String(issue.discriminator)} ${JSON.stringify(got)}`,
          suggest(String(got), options),
        ),
        rel,
      );
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A bad key of a record: placed at the key, with the key schema's own message.
      out.push(
        src.issue(
          ScenarioErrorCode.INVALID_VALUE,
          path,
          issue.issues[0]?.message ?? issue.message,
          undefined,
          true,
        ),
        rel,
      );
      continue;
    }
    const value = valueAt(data, rel);
    if (value === undefined && issue.code === 'invalid_type') {
      out.push(
        src.issue(
          ScenarioErrorCode.MISSING_FIELD,
          path,
          `required field "${String(path.at(-1) ?? '')}" is missing (${describeExpected(issue)})`,
        ),
        rel,
      );
      continue;
    }
    out.push(src.issue(ScenarioErrorCode.INVALID_VALUE, path, message(issue, value)), rel);
  }
  return found;
}

/** Replaces each union failure by the issues of the branch whose type matched (or a summary). */
function flatten(issues: readonly ZIssue[], prefix: Path): ZIssue[] {
  const out: ZIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) {
      out.push({ ...issue, path } as ZIssue);
      continue;
    }
    const matching = issue.errors.filter(
      (branch) => !branch.some((b) => b.code === 'invalid_type' && b.path.length === 0),
    );
    if (matching.length === 0) {
      const expected = issue.errors
        .map((b) => (b[0] && b[0].code === 'invalid_type' ? b[0].expected : 'other'))
        .join(' or ');
      out.push({ code: 'custom', path, message: `expected ${expected}`, input: undefined } as ZIssue);
      continue;
    }
    const best = matching.reduce((a, b) => (b.length < a.length ? b : a));
    out.push(...flatten(best, path));
  }
  return out;
}

function describeExpected(issue: ZIssue): string {
  return issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.message;
}

// A schema bound's own reason (a budget, a model's domain), when it states one: zod's default messages start "Too ".
const why = (issue: ZIssue): string => (issue.message.startsWith('Too ') ? '' : `: ${issue.message}`);
const bound = (n: number | bigint): string =>
  typeof n === 'number' && Math.abs(n) >= 10_000 && Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : String(n);

function message(issue: ZIssue, value: unknown): string {
  const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}${got}`;
    case 'too_small':
      return `must be ${issue.inclusive ? '≥' : '>'} ${bound(issue.minimum)}${issue.origin === 'array' ? ' items' : ''}${got}${why(issue)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? '≤' : '<'} ${bound(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}${got}${why(issue)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'invalid_format':
      return `${issue.message}${got}`;
    default:
      return `${issue.message}${got}`;
  }
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** The keys an object may have at `path` in `schema` (for "did you mean"), following the data through unions. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] {
  const keys = new Set<string>();
  const visit = (s: unknown, i: number, value: unknown): void => {
    const def = (s as { def?: Record<string, unknown> }).def;
    if (!def) return;
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'nullable':
      case 'prefault':
      case 'readonly':
      case 'catch':
        return visit(def.innerType, i, value);
      case 'pipe':
        return visit(def.in, i, value);
      case 'union':
        for (const o of def.options as unknown[]) visit(o, i, value);
        return;
      case 'object': {
        const shape = def.shape as Record<string, unknown>;
        if (i === path.length) {
          Object.keys(shape).forEach((k) => keys.add(k));
          return;
        }
        const seg = String(path[i]);
        if (seg in shape) visit(shape[seg], i + 1, (value as Record<string, unknown> | undefined)?.[seg]);
        return;
      }
      case 'array':
        if (i < path.length) visit(def.element, i + 1, (value as unknown[] | undefined)?.[path[i] as number]);
        return;
      case 'record':
        if (i < path.length)
          visit(def.valueType, i + 1, (value as Record<string, unknown> | undefined)?.[String(path[i])]);
        return;
      default:
        return;
    }
  };
  visit(schema, 0, data);
  // A discriminated branch only lists its own keys when the discriminator picks it.
  return [...keys];
}
