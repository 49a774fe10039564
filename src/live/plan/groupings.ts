import { type SelectableService, selectHosts } from '../../scenario/index.js';
import type { Live } from '../../scenario/index.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import { shellQuote } from '../shell.js';
import type { Endpoint } from './templates.js';

/** One instance a service depends on, with where it is deployed. */
export interface TargetInstance extends Endpoint {
  /** `<layer>.<service>#<i>`. */
  name: string;
}

/** The `live.dependsOn` groups of one service: prefix → grouping and target instances in plan order. */
export type Groups = Map<
  string,
  { grouping: 'round_robin' | 'asarray' | 'aggregate'; targets: TargetInstance[] }
>;

/**
 * Resolves `live.dependsOn` (E2Clab's depends_on) once per service: each selector to the instances of
 * the services it picks, in plan order. A selector that matches nothing is a plan error with the
 * nearest name.
 */
export function groupsOf(
  live: Live | undefined,
  services: readonly SelectableService[],
  instancesOf: (service: string) => TargetInstance[],
  where: string,
): Groups {
  const groups: Groups = new Map();
  for (const d of live?.dependsOn ?? []) {
    const r = selectHosts(d.selector, services);
    if (!r.ok)
      throw new LiveError(
        LiveErrorCode.PLAN,
        `${where}: dependsOn ${d.selector}: ${r.message}${r.hint ? ` (${r.hint})` : ''}`,
        {
          where,
          selector: d.selector,
        },
      );
    const all = r.selection.services.flatMap(instancesOf);
    for (const x of r.selection.instances) all.push(instancesOf(x.service)[x.index - 1]!);
    if (all.length === 0)
      throw new LiveError(LiveErrorCode.PLAN, `${where}: dependsOn ${d.selector}: no deployed instance`, {
        where,
      });
    groups.set(d.prefix, { grouping: d.grouping, targets: all });
  }
  return groups;
}

const REF = /\{\{\s*([A-Za-z_]\w*?)(\d*)(?:\.(url|address|port|host))?\s*\}\}/g;

/**
 * Fills the grouping templates of a text for instance `index` (0-based) of its service:
 * round_robin `{{ p.url }}` (target `index mod n`), asarray `{{ p }}` (every target's address, comma-
 * separated), aggregate `{{ p2.url }}` (target 2, 1-based). Other `{{ … }}` are left for the next filler.
 * `quote` shell-quotes each value (for a string run by `sh -c`).
 */
export function fillGroupings(
  text: string,
  groups: Groups,
  index: number,
  where: string,
  quote = false,
): string {
  if (groups.size === 0) return text;
  return text.replace(REF, (whole, prefix: string, num: string, key: string | undefined) => {
    // Prefixes end with a letter or "_" (the schema says so), so trailing digits are an aggregate's number.
    const g = groups.get(prefix);
    if (!g) return whole;
    const at = (t: TargetInstance) => {
      const k = key ?? 'address';
      if (k === 'address') return t.address;
      if (k === 'host') return t.host;
      if (t.port === undefined)
        throw new LiveError(
          LiveErrorCode.PLAN,
          `${where}: {{ ${whole.slice(2, -2).trim()} }}: ${t.name} has no port (set live.port)`,
          { where },
        );
      return k === 'port'
        ? String(t.port)
        : `http://${t.address.includes(':') ? `[${t.address}]` : t.address}:${t.port}`;
    };
    let value: string;
    if (g.grouping === 'aggregate') {
      if (num === '') return whole;
      const t = g.targets[Number(num) - 1];
      if (!t)
        throw new LiveError(
          LiveErrorCode.PLAN,
          `${where}: {{ ${prefix}${num} }}: ${prefix} has ${g.targets.length} targets (1…${g.targets.length})`,
          { where },
        );
      value = at(t);
    } else if (num !== '') return whole;
    else if (g.grouping === 'asarray') {
      if (key !== undefined) return whole;
      value = g.targets.map((t) => t.address).join(',');
    } else {
      if (key === undefined) return whole;
      value = at(g.targets[index % g.targets.length]!);
    }
    return quote ? shellQuote(value) : value;
  });
}

/** `{{ current_repeat }}` → the repetition (1-based), as E2Clab injects it. */
export const fillRepeat = (text: string, repetition: number): string =>
  text.replace(/\{\{\s*current_repeat\s*\}\}/g, String(repetition));
