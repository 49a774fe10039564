import { ci95 } from '../../metrics/index.js';
import type { ExpectationCheck, ReplicationMetrics, SimulationResult } from '../../model/index.js';
import type { ResolvedScenario } from '../../scenario/index.js';

type Json = number | string | boolean | null | Json[] | { [k: string]: Json };

function leaves(obj: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return out;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') out.set(p, v);
    else leaves(v, p, out);
  }
  return out;
}

/**
 * Repetitions of a live run combined as `simulate` combines replications (the same result shape and
 * rules: means of numeric leaves, element-wise means of numeric arrays, Student-t 95 % intervals, the
 * scenario's `expect` values beside the measured ones), so the two metrics.json compare field for field.
 */
export function combineRepetitions(scenario: ResolvedScenario, seed: number, reps: ReplicationMetrics[]): SimulationResult {
  const all = reps.map((r) => leaves(r));
  const ci: Record<string, { lo: number; hi: number; halfWidth: number }> = {};
  const means = new Map<string, number>();
  for (const key of all[0]!.keys()) {
    const c = ci95(all.map((l) => l.get(key) ?? NaN));
    means.set(key, c.mean);
    ci[key] = { lo: c.lo, hi: c.hi, halfWidth: c.halfWidth };
  }
  const rebuild = (nodes: unknown[], prefix: string): Json => {
    const node = nodes[0];
    if (typeof node === 'number') return means.get(prefix) ?? node;
    if (node === null || typeof node !== 'object') return node as Json;
    if (Array.isArray(node)) {
      if (!node.every((x) => typeof x === 'number')) return node as Json[];
      return node.map((_, i) => nodes.reduce<number>((a, n) => a + ((n as number[])[i] ?? NaN), 0) / nodes.length);
    }
    const o: Record<string, Json> = {};
    for (const k of Object.keys(node as Record<string, unknown>)) o[k] = rebuild(nodes.map((n) => (n as Record<string, unknown>)[k]), prefix ? `${prefix}.${k}` : k);
    return o;
  };
  const mean = rebuild([...reps], '') as unknown as ReplicationMetrics;
  const expect: Record<string, ExpectationCheck> = {};
  for (const [key, expected] of Object.entries(scenario.expect ?? {})) {
    const c = ci[key];
    const measured = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], mean);
    if (typeof measured !== 'number') continue;
    expect[key] = { expected, simulated: measured, lo: c?.lo ?? NaN, hi: c?.hi ?? NaN, relativeError: (measured - expected) / expected, insideCi: c !== undefined && expected >= c.lo && expected <= c.hi };
  }
  return { scenario: scenario.name, seed, replications: reps.length, ...mean, ci95: ci, expect, perReplication: reps };
}
