import { LiveError, LiveErrorCode } from '../errors.js';
import { shellQuote } from '../shell.js';

/** The deployed address of a service: what `{{ layer.service.key }}` references resolve to. */
export interface Endpoint {
  host: string;
  address: string;
  port?: number;
}

const REF = /\{\{\s*([\w-]+)\.([\w-]+)\.([\w-]+)\s*\}\}/g;
const KEYS = ['url', 'address', 'port', 'host'] as const;

/**
 * Fills `{{ cloud.engine.url }}`-style references (url, address, port, host of a service's first
 * instance). `quote` shell-quotes each filled value, for strings run by `sh -c`, so an address from a
 * testbed file can never become shell syntax.
 * @throws LiveError `E2C_ERR_LIVE_PLAN` for an unknown service or key
 */
export function fillReferences(
  text: string,
  endpoints: ReadonlyMap<string, Endpoint>,
  where: string,
  quote = false,
): string {
  return text.replace(REF, (_m, layer: string, service: string, key: string) => {
    const id = `${layer}.${service}`;
    const ep = endpoints.get(id);
    if (!ep)
      throw new LiveError(LiveErrorCode.PLAN, `${where}: {{ ${id}.${key} }} names no deployed service`, {
        where,
        reference: id,
      });
    if (!(KEYS as readonly string[]).includes(key))
      throw new LiveError(
        LiveErrorCode.PLAN,
        `${where}: {{ ${id}.${key} }}: unknown key (use ${KEYS.join(', ')})`,
        { where, key },
      );
    let value: string;
    if (key === 'address') value = ep.address;
    else if (key === 'host') value = ep.host;
    else {
      if (ep.port === undefined)
        throw new LiveError(
          LiveErrorCode.PLAN,
          `${where}: {{ ${id}.${key} }}: ${id} has no port (set live.port)`,
          { where, reference: id },
        );
      value =
        key === 'port'
          ? String(ep.port)
          : `http://${ep.address.includes(':') ? `[${ep.address}]` : ep.address}:${ep.port}`;
    }
    return quote ? shellQuote(value) : value;
  });
}

/** Service ids a text references. */
export function referencedServices(text: string): string[] {
  return [...text.matchAll(REF)].map((m) => `${m[1]}.${m[2]}`);
}

const POOL_REF = /\{\{\s*pools\.([\w-]+)\s*\}\}/g;

/**
 * Fills `{{ pools.<name> }}` with this service's own pool size (after `--set` overrides), so a
 * third-party server is started with the configuration the twin simulates (e.g. nginx's
 * `worker_processes {{ pools.workers }};`, gunicorn's `--workers {{ pools.workers }}`).
 * @throws LiveError `E2C_ERR_LIVE_PLAN` for a pool the service's app does not have
 */
export function fillPools(
  text: string,
  pools: Readonly<Record<string, { size: number }>>,
  where: string,
): string {
  return text.replace(POOL_REF, (_m, pool: string) => {
    const p = pools[pool];
    if (!p)
      throw new LiveError(
        LiveErrorCode.PLAN,
        `${where}: {{ pools.${pool} }}: no pool "${pool}" in this service's app (pools: ${Object.keys(pools).join(', ') || 'none'})`,
        { where, pool },
      );
    return String(p.size);
  });
}
