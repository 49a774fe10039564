import { createHash } from 'node:crypto';
import { readTraces, type ResolvedScenario } from '../scenario/index.js';

/**
 * What a study's trials depend on, as digests by part: a stored trial may be reused only when every part,
 * the `--set` overrides and the e2ctwin version are the same. The parts are the *resolved* scenario (every
 * preset inlined, the calibration merged into the app stages) and the arrival times of its trace workloads,
 * so editing an app, host, link-class or calibration file or a trace CSV changes the identity even when the
 * scenario text does not, while a comment or a moved folder does not. Digests by part (rather than one) let
 * a refusal say what changed.
 */
export interface StudyIdentity {
  /** Version of this identity's layout; stores of another layout are refused. */
  format: typeof IDENTITY_FORMAT;
  version: string;
  overrides: readonly string[];
  /** sha256 by part, labelled for people ("the app model of cloud.engine …", "the trace of edge.cam"). */
  inputs: Readonly<Record<string, string>>;
}

export const IDENTITY_FORMAT = 2;

/** JSON with object keys sorted at every level and non-finite numbers spelled out: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'number')
    return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * Digests of a resolved scenario by part, and of the arrival times its trace workloads read (parsed by the
 * scenario layer's own reader, so whatever folder it finds a trace in, the hashed content is what the
 * simulations receive). `source` (absolute paths of this machine) is left out.
 * @throws the scenario layer's trace error when a trace file cannot be read
 */
export function scenarioInputs(scenario: ResolvedScenario): Record<string, string> {
  const { source: _machineSpecific, layers, services, network, ...settings } = scenario;
  const out: Record<string, string> = {};
  out[`the scenario's settings (name, seed, run, explore, expect)`] = sha256(canonicalJson(settings));
  out['the layers'] = sha256(
    canonicalJson(
      layers.map((l) => ({
        name: l.name,
        description: l.description,
        services: l.services.map((s) => s.id),
      })),
    ),
  );
  for (const s of services) {
    const { host, app, ...rest } = s;
    out[`service ${s.id} (quantity, roles, workload, live)`] = sha256(canonicalJson(rest));
    out[`the host of ${s.id}`] = sha256(canonicalJson(host));
    if (app) out[`the app model of ${s.id} (its app file or the calibration)`] = sha256(canonicalJson(app));
  }
  out['the network (links and link classes)'] = sha256(canonicalJson(network));
  for (const [id, times] of readTraces(scenario)) {
    out[`the trace of ${id}`] = sha256(new Uint8Array(times.buffer, times.byteOffset, times.byteLength));
  }
  return out;
}

/** The labels of the parts that differ between two identities' inputs (added, removed or changed). */
export function changedInputs(
  had: Readonly<Record<string, string>>,
  now: Readonly<Record<string, string>>,
): string[] {
  const labels = new Set([...Object.keys(had), ...Object.keys(now)]);
  return [...labels].filter((l) => had[l] !== now[l]).sort();
}
