import type { SimContext } from './sim-context.js';
import { BYTES, NEXT, OUT, type Source } from './source.js';

const INITIAL_CAPACITY = 16;

/**
 * The periodic sources of one open workload that book their uploads (see Source), driven as one.
 *
 * They all send every `period` seconds, each at its own phase, so together they send in one fixed cyclic
 * order: that of their phases (send times are accumulated, t + period, which keeps that order exactly). The
 * fleet walks this order — the head is the next source to send — and books a source's upload only when no
 * upload in flight arrives before its send time. So it holds only the uploads in flight, in a small heap by
 * arrival time, and one kernel event, at the earliest of their arrivals (or at the head's send time when
 * none is in flight). With thousands of devices this replaces thousands of pending kernel events (one per
 * device) by one, and the fleet touches each source twice within a few milliseconds (at booking and at
 * arrival) in the order of its phase, which is also the order the sources were built in, hence their
 * order in memory: cache hits instead of a miss per source and request.
 *
 * A booking the link refuses (the upload would arrive after the next send or across a statistics read, or
 * the link is still busy) makes that send an ordinary one at its time: a kernel event that sends the drawn
 * bytes through the link. Until that has happened the source books nothing, since its link may then carry
 * those bytes: its later sends go the usual way too.
 */
export class Fleet {
  readonly #sim: SimContext;
  readonly #sources: readonly Source[];
  readonly #period: number;
  #head = 0;
  // Uploads in flight: a binary min-heap on (arrival, source index) over parallel arrays.
  #at = new Float64Array(INITIAL_CAPACITY);
  #start = new Float64Array(INITIAL_CAPACITY);
  #who = new Int32Array(INITIAL_CAPACITY);
  #n = 0;

  /** `sources` in the order of their first send times, each in its slot NEXT. */
  constructor(sim: SimContext, sources: readonly Source[], period: number) {
    this.#sim = sim;
    this.#sources = sources;
    this.#period = period;
  }

  /** Starts the fleet: its first event, at the first send time. */
  start(): void {
    if (this.#sources.length > 0) this.#wake();
  }

  /** The fleet's event: the earliest upload in flight arrives now, or the head's send time has come. */
  fire(): void {
    const now = this.#sim.env.now;
    let who = -1;
    let start = 0;
    if (this.#n > 0 && this.#at[0] === now) {
      who = this.#who[0]!;
      start = this.#start[0]!;
      this.#pop();
    }
    this.#advance(now);
    this.#wake();
    if (who >= 0) {
      const s = this.#sources[who]!;
      this.#sim.uploadedRequest(s.origin, s.target, s, start, s);
    }
  }

  // Books (or sends the usual way) every source whose send time comes before the earliest arrival in flight,
  // or, with nothing in flight, every source whose send time has come.
  #advance(now: number): void {
    const sources = this.#sources;
    const period = this.#period;
    const sim = this.#sim;
    for (;;) {
      const s = sources[this.#head]!;
      const v = s.v;
      const o = s.o;
      const start = v[o + NEXT]!;
      if (!(start <= (this.#n > 0 ? this.#at[0]! : now))) return;
      const next = start + period;
      v[o + NEXT] = next;
      if (++this.#head === sources.length) this.#head = 0;
      if (v[o + OUT]! > 0) {
        v[o + OUT]!++;
        this.#sendAt(start, s);
        continue;
      }
      const bytes = s.target.app.requestBytes();
      // The request is counted as sent when it arrives: no statistic may be read while it is on its way.
      const arrival = s.up!.book(bytes, start, Math.min(next, sim.nextRead(start)));
      if (arrival >= 0) this.#push(arrival, start, this.#head === 0 ? sources.length - 1 : this.#head - 1);
      else {
        v[o + BYTES] = bytes;
        v[o + OUT] = 1;
        this.#sendAt(start, s);
      }
    }
  }

  // A send the usual way at `start`: at once when that is now (with nothing in flight, the fleet wakes at
  // the head's send time), else with an event then.
  #sendAt(start: number, s: Source): void {
    const env = this.#sim.env;
    if (start === env.now) fleetSend(s);
    else env.scheduleAt(start, fleetSend, s);
  }

  // The fleet's next event: the earliest arrival in flight, or the head's send time if that is sooner.
  #wake(): void {
    const head = this.#sources[this.#head]!;
    const send = head.v[head.o + NEXT]!;
    const at = this.#n > 0 ? Math.min(this.#at[0]!, send) : send;
    this.#sim.env.scheduleAt(at, fleetFire, this);
  }

  #push(at: number, start: number, who: number): void {
    if (this.#n === this.#at.length) this.#grow();
    const hAt = this.#at;
    const hStart = this.#start;
    const hWho = this.#who;
    let i = this.#n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = hAt[parent]!;
      if (pa < at || (pa === at && hWho[parent]! < who)) break;
      hAt[i] = pa;
      hStart[i] = hStart[parent]!;
      hWho[i] = hWho[parent]!;
      i = parent;
    }
    hAt[i] = at;
    hStart[i] = start;
    hWho[i] = who;
  }

  #pop(): void {
    const hAt = this.#at;
    const hStart = this.#start;
    const hWho = this.#who;
    const n = --this.#n;
    if (n === 0) return;
    const at = hAt[n]!;
    const start = hStart[n]!;
    const who = hWho[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ca = hAt[child]!;
      const right = child + 1;
      if (right < n) {
        const ra = hAt[right]!;
        if (ra < ca || (ra === ca && hWho[right]! < hWho[child]!)) {
          child = right;
          ca = ra;
        }
      }
      if (ca > at || (ca === at && hWho[child]! > who)) break;
      hAt[i] = ca;
      hStart[i] = hStart[child]!;
      hWho[i] = hWho[child]!;
      i = child;
    }
    hAt[i] = at;
    hStart[i] = start;
    hWho[i] = who;
  }

  #grow(): void {
    const size = this.#at.length * 2;
    const at = new Float64Array(size);
    const start = new Float64Array(size);
    const who = new Int32Array(size);
    at.set(this.#at);
    start.set(this.#start);
    who.set(this.#who);
    this.#at = at;
    this.#start = start;
    this.#who = who;
  }
}

function fleetFire(f: Fleet): void {
  f.fire();
}

// A send that goes the usual way: with the bytes drawn for a refused booking (their loss draw is kept by the
// link for them), else with bytes drawn now.
function fleetSend(s: Source): void {
  const v = s.v;
  const o = s.o;
  v[o + OUT]!--;
  let bytes = v[o + BYTES]!;
  if (bytes >= 0) v[o + BYTES] = -1;
  else bytes = s.target.app.requestBytes();
  s.kind.sim.newRequest(s.origin, s.target, null, s, true, undefined, s, bytes);
}
