import { aleaDraw, aleaSeed, type Sampler } from '../random/index.js';
import type { ResolvedService, Workload } from '../scenario/index.js';
import { unhandledKind } from './kinds.js';
import type { Endpoint } from './endpoint.js';
import { numberSlot } from '../resources/index.js';
import type { Routes } from './network.js';
import type { Streams } from './laws.js';
import { multiplier, type Multiplier } from './profile.js';
import type { Request } from './request.js';
import { NETWORK } from './compiled-app.js';
import type { ServiceHost } from './service-host.js';
import type { SimContext } from './sim-context.js';
import { Fleet } from './fleet.js';
import { drivesFleet, sleepsIdleUsers, sourceBooks } from './shortcuts.js';
import { letsGo } from './request-pool.js';
import type { InstanceSet } from './instances.js';
import { withLoadSteps } from './timed-events.js';
import { DRAWN_BYTES, NEXT, RNG, SOURCE_NUMBERS, Source, SourceKind, START } from './source.js';

/**
 * A closed-loop user: sends a request, waits for the answer (or gives up after its patience), thinks,
 * and sends again. Users beyond the active population of the moment (a time-varying profile) stay idle
 * and look again after a think time — or, with the idle-users shortcut (shortcuts.ts), a think time after
 * the population's next change.
 */
class User {
  readonly sim: SimContext;
  readonly origin: Endpoint;
  readonly target: ServiceHost;
  readonly rank: number;
  readonly total: number;
  readonly think: Sampler;
  readonly population: Multiplier;
  readonly patienceS: number | undefined;
  readonly routes: Routes;
  /** The target's instance set when it has one: each request picks its instance (instances.ts). */
  readonly set: InstanceSet | null;
  /** The workload's keepAliveS: connections are modelled when set. */
  readonly keepAliveS: number | undefined;
  /** The population's next change after a time, when an idle user sleeps until then (idle-users shortcut). */
  readonly nextChange: ((t: number) => number) | null;
  /** When this user's connection fell idle (its last answer), or -1 when it has none open. */
  idleSince = -1;
  constructor(o: {
    sim: SimContext;
    origin: Endpoint;
    target: ServiceHost;
    rank: number;
    total: number;
    think: Sampler;
    population: Multiplier;
    patienceS: number | undefined;
    routes: Routes;
    set: InstanceSet | null;
    keepAliveS: number | undefined;
    nextChange: ((t: number) => number) | null;
  }) {
    this.sim = o.sim;
    this.origin = o.origin;
    this.target = o.target;
    this.rank = o.rank;
    this.total = o.total;
    this.think = o.think;
    this.population = o.population;
    this.patienceS = o.patienceS;
    this.routes = o.routes;
    this.set = o.set;
    this.keepAliveS = o.keepAliveS;
    this.nextChange = o.nextChange;
  }
}

function userSend(u: User): void {
  const env = u.sim.env;
  if (u.rank >= Math.round(u.total * u.population.at(env.now))) {
    if (u.nextChange === null) env.post(u.think(), userSend, u);
    else {
      // Until the next change every look would find this same population: the first look that counts
      // comes a think time after it (exponential, so memoryless). None when the population never changes.
      const change = u.nextChange(env.now);
      if (change !== Infinity) env.post(change - env.now + u.think(), userSend, u);
    }
    return;
  }
  // Its connection closed after keepAliveS idle seconds (or never opened): this request opens one.
  const fresh = u.keepAliveS !== undefined && (u.idleSince < 0 || env.now - u.idleSince > u.keepAliveS);
  u.idleSince = -1; // in use until answered
  if (u.set !== null) {
    u.set.send(u.origin, u.rank, userAnswered, u, true, u.patienceS, fresh);
    return;
  }
  u.sim.newRequest(u.origin, u.target, userAnswered, u, true, u.patienceS, u.routes, undefined, fresh);
}

function userAnswered(req: Request): void {
  const u = req.owner as User;
  if (!req.abandoned) u.idleSince = u.sim.env.now;
  u.sim.env.post(u.think(), userSend, u);
}

// It reads the request's owner and status only.
letsGo(userAnswered);

/** An abandoned request frees its user at once: think, then send again (its connection is closed: the client gave up on it). */
export function userGaveUp(req: Request): void {
  if (req.owner instanceof User) userAnswered(req);
}

function gapOf(s: Source): number {
  const k = s.kind;
  return k.poisson ? -k.meanGap * Math.log(1 - s.rng()) : k.meanGap;
}

function sourceNext(s: Source): void {
  s.kind.sim.env.post(gapOf(s), sourceFire, s);
}

