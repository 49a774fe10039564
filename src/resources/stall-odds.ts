/**
 * P(at least one of m packets lost) = 1 − keep^m = 1 − e^(m·ln keep), remembered per (ln keep, m).
 *
 * Every transfer on a lossy link draws whether it stalls against this number, and computing the exponential
 * each time (a call out of compiled code) was about 1.5 % of the Pl@ntNet baseline. A link's loss rate takes
 * few values over a run and transfers of similar sizes have the same packet count, so the value is kept in a
 * table per loss rate, indexed by m. Invariant: a value is the one `1 - Math.exp(m * logKeep)` gives for the
 * same arguments, computed by that expression the first time — the same double, so results are unchanged.
 * Counts of `MAX_PACKETS` and more, and loss rates beyond the first `MAX_RATES` seen in this thread, are
 * computed each time (so is anything but a count 0 ≤ m < `MAX_PACKETS`).
 */
const MAX_PACKETS = 4096;
const MAX_RATES = 64;

// 0 marks a value not computed yet (1 − e^(m·ln keep) > 0 for ln keep < 0 and m ≥ 1; where it rounds to 0 it
// is computed again each time, which gives the same 0).
const tables = new Map<number, Float64Array>();
let lastLogKeep = Number.NaN;
let last: Float64Array = new Float64Array(0);

// The `stall-odds` shortcut (src/model/shortcuts.ts): off, every value is computed. Per thread, set by each
// simulation from its plan before it runs (a thread runs one simulation at a time).
let remember = true;

/** Turns the table on or off (the `stall-odds` shortcut; on by default). */
export function rememberStallOdds(on: boolean): void {
  remember = on;
}

/** 1 − e^(packets·logKeep) for `packets` ≥ 1 (an integer) and `logKeep` < 0, as that expression computes it. */
export function stallOdds(packets: number, logKeep: number): number {
  if (!remember || !(packets < MAX_PACKETS)) return 1 - Math.exp(packets * logKeep); // NaN too
  if (logKeep !== lastLogKeep && !useTable(logKeep)) return 1 - Math.exp(packets * logKeep);
  const known = last[packets] as number;
  if (known !== 0) return known;
  const odds = 1 - Math.exp(packets * logKeep);
  last[packets] = odds;
  return odds;
}

// Makes `logKeep`'s table the current one; false when the thread already keeps MAX_RATES tables.
function useTable(logKeep: number): boolean {
  let table = tables.get(logKeep);
  if (table === undefined) {
    if (tables.size >= MAX_RATES || !(logKeep < 0)) return false;
    table = new Float64Array(MAX_PACKETS);
    tables.set(logKeep, table);
  }
  lastLogKeep = logKeep;
  last = table;
  return true;
}
