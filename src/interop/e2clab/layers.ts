import { InteropErrorCode, type InteropIssue } from '../errors.js';
import { type E2clabFile, isObject } from './read.js';

/** E2Clab's testbeds (`SUPPORTED_ENVIRONMENTS`) and the keys of each block (its JSON Schema). */
export const TESTBED_KEYS: Record<string, readonly string[]> = {
  g5k: [
    'job_name',
    'walltime',
    'queue',
    'reservation',
    'job_type',
    'env_name',
    'cluster',
    'key_name',
    'firewall_rules',
    'monitor',
    'ipv6',
  ],
  iotlab: ['job_name', 'walltime', 'cluster'],
  chameleoncloud: ['job_name', 'walltime', 'rc_file', 'key_name', 'image', 'cluster'],
  chameleonedge: ['job_name', 'walltime', 'rc_file', 'key_name', 'image', 'cluster'],
};
const ENV_COMMON = ['job_name', 'walltime', 'cluster'];
const MANAGERS = ['monitoring', 'monitoring_iotlab', 'provenance'];
const WALLTIME = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/;
const G5K_QUEUES = ['default', 'production', 'besteffort', 'testing'];
const NAME = /^[A-Za-z_][\w-]*$/;

/** One E2Clab service after `repeat` is expanded: the twin's service and where it was written. */
export interface ImportedService {
  layer: string;
  name: string;
  quantity: number;
  roles: string[];
  /** Fields kept but unused by the simulator: env, environment, cluster, archi, other metadata. */
  metadata: Record<string, unknown>;
  /** Explicit host names (`servers`), for the testbed file. */
  servers: string[];
  /** Index of the service in the E2Clab file (before repeat), for locating issues. */
  at: [number, number];
}

export interface ImportedLayers {
  name?: string;
  layers: { name: string; services: ImportedService[] }[];
}

/**
 * Reads `layers_services.yaml`: checks it against E2Clab's schema (what E2Clab would refuse is an error
 * here too) and expands `repeat: N` into N + 1 services named `<name>_1 … <name>_<N+1>` (E2Clab's
 * `_repeat_services`: the definition copied N extra times). What the twin does not use is a warning.
 */
export function readLayers(f: E2clabFile, errors: InteropIssue[], warnings: InteropIssue[]): ImportedLayers {
  const err = (at: PropertyKey[], code: InteropErrorCode, msg: string, hint?: string, key = false) =>
    errors.push(f.issue(code, at, msg, hint, key));
  const warn = (at: PropertyKey[], msg: string, key = true) =>
    warnings.push(f.issue(InteropErrorCode.UNMAPPED, at, msg, undefined, key));
  const out: ImportedLayers = { layers: [] };
  const doc = f.data;
  if (!isObject(doc)) {
    err(
      [],
      InteropErrorCode.INVALID_VALUE,
      'layers_services.yaml must be a mapping with environment: and layers:',
    );
    return out;
  }
  for (const key of Object.keys(doc)) {
    if (key === 'environment' || key === 'layers') continue;
    if (MANAGERS.includes(key))
      warn(
        [key],
        `${key} not mapped: the twin computes its own metrics (live mode measures every request); deploy ${key} with E2Clab`,
      );
    else
      err(
        [key],
        InteropErrorCode.UNKNOWN_KEY,
        `unknown top-level key "${key}" (E2Clab allows environment, layers, ${MANAGERS.join(', ')})`,
        undefined,
        true,
      );
  }

  const env = doc.environment;
  if (env === undefined)
    err([], InteropErrorCode.MISSING_FIELD, 'environment is required (E2Clab: at least one testbed block)');
  else if (!isObject(env))
    err(['environment'], InteropErrorCode.INVALID_VALUE, 'environment must be a mapping');
  else {
    let testbeds = 0;
    for (const [key, v] of Object.entries(env)) {
      const at = ['environment', key];
      if (key === 'job_name' && typeof v === 'string') {
        const name = v.replace(/[^\w-]/g, '-').replace(/^[^A-Za-z_]+/, '');
        if (NAME.test(name)) out.name = name;
        continue;
      }
      if (key === 'walltime' && (typeof v !== 'string' || !WALLTIME.test(v)))
        err(at, InteropErrorCode.INVALID_VALUE, 'walltime must be "hh:mm:ss" (e.g. "01:00:00")');
      if (ENV_COMMON.includes(key)) {
        warn(
          at,
          `environment.${key} not mapped: the twin reserves no testbed (set the testbed file's hosts)`,
        );
        continue;
      }
      const keys = TESTBED_KEYS[key];
      if (!keys) {
        err(
          at,
          InteropErrorCode.UNKNOWN_TESTBED,
          `unknown testbed block "${key}": E2Clab supports ${Object.keys(TESTBED_KEYS).join(', ')}`,
          undefined,
          true,
        );
        continue;
      }
      testbeds++;
      if (v !== null && !isObject(v)) {
        err(at, InteropErrorCode.INVALID_VALUE, `environment.${key} must be a mapping`);
        continue;
      }
      for (const [k, kv] of Object.entries(v ?? {})) {
        if (!keys.includes(k))
          err(
            [...at, k],
            InteropErrorCode.UNKNOWN_KEY,
            `unknown key "${k}" in the ${key} block`,
            `expected one of: ${keys.join(', ')}`,
            true,
          );
        else if (k === 'walltime' && (typeof kv !== 'string' || !WALLTIME.test(kv)))
          err([...at, k], InteropErrorCode.INVALID_VALUE, 'walltime must be "hh:mm:ss"');
        else if (key === 'g5k' && k === 'queue' && !G5K_QUEUES.includes(String(kv)))
          err([...at, k], InteropErrorCode.INVALID_VALUE, `queue must be one of ${G5K_QUEUES.join(', ')}`);
      }
      warn(
        at,
        `environment.${key} not mapped: the twin reserves no testbed; its hosts go in a testbed file (e2ctwin live --testbed)`,
      );
    }
    if (testbeds === 0)
      err(
        ['environment'],
        InteropErrorCode.MISSING_FIELD,
        `environment needs a testbed block (${Object.keys(TESTBED_KEYS).join(', ')})`,
      );
  }

  const layers = doc.layers;
  if (!Array.isArray(layers) || layers.length === 0) {
    err(
      layers === undefined ? [] : ['layers'],
      InteropErrorCode.MISSING_FIELD,
      'layers must be a non-empty list',
    );
    return out;
  }
  layers.forEach((layer: unknown, li: number) => {
    const at = ['layers', li];
    if (!isObject(layer))
      return err(at, InteropErrorCode.INVALID_VALUE, 'a layer is a mapping {name, services}');
    const lname = layer.name;
    if (typeof lname !== 'string' || !NAME.test(lname))
      return err(
        [...at, 'name'],
        InteropErrorCode.INVALID_VALUE,
        'a layer needs a name of letters, digits, "-" and "_"',
      );
    for (const k of Object.keys(layer))
      if (k !== 'name' && k !== 'services')
        warn([...at, k], `layers[${li}].${k} not mapped (E2Clab layers have name and services)`);
    const services: ImportedService[] = [];
    if (!Array.isArray(layer.services) || layer.services.length === 0)
      err(
        [...at, 'services'],
        InteropErrorCode.MISSING_FIELD,
        `layer "${lname}" needs a non-empty services list`,
      );
    else
      layer.services.forEach((svc: unknown, si: number) => {
        const sat = [...at, 'services', si];
        const s = readService(svc, sat, { err, warn });
        if (!s) return;
        const copies = s.repeat + 1;
        for (let c = 1; c <= copies; c++)
          services.push({
            layer: lname,
            name: copies > 1 ? `${s.name}_${c}` : s.name,
            quantity: s.quantity,
            roles: [...s.roles],
            metadata: structuredClone(s.metadata),
            servers: [...s.servers],
            at: [li, si],
          });
      });
    out.layers.push({ name: lname, services });
  });
  return out;
}