// A candidate arrival, now.
function sourceFire(s: Source): void {
  const k = s.kind;
  const p = k.profile;
  const env = k.sim.env;
  // Thinning: candidates come at the peak rate; each is kept with probability rate(t)/peak.
  if (!(p.max === 1 || s.rng() * p.max < p.at(env.now))) return sourceNext(s);
  if (s.set !== null) {
    s.set.send(s.origin, s.hint, null, s, true, k.patienceS);
    return sourceNext(s);
  }
  if (!s.books) {
    k.sim.newRequest(s.origin, s.target, null, s, true, k.patienceS, s);
    return sourceNext(s);
  }
  // A source that books: a Poisson one, or a periodic one when the fleet shortcut is off (see Fleet).
  const now = env.now;
  if (book(s, now, now + gapOf(s))) return;
  k.sim.newRequest(s.origin, s.target, null, s, true, undefined, s, s.v[s.o + DRAWN_BYTES]);
  env.post(s.v[s.o + NEXT]! - now, sourceFire, s);
}

/**
 * Books the upload of the request to send at `start`, the next candidate coming at `next` (both kept in
 * the source); false if refused, with the drawn size kept for sending the usual way.
 */
function book(s: Source, start: number, next: number): boolean {
  const sim = s.kind.sim;
  const v = s.v;
  const o = s.o;
  const bytes = s.target.app.requestBytes();
  v[o + START] = start;
  v[o + NEXT] = next;
  v[o + DRAWN_BYTES] = bytes;
  // The request is counted as sent when it arrives: no statistic may be read while it is on its way.
  const arrival = s.up!.book(bytes, start, Math.min(next, sim.nextRead(start)));
  if (arrival < 0) return false;
  sim.env.post(arrival - sim.env.now, sourceArrived, s);
  return true;
}

// The booked upload is over: the request is at its host. Book the next one first (it starts at s.next,
// now or later), then let this one begin its stages.
function sourceArrived(s: Source): void {
  const sim = s.kind.sim;
  const start = s.v[s.o + START]!;
  const next = s.v[s.o + NEXT]!;
  if (!book(s, next, next + gapOf(s))) sim.env.post(next - sim.env.now, sourceSend, s);
  sim.uploadedRequest(s.origin, s.target, s, start, s.up, s.down, s.answerS);
}

// The request whose booking was refused is sent now, the usual way; the next candidate is a plain fire.
function sourceSend(s: Source): void {
  const sim = s.kind.sim;
  sim.newRequest(s.origin, s.target, null, s, true, undefined, s, s.v[s.o + DRAWN_BYTES]);
  sim.env.post(s.v[s.o + NEXT]! - sim.env.now, sourceFire, s);
}

/** Replay of recorded arrival times (a trace), rows spread over the origin's instances. */
class Replay {
  next = 0;
  readonly sim: SimContext;
  readonly origins: Endpoint[];
  readonly targets: ServiceHost[];
  readonly times: Float64Array;
  readonly patienceS: number | undefined;
  readonly set: InstanceSet | null;
  constructor(o: {
    sim: SimContext;
    origins: Endpoint[];
    targets: ServiceHost[];
    times: Float64Array;
    patienceS: number | undefined;
    set: InstanceSet | null;
  }) {
    this.sim = o.sim;
    this.origins = o.origins;
    this.targets = o.targets;
    this.times = o.times;
    this.patienceS = o.patienceS;
    this.set = o.set;
  }
}

function replayFire(r: Replay): void {
  const i = r.next++;
  if (r.set !== null) r.set.send(r.origins[i % r.origins.length]!, i, null, r, true, r.patienceS);
  else
    r.sim.newRequest(
      r.origins[i % r.origins.length]!,
      r.targets[i % r.targets.length]!,
      null,
      r,
      true,
      r.patienceS,
    );
  if (r.next < r.times.length) r.sim.env.scheduleAt(r.times[r.next]!, replayFire, r);
}

/** What starting a workload needs, whatever its kind. */
interface WorkloadStart {
  sim: SimContext;
  service: ResolvedService;
  origins: Endpoint[];
  targets: ServiceHost[];
  /** The target's instance set, when it has one (then `targets` are its first incarnations, for routes). */
  set: InstanceSet | null;
  streams: Streams;
  horizon: number;
}

/**
 * Starts the workload of one service: its users, sources or trace replay, one per host instance.
 * Instance i of the workload sends to instance (i mod n) of the target service's n hosts.
 */
export function startWorkload(o: {
  sim: SimContext;
  service: ResolvedService;
  origins: Endpoint[];
  streams: Streams;
  horizon: number;
  trace?: Float64Array | undefined;
}): void {
  const { sim, service, origins, streams, horizon, trace } = o;
  const w = service.workload as Workload;
  const set = sim.instancesOf(w.target);
  const targets = set !== null ? set.up.slice() : sim.hostsOf(w.target);
  const start: WorkloadStart = { sim, service, origins, targets, set, streams, horizon };
  switch (w.kind) {
    case 'closed':
      return startClosed(start, w);
    case 'open':
      return startOpen(start, w);
    case 'trace':
      return startTrace(start, w, trace);
    default:
      return unhandledKind(w);
  }
}

