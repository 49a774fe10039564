import { SlotHeap } from '../kernel/index.js';
import { type Link, LinkRoster } from '../resources/index.js';
import type { Sampler } from '../random/index.js';
import type { Endpoint } from './endpoint.js';
import type { ServiceHost } from './service-host.js';
import type { SimContext } from './sim-context.js';
import type { Source } from './source.js';

const INITIAL_CAPACITY = 16;

// A source's numbers in the fleet's record (STRIDE numbers per source, in ring order).
/** Its next send time. */
const SEND = 0;
/** Its sends that go the usual way and have not happened yet. */
const OUT = 1;
/** The upload size drawn for a refused booking, −1 if none. */
const KEPT = 2;
/** Routes.answerS of its requests. */
const ANSWER_S = 3;
const STRIDE = 4; // half a cache line

/**
 * The periodic sources of one open workload that book their uploads (see Source), driven as one.
 *
 * They all send every `period` seconds, each at its own phase, so together they send in one fixed cyclic
 * order: that of their phases (send times are accumulated, t + period, which keeps that order exactly). The
 * fleet walks this order — the head is the next source to send — and books a source's upload only when no
 * upload in flight arrives before its send time. So it holds only the uploads in flight, in a small heap by
 * arrival time, and one kernel event, at the earliest of their arrivals (or at the head's send time when
 * none is in flight); while that comes before any other pending event it goes on without one (Env.claim).
 *
 * With thousands of devices, memory is what costs: the fleet keeps what it needs of each source in its own
 * arrays, in ring order, and books the uploads through a LinkRoster that holds the links in the same order —
 * every access walks forward through memory, which the processor prefetches, instead of visiting a source
 * object and a link object somewhere in the heap for each request.
 *
 * A booking the link refuses (the upload would arrive after the next send or across a statistics read, or
 * the link is still busy) makes that send an ordinary one at its time, through the link. Until that has
 * happened the source books nothing, since its link may then carry those bytes: its later sends go the
 * usual way too.
 */
export class Fleet {
  readonly #sim: SimContext;
  readonly #period: number;
  readonly #requestBytes: Sampler;
  readonly #n: number;
  // Per source, in ring order.
  readonly #record: Float64Array;
  readonly #links = new LinkRoster();
  readonly #sources: readonly Source[];
  readonly #origins: Endpoint[];
  readonly #targets: ServiceHost[];
  readonly #ups: Link[];
  readonly #downs: (Link | null)[];
  #head = 0;
  /** Whether it may go on without an event (shortcuts.ts, claim). */
  readonly #claims: boolean;
  // Uploads in flight, on the simulator's heap by (arrival, source index); their send times and sources by slot.
  readonly #inFlight = new SlotHeap(INITIAL_CAPACITY);
  #start = new Float64Array(INITIAL_CAPACITY);
  #who = new Int32Array(INITIAL_CAPACITY);

