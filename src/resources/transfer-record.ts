import type { Handler } from '../kernel/index.js';
import type { Link } from './link.js';

/** One transfer on its way: carries the callback through the wire and the propagation delay. */
export interface PendingTransfer {
  link: Link;
  delay: number;
  onDone: Handler;
  arg: unknown;
  /** Seconds on the wire alone (bytes on the wire / rate). */
  work: number;
  /** Burst members: when their bytes are out, and their arrival event (0 once on the wire). */
  bytesEnd: number;
  id: number;
}

// Transfer records are reused once their transfer has arrived: each has three number fields, and a
// number field is a separate heap box in V8, so a new record per transfer was the largest source of
// garbage in large runs. A record is given back only when nothing refers to it any more (its event has
// run and it is in no burst). The free list is shared by all links; records hold no state between uses.
const freeRecords: PendingTransfer[] = [];
const MAX_FREE_RECORDS = 4096;

/** A record for a new transfer (a reused one when available). */
export function takeRecord(
  link: Link,
  delay: number,
  onDone: Handler,
  arg: unknown,
  work: number,
): PendingTransfer {
  const r = freeRecords.pop();
  if (r === undefined) return { link, delay, onDone, arg, work, bytesEnd: 0, id: 0 };
  r.link = link;
  r.delay = delay;
  r.onDone = onDone;
  r.arg = arg;
  r.work = work;
  r.bytesEnd = 0;
  r.id = 0;
  return r;
}

/** Gives a record back once nothing refers to it any more. */
export function giveBack(r: PendingTransfer): void {
  r.arg = null;
  r.onDone = nothing;
  if (freeRecords.length < MAX_FREE_RECORDS) freeRecords.push(r);
}

/** A transfer's bytes are out: it arrives after its delay. */
export function transmitted(pending: PendingTransfer): void {
  if (pending.delay > 0) pending.link.env.post(pending.delay, arrived, pending);
  else arrived(pending);
}

/** A transfer arrived: its record is given back, then its callback runs. */
function arrived(pending: PendingTransfer): void {
  const { onDone, arg } = pending;
  giveBack(pending);
  onDone(arg);
}

function nothing(): void {}
