import { resolveFieldPath, type ResolvedScenario } from '../scenario/index.js';
import type { Param, Value } from './space.js';

/**
 * The value a scenario field has in the resolved scenario (after presets and --set), or undefined. Pool
 * sizes given as `<layer>.<service>.pools.<pool>` are read from the resolved app (`app.pools.<pool>.size`).
 */
export function readValue(scenario: ResolvedScenario, dotted: string): unknown {
  const get = (d: string) => {
    const r = resolveFieldPath(scenario, d);
    if ('error' in r) return undefined;
    return r.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], scenario);
  };
  const direct = get(dotted);
  if (direct !== undefined && (typeof direct !== 'object' || direct === null)) return direct;
  const pool = /^(.*)\.pools\.([^.]+)$/.exec(dotted);
  if (pool) {
    const size = get(`${pool[1]}.app.pools.${pool[2]}.size`);
    if (size !== undefined) return size;
  }
  return direct;
}

/** The scenario's value of a parameter snapped to its levels, or its middle level when the field has none. */
export function currentLevel(scenario: ResolvedScenario, p: Param, snap: (v: Value) => Value): Value {
  const v = readValue(scenario, p.path);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return snap(v);
  if (p.levels) return p.levels[Math.floor((p.levels.length - 1) / 2)]!;
  return p.log ? Math.sqrt(p.min! * p.max!) : (p.min! + p.max!) / 2;
}