  /**
   * `sources` in the order of their first send times `firstSends`; they send to instances of one service
   * (whose app draws their upload sizes) over links of their own.
   */
  constructor(sim: SimContext, sources: readonly Source[], firstSends: readonly number[], period: number) {
    this.#sim = sim;
    this.#period = period;
    this.#claims = sim.shortcuts.claim;
    this.#sources = sources;
    const n = (this.#n = sources.length);
    this.#requestBytes = n > 0 ? sources[0]!.target.app.requestBytes : () => 0;
    this.#record = new Float64Array(n * STRIDE);
    this.#origins = [];
    this.#targets = [];
    this.#ups = [];
    this.#downs = [];
    for (let j = 0; j < n; j++) {
      const s = sources[j]!;
      const r = j * STRIDE;
      this.#record[r + SEND] = firstSends[j]!;
      this.#record[r + KEPT] = -1;
      this.#record[r + ANSWER_S] = s.answerS;
      this.#links.add(s.up!); // index j
      this.#origins.push(s.origin);
      this.#targets.push(s.target);
      this.#ups.push(s.up!);
      this.#downs.push(s.down);
    }
  }

  /** Starts the fleet: its first event, at the first send time. */
  start(): void {
    if (this.#n > 0) this.#sim.env.scheduleAt(this.#next(), fleetFire, this);
  }

  /** The fleet's event: the earliest upload in flight arrives now, or the head's send time has come. */
  fire(): void {
    const env = this.#sim.env;
    for (;;) {
      const now = env.now;
      let who = -1;
      let start = 0;
      const inFlight = this.#inFlight;
      if (inFlight.topKey === now) {
        const slot = inFlight.pop();
        who = this.#who[slot]!;
        start = this.#start[slot]!;
        inFlight.give(slot);
      }
      this.#advance(now);
      if (who >= 0) {
        this.#sim.uploadedRequest(
          this.#origins[who]!,
          this.#targets[who]!,
          this.#sources[who],
          start,
          this.#ups[who]!,
          this.#downs[who]!,
          this.#record[who * STRIDE + ANSWER_S]!,
        );
      }
      const next = this.#next();
      if (!this.#claims || !env.claim(next)) {
        env.scheduleAt(next, fleetFire, this);
        return;
      }
    }
  }

  // Books (or sends the usual way) every source whose send time comes before the earliest arrival in flight,
  // or, with nothing in flight, every source whose send time has come.
  #advance(now: number): void {
    const d = this.#record;
    const period = this.#period;
    const sim = this.#sim;
    for (;;) {
      const j = this.#head;
      const r = j * STRIDE;
      const start = d[r + SEND]!;
      if (!(start <= (this.#inFlight.size > 0 ? this.#inFlight.topKey : now))) return;
      const next = start + period;
      d[r + SEND] = next;
      if (++this.#head === this.#n) this.#head = 0;
      if (d[r + OUT]! > 0) {
        d[r + OUT]!++;
        this.#sendAt(start, j);
        continue;
      }
      const bytes = this.#requestBytes();
      // The request is counted as sent when it arrives: no statistic may be read while it is on its way.
      const latest = Math.min(next, sim.nextRead(start));
      const arrival = this.#links.book(j, bytes, start, latest, now);
      if (arrival >= 0) this.#push(arrival, start, j);
      else {
        d[r + KEPT] = bytes;
        d[r + OUT] = 1;
        this.#sendAt(start, j);
      }
    }
  }

  // A send the usual way at `start`: at once when that is now (with nothing in flight, the fleet wakes at
  // the head's send time), else with an event then.
  #sendAt(start: number, j: number): void {
    const env = this.#sim.env;
    if (start === env.now) this.send(j);
    else env.scheduleAt(start, fleetSend, new UsualSend(this, j));
  }

  /**
   * @internal Source `j` sends now, the usual way (through its link): with the bytes drawn for a refused
   * booking (the link kept their loss draw for them), else with bytes drawn now.
   */
  send(j: number): void {
    const d = this.#record;
    const r = j * STRIDE;
    d[r + OUT]!--;
    this.#links.transferring(j);
    let bytes = d[r + KEPT]!;
    if (bytes >= 0) d[r + KEPT] = -1;
    else bytes = this.#requestBytes();
    const s = this.#sources[j]!;
    this.#sim.newRequest(s.origin, s.target, null, s, true, undefined, s, bytes);
  }

  // The fleet's next moment: the earliest arrival in flight, or the head's send time if that is sooner.
  #next(): number {
    const send = this.#record[this.#head * STRIDE + SEND]!;
    return Math.min(this.#inFlight.topKey, send);
  }

  #push(at: number, start: number, who: number): void {
    const slot = this.#inFlight.take();
    if (slot >= this.#start.length) {
      const size = 2 * this.#start.length;
      const starts = new Float64Array(size);
      starts.set(this.#start);
      this.#start = starts;
      const whos = new Int32Array(size);
      whos.set(this.#who);
      this.#who = whos;
    }
    this.#start[slot] = start;
    this.#who[slot] = who;
    this.#inFlight.push(slot, at, 0, who);
  }
}

/** A send of source `j` the usual way, due later (a kernel event's argument; rare). */
class UsualSend {
  constructor(
    readonly fleet: Fleet,
    readonly j: number,
  ) {}
}

function fleetFire(f: Fleet): void {
  f.fire();
}

function fleetSend(u: UsualSend): void {
  u.fleet.send(u.j);
}
