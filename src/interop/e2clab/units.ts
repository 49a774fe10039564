/**
 * E2Clab's network strings (tc's units, as EnOSlib passes them to `tc … netem`/`htb`) as numbers with
 * the unit in the name: "10ms" → delayMs 10, "1gbit" → rateMbps 1000, "0.5%" → lossPercent 0.5.
 */
export type UnitResult = { ok: true; value: number } | { ok: false; message: string };

const NUMBER = '(\\d+(?:\\.\\d*)?|\\.\\d+)';

/** tc time units → milliseconds. */
const TIME_MS: Record<string, number> = {
  us: 0.001,
  usec: 0.001,
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  '': 1000,
};
/** tc rate units (bits per second, SI prefixes as tc reads them) → megabits per second. */
const RATE_MBPS: Record<string, number> = {
  bit: 1e-6,
  kbit: 1e-3,
  mbit: 1,
  gbit: 1000,
  tbit: 1e6,
  bps: 8e-6,
  kbps: 8e-3,
  mbps: 8,
  gbps: 8000,
};

function parse(s: unknown, units: Record<string, number>, what: string, example: string): UnitResult {
  if (typeof s === 'number') return { ok: false, message: `${what} needs a unit, e.g. "${example}"` };
  if (typeof s !== 'string') return { ok: false, message: `${what} must be a string such as "${example}"` };
  const m = new RegExp(`^\\s*${NUMBER}\\s*([A-Za-z]*)\\s*$`).exec(s);
  const unit = m?.[2]?.toLowerCase();
  if (!m || unit === undefined || !(unit in units))
    return {
      ok: false,
      message: `"${s}" is not a ${what}: write a number and one of the units ${Object.keys(units)
        .filter(Boolean)
        .join(', ')} (e.g. "${example}")`,
    };
  return { ok: true, value: round(Number(m[1]) * units[unit]!) };
}

// Unit factors such as 8e-6 leave binary noise (0.1 * 8 = 0.8000000000000002); 12 significant digits hold any real setting.
const round = (x: number) => Number(x.toPrecision(12));

/** "10ms", "1s", "500us" → milliseconds. (tc reads a bare number as seconds; E2Clab's examples always give a unit.) */
export const parseDelay = (s: unknown): UnitResult => parse(s, TIME_MS, 'delay', '10ms');
/** "1gbit", "100mbit", "10kbit", "1mbps" (bytes) → megabits per second. */
export const parseRate = (s: unknown): UnitResult => parse(s, RATE_MBPS, 'rate', '100mbit');

/** "0.5%" (E2Clab's pattern `\d*.?\d*%`) → percent, below 100. */
export function parseLoss(s: unknown): UnitResult {
  if (typeof s !== 'string') return { ok: false, message: 'loss must be a string such as "0.5%"' };
  const m = new RegExp(`^\\s*${NUMBER}\\s*%\\s*$`).exec(s);
  if (!m) return { ok: false, message: `"${s}" is not a loss: write a percentage such as "0.5%"` };
  const v = Number(m[1]);
  if (v >= 100) return { ok: false, message: `loss ${s}: a link that loses every packet never delivers` };
  return { ok: true, value: v };
}

/** Writes a delay in milliseconds as E2Clab's string ("10ms", "0.5ms"). */
export const formatDelay = (ms: number) => `${round(ms)}ms`;
/** Writes a rate in megabits per second as E2Clab's string: gbit when whole, else mbit or kbit. */
export function formatRate(mbps: number): string {
  if (mbps >= 1000 && Number.isInteger(mbps / 1000)) return `${mbps / 1000}gbit`;
  if (Number.isInteger(mbps) || mbps >= 1) return `${round(mbps)}mbit`;
  return `${round(mbps * 1000)}kbit`;
}
/** Writes a loss in percent as E2Clab's string ("0.5%"). */
export const formatLoss = (p: number) => `${round(p)}%`;
