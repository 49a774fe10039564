import path from 'node:path';
import { isObject } from './read.js';

/**
 * `e2ctwin.yaml`, written by `e2ctwin export e2clab` beside E2Clab's three files: what the twin knows
 * and E2Clab's files cannot say (run length, seed, app models, hardware, workloads, link classes,
 * exploration and calibration). E2Clab ignores other files of the scenario folder; `import` reads it
 * back, so that export → import gives the same resolved scenario.
 */
export const SIDECAR = 'e2ctwin.yaml';

/** Scenario-level fields carried by the sidecar as they are. */
export const SCENARIO_FIELDS = [
  'name',
  'description',
  'seed',
  'run',
  'calibration',
  'explore',
  'calibrate',
  'expect',
] as const;
/** Service fields carried by the sidecar (E2Clab's files hold name, quantity, roles and metadata). */
export const SERVICE_FIELDS = ['description', 'host', 'app', 'pools', 'stages', 'workload', 'live'] as const;
/** Network fields only the twin has (the numbers are in network.yaml). */
export const NETWORK_FIELDS = ['class', 'sharing'] as const;

export interface Sidecar {
  scenario: Record<string, unknown>;
  layers: Record<string, { description?: string }>;
  services: Record<string, Record<string, unknown>>;
  network: Record<string, unknown>[];
}

const isPathRef = (ref: string) => ref.includes('/') || ref.includes('\\') || /\.ya?ml$/.test(ref);

/**
 * Rewrites the relative file names a scenario may hold (calibration, measurements, hardware and app
 * files, trace files, live files) from one folder to another, in place; preset names stay as they are.
 */
export function rebasePaths(scenario: Record<string, unknown>, from: string, to: string): void {
  const move = (p: string) => (path.isAbsolute(p) ? p : path.relative(to, path.resolve(from, p)) || '.');
  if (typeof scenario.calibration === 'string') scenario.calibration = move(scenario.calibration);
  const cal = scenario.calibrate;
  if (isObject(cal) && typeof cal.measurements === 'string') cal.measurements = move(cal.measurements);
  const layers = Array.isArray(scenario.layers) ? scenario.layers : [];
  for (const layer of layers)
    for (const svc of isObject(layer) && Array.isArray(layer.services) ? layer.services : [])
      if (isObject(svc)) rebaseService(svc, move);
}

/** The same for one service's fields (also used on the sidecar's per-service records). */
export function rebaseService(svc: Record<string, unknown>, move: (p: string) => string): void {
  for (const k of ['host', 'app'])
    if (typeof svc[k] === 'string' && isPathRef(svc[k] as string)) svc[k] = move(svc[k] as string);
  const w = svc.workload;
  if (isObject(w) && w.kind === 'trace' && typeof w.file === 'string') w.file = move(w.file);
  const live = svc.live;
  if (isObject(live) && Array.isArray(live.files))
    for (const f of live.files) if (isObject(f) && typeof f.src === 'string') f.src = move(f.src);
}
