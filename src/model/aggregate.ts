import { ci95 } from '../metrics/index.js';

type Json = number | string | boolean | null | Json[] | { [k: string]: Json };

/** Numeric leaves of a nested object, by dotted path, in key order. */
export function numericLeaves(
  obj: unknown,
  prefix = '',
  out = new Map<string, number>(),
): Map<string, number> {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return out;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') out.set(path, v);
    else numericLeaves(v, path, out);
  }
  return out;
}

/**
 * Combines replications: every numeric leaf becomes its mean over the replications (a NaN in any
 * replication makes it NaN, printed as null), other leaves come from the first replication, and a
 * 95 % Student-t interval is given for each numeric leaf by its dotted path.
 */
export function aggregateReplications<T extends object>(
  reps: readonly T[],
): { mean: T; ci95: Record<string, { lo: number; hi: number; halfWidth: number }> } {
  const leaves = reps.map((r) => numericLeaves(r));
  const ci: Record<string, { lo: number; hi: number; halfWidth: number }> = {};
  const means = new Map<string, number>();
  for (const key of leaves[0]!.keys()) {
    const values = leaves.map((l) => l.get(key) ?? NaN);
    const c = ci95(values);
    means.set(key, c.mean);
    ci[key] = { lo: c.lo, hi: c.hi, halfWidth: c.halfWidth };
  }
  // Arrays of numbers (time series) become their element-wise means; other arrays come from the first.
  const rebuild = (nodes: unknown[], prefix: string): Json => {
    const node = nodes[0];
    if (typeof node === 'number') return means.get(prefix) ?? node;
    if (node === null || typeof node !== 'object') return node as Json;
    if (Array.isArray(node)) {
      if (!node.every((x) => typeof x === 'number')) return node as Json[];
      return node.map(
        (_, i) => nodes.reduce<number>((a, n) => a + ((n as number[])[i] ?? NaN), 0) / nodes.length,
      );
    }
    const o: Record<string, Json> = {};
    for (const k of Object.keys(node as Record<string, unknown>)) {
      o[k] = rebuild(
        nodes.map((n) => (n as Record<string, unknown>)[k]),
        prefix ? `${prefix}.${k}` : k,
      );
    }
    return o;
  };
  return { mean: rebuild([...reps], '') as unknown as T, ci95: ci };
}
