import { aleaDraw } from '../random/index.js';
import type { Link } from '../resources/index.js';
import type { Endpoint } from './endpoint.js';
import type { Multiplier } from './profile.js';
import type { Routes } from './network.js';
import type { InstanceSet } from './instances.js';
import type { ServiceHost } from './service-host.js';
import type { SimContext } from './sim-context.js';

/** What the sources of one open workload share (one object, so it stays in cache however many sources). */
export class SourceKind {
  constructor(
    readonly sim: SimContext,
    readonly meanGap: number,
    readonly poisson: boolean,
    readonly profile: Multiplier,
    readonly patienceS: number | undefined,
  ) {}
}

/** Send time of the booked request; the next candidate (send) time after it; the upload size drawn for it. */
export const START = 0;
export const NEXT = 1;
export const DRAWN_BYTES = 2;
/** Routes.answerS. */
export const ANSWER_S = 3;
/** The state of its arrival stream (four numbers, see random/alea.ts): no generator object per device. */
export const RNG = 4;
export const SOURCE_NUMBERS = 8;

/**
 * Open arrivals from one origin host: Poisson (by thinning under a profile) or periodic. Its routes are its
 * own fields (it is the Routes of its requests): a scenario may have thousands of sources, each visited
 * about once a second, and every object on the way is a likely cache miss.
 *
 * A source that owns its upload link (a device with no app on a `per-host` link, sending to an app with
 * no network stage, so no other bytes use it) and whose rate is constant books each upload in advance
 * (Link.book) and is woken only at its arrival: one event per request instead of two. Periodic ones are
 * driven together by a Fleet; Poisson ones book their next request at the arrival of the last one.
 */
export class Source implements Routes {
  // Its numbers (slots START … ANSWER_S of v from o), beside its links' in a shared chunk: as fields each would
  // be a heap box of its own, one more cache miss per request. Fields are laid out in the order defined:
  // what each request reads comes first.
  readonly v: Float64Array;
  readonly o: number;
  readonly kind: SourceKind;
  readonly up: Link | null;
  readonly target: ServiceHost;
  readonly origin: Endpoint;
  readonly down: Link | null;
  readonly books: boolean;
  /** The target's instance set when it has one: each request picks its instance (instances.ts). */
  set: InstanceSet | null = null;
  /** Its index among the workload's sources (the static balance's client index). */
  hint = 0;
  constructor(o: {
    slot: [Float64Array, number];
    kind: SourceKind;
    origin: Endpoint;
    target: ServiceHost;
    routes: Routes;
    books: boolean;
  }) {
    const { slot, kind, origin, target, routes, books } = o;
    [this.v, this.o] = slot;
    const { up, down } = routes;
    this.v[this.o + ANSWER_S] = routes.answerS;
    this.kind = kind;
    this.up = up;
    this.target = target;
    this.origin = origin;
    this.down = down;
    this.books = books;
  }

  /** The next uniform of its arrival stream (its state is at RNG in its numbers, seeded by the workload). */
  rng(): number {
    return aleaDraw(this.v, this.o + RNG);
  }

  get answerS(): number {
    return this.v[this.o + ANSWER_S]!;
  }
}