interface Sink {
  err: (at: PropertyKey[], code: InteropErrorCode, msg: string, hint?: string, key?: boolean) => void;
  warn: (at: PropertyKey[], msg: string, key?: boolean) => void;
}

function readService(
  svc: unknown,
  at: PropertyKey[],
  { err, warn }: Sink,
):
  | {
      name: string;
      quantity: number;
      repeat: number;
      roles: string[];
      metadata: Record<string, unknown>;
      servers: string[];
    }
  | undefined {
  if (!isObject(svc)) {
    err(at, InteropErrorCode.INVALID_VALUE, 'a service is a mapping {name, quantity, …}');
    return undefined;
  }
  const name = svc.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    err(
      [...at, 'name'],
      InteropErrorCode.INVALID_VALUE,
      'a service needs a name of letters, digits, "-" and "_"',
    );
    return undefined;
  }
  const int = (k: string, min: number, dflt: number) => {
    const v = svc[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      err([...at, k], InteropErrorCode.INVALID_VALUE, `${k} must be an integer ≥ ${min}`);
      return dflt;
    }
    return v;
  };
  const quantity = int('quantity', 1, 1);
  const repeat = int('repeat', 0, 0);
  const roles = svc.roles ?? [];
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string'))
    err([...at, 'roles'], InteropErrorCode.INVALID_VALUE, 'roles must be a list of names');
  const servers = svc.servers ?? [];
  if (!Array.isArray(servers) || servers.some((r) => typeof r !== 'string'))
    err([...at, 'servers'], InteropErrorCode.INVALID_VALUE, 'servers must be a list of host names');
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(svc)) {
    if (['name', 'quantity', 'repeat', 'roles'].includes(k)) continue;
    if (k === 'servers') {
      warn(
        [...at, k],
        'servers kept as metadata and written to the testbed file (--testbed-out) as the hosts of this service',
      );
      metadata[k] = v;
      continue;
    }
    if (k === 'env' && !isObject(v)) err([...at, k], InteropErrorCode.INVALID_VALUE, 'env must be a mapping');
    metadata[k] = v;
    warn(
      [...at, k],
      k === 'env'
        ? 'env kept as metadata.env (E2Clab services read it; the simulator does not)'
        : `${k} kept as metadata.${k}; the simulator does not use it`,
    );
  }
  return {
    name,
    quantity,
    repeat,
    roles: Array.isArray(roles) ? roles.map(String) : [],
    metadata,
    servers: Array.isArray(servers) ? servers.map(String) : [],
  };
}
