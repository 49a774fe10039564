import { InteropErrorCode, type InteropIssue } from '../errors.js';
import { type E2clabFile, isObject } from './read.js';
import { parseDelay, parseLoss, parseRate } from './units.js';

/** A constraint of network.yaml with its strings turned into numbers. */
export interface ImportedConstraint {
  src: string;
  dst: string;
  delayMs: number;
  rateMbps: number;
  lossPercent?: number;
  symmetric: boolean;
  /** Index in network.yaml, for locating later issues (a selector that matches nothing). */
  index: number;
}

const KNOWN = ['src', 'dst', 'delay', 'rate', 'loss', 'symmetric'];

/**
 * Reads `network.yaml`: `networks:` null or absent means no emulation; each rule's "10ms", "1gbit",
 * "0.5%" become delayMs, rateMbps, lossPercent. E2Clab reads an absent `symmetric` as false (only
 * src → dst is shaped) while the twin's default is true, so the result always says which.
 */
export function readNetwork(
  f: E2clabFile,
  errors: InteropIssue[],
  warnings: InteropIssue[],
): ImportedConstraint[] {
  const err = (at: PropertyKey[], code: InteropErrorCode, msg: string, key = false) =>
    errors.push(f.issue(code, at, msg, undefined, key));
  const doc = f.data;
  if (doc === null || doc === undefined) return [];
  if (!isObject(doc)) {
    err([], InteropErrorCode.INVALID_VALUE, 'network.yaml must be a mapping with networks:');
    return [];
  }
  for (const k of Object.keys(doc))
    if (k !== 'networks')
      err([k], InteropErrorCode.UNKNOWN_KEY, `unknown key "${k}" (network.yaml has networks:)`, true);
  const list = doc.networks;
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) {
    err(
      ['networks'],
      InteropErrorCode.INVALID_VALUE,
      'networks must be a list of {src, dst, delay, rate, loss, symmetric}',
    );
    return [];
  }
  const out: ImportedConstraint[] = [];
  list.forEach((n: unknown, i: number) => {
    const at = ['networks', i];
    if (!isObject(n))
      return err(at, InteropErrorCode.INVALID_VALUE, 'a network rule is a mapping {src, dst, delay, rate}');
    let ok = true;
    for (const k of ['src', 'dst', 'delay', 'rate'])
      if (n[k] === undefined) {
        err(at, InteropErrorCode.MISSING_FIELD, `${k} is required (E2Clab requires src, dst, delay, rate)`);
        ok = false;
      }
    for (const k of ['src', 'dst'])
      if (n[k] !== undefined && typeof n[k] !== 'string') {
        err(
          [...at, k],
          InteropErrorCode.INVALID_VALUE,
          `${k} must be a selector string (e.g. cloud, edge.client.*)`,
        );
        ok = false;
      }
    const num = (k: string, parse: typeof parseDelay) => {
      if (n[k] === undefined) return undefined;
      const r = parse(n[k]);
      if (!r.ok) {
        err([...at, k], InteropErrorCode.BAD_UNIT, r.message);
        ok = false;
        return undefined;
      }
      return r.value;
    };
    const delayMs = num('delay', parseDelay);
    const rateMbps = num('rate', parseRate);
    const lossPercent = num('loss', parseLoss);
    if (rateMbps === 0) {
      err([...at, 'rate'], InteropErrorCode.INVALID_VALUE, 'rate must be above 0');
      ok = false;
    }
    if (n.symmetric !== undefined && typeof n.symmetric !== 'boolean') {
      err([...at, 'symmetric'], InteropErrorCode.INVALID_VALUE, 'symmetric must be true or false');
      ok = false;
    }
    for (const k of Object.keys(n))
      if (!KNOWN.includes(k))
        warnings.push(
          f.issue(
            InteropErrorCode.UNMAPPED,
            [...at, k],
            `${k} not mapped (E2Clab network rules have ${KNOWN.join(', ')})`,
            undefined,
            true,
          ),
        );
    if (!ok) return;
    out.push({
      src: n.src as string,
      dst: n.dst as string,
      delayMs: delayMs!,
      rateMbps: rateMbps!,
      ...(lossPercent !== undefined ? { lossPercent } : {}),
      symmetric: n.symmetric === true,
      index: i,
    });
  });
  return out;
}