function startClosed(
  { sim, service, origins, targets, set, streams, horizon }: WorkloadStart,
  w: Extract<Workload, { kind: 'closed' }>,
): void {
  const sid = service.id;
  const env = sim.env;
  const think = streams.law(w.thinkTime, `think:${sid}`);
  const start = streams.stream(`start:${sid}`);
  const population = withLoadSteps(multiplier(w.population, horizon), sim.scenario, sid);
  const total = w.users * origins.length;
  // Load steps above 1 activate users beyond `total` (ranks ≥ total), spread over the origins.
  const made = Math.max(total, Math.ceil(total * population.max - 1e-9));
  const sleeps = sleepsIdleUsers(sim.shortcuts, {
    exponentialThink: typeof w.thinkTime === 'object' && w.thinkTime.dist === 'exponential',
    populationStepwise: population.nextChange !== undefined,
  });
  const nextChange = sleeps ? population.nextChange! : null;
  const add = (origin: Endpoint, rank: number) => {
    const target = targets[rank % targets.length]!;
    const u = new User({
      sim,
      origin,
      target,
      rank,
      total,
      think,
      population,
      patienceS: w.patienceS,
      routes: sim.network.routes(origin, target),
      set,
      keepAliveS: w.keepAliveS,
      nextChange,
    });
    env.post(w.startSpreadS * start(), userSend, u);
  };
  let rank = 0;
  for (const origin of origins) for (let k = 0; k < w.users; k++) add(origin, rank++);
  for (; rank < made; rank++) add(origins[rank % origins.length]!, rank);
}

function startOpen(
  { sim, service, origins, targets, set, streams, horizon }: WorkloadStart,
  w: Extract<Workload, { kind: 'open' }>,
): void {
  const env = sim.env;
  const profile = withLoadSteps(multiplier(w.profile, horizon), sim.scenario, service.id);
  const poisson = w.arrivals === 'poisson';
  const kind = new SourceKind(
    sim,
    1 / (w.ratePerS * (poisson ? profile.max : 1)),
    poisson,
    profile,
    w.patienceS,
  );
  // Periodic sources are built in the order of their phase (their first send time, drawn first from
  // their own stream as before): each then lies in memory next to the one that sends after it, so the
  // simulation walks through sources and their links in address order, which the processor prefetches,
  // rather than at random (a cache miss each, with thousands of devices).
  // Each source's stream state lives in its numbers (Source.rng): a generator object per device was ~0.4 kB.
  const states = new Float64Array(4 * origins.length);
  const sources = origins.map((origin, i) => {
    aleaSeed(streams.seedOf(`arrivals:${origin.name}`), states, 4 * i);
    return { origin, i, phase: poisson ? 0 : kind.meanGap * aleaDraw(states, 4 * i) };
  });
  if (!poisson) sources.sort((a, b) => a.phase - b.phase || a.i - b.i);
  const fleet: Source[] = [];
  const firstSends: number[] = [];
  for (const { origin, i, phase } of sources) {
    const target = targets[i % targets.length]!;
    // The source's numbers first, then its links' (made by routes()): side by side in memory.
    const slot = numberSlot(SOURCE_NUMBERS);
    slot[0].set(states.subarray(4 * i, 4 * i + 4), slot[1] + RNG);
    const routes = sim.network.routes(origin, target);
    const { up } = routes;
    // Whether it books its uploads: shortcuts.ts (book-uploads, fleet) decides.
    const books = sourceBooks(sim.shortcuts, {
      balanced: set !== null,
      upPerHost: up !== null && sim.network.isPerHost(up),
      originHasApp: 'app' in origin,
      targetPulls: target.app.stages.some((st) => st.resource === NETWORK),
      constantRate: profile.max === 1,
      patience: w.patienceS !== undefined,
      attemptTimeout: w.retry?.timeoutS !== undefined,
    });
    const s = new Source({ slot, kind, origin, target, routes, books });
    s.set = set;
    s.hint = i;
    if (poisson) sourceNext(s);
    else if (books && drivesFleet(sim.shortcuts, true)) {
      fleet.push(s);
      firstSends.push(phase);
    } else env.post(phase, sourceFire, s);
  }
  new Fleet(sim, fleet, firstSends, kind.meanGap).start();
}

function startTrace(
  { sim, origins, targets, set }: WorkloadStart,
  w: Extract<Workload, { kind: 'trace' }>,
  trace: Float64Array | undefined,
): void {
  const times = trace ?? new Float64Array(0);
  if (times.length > 0)
    sim.env.scheduleAt(
      times[0]!,
      replayFire,
      new Replay({ sim, origins, targets, times, patienceS: w.patienceS, set }),
    );
}
