import type { Rng, Sampler } from '../random/index.js';
import type { ResolvedService, Workload } from '../scenario/index.js';
import type { Endpoint } from './endpoint.js';
import type { Link } from '../resources/index.js';
import type { Routes } from './network.js';
import type { Streams } from './laws.js';
import { multiplier, type Multiplier } from './profile.js';
import type { Request } from './request.js';
import type { ServiceHost } from './service-host.js';
import type { SimContext } from './sim-context.js';

/**
 * A closed-loop user: sends a request, waits for the answer (or gives up after its patience), thinks,
 * and sends again. Users beyond the active population of the moment (a time-varying profile) stay idle
 * and look again after a think time.
 */
class User {
  constructor(
    readonly sim: SimContext,
    readonly origin: Endpoint,
    readonly target: ServiceHost,
    readonly rank: number,
    readonly total: number,
    readonly think: Sampler,
    readonly population: Multiplier,
    readonly patienceS: number | undefined,
    readonly routes: Routes,
  ) {}
}

function userSend(u: User): void {
  const env = u.sim.env;
  if (u.rank >= Math.round(u.total * u.population.at(env.now))) {
    env.schedule(u.think(), userSend, u);
    return;
  }
  u.sim.newRequest(u.origin, u.target, userAnswered, u, true, u.patienceS, u.routes);
}

function userAnswered(req: Request): void {
  const u = req.owner as User;
  u.sim.env.schedule(u.think(), userSend, u);
}

/** An abandoned request frees its user at once: think, then send again. */
export function userGaveUp(req: Request): void {
  if (req.owner instanceof User) userAnswered(req);
}

/** What the sources of one open workload share (one object, so it stays in cache however many sources). */
class SourceKind {
  constructor(
    readonly sim: SimContext,
    readonly meanGap: number,
    readonly poisson: boolean,
    readonly profile: Multiplier,
    readonly patienceS: number | undefined,
  ) {}
}

/**
 * Open arrivals from one origin host: Poisson (by thinning under a profile) or periodic. Its routes are its
 * own fields (it is the Routes of its requests): a scenario may have thousands of sources, each visited
 * about once a second, and every object on the way is a likely cache miss.
 */
class Source implements Routes {
  constructor(
    readonly kind: SourceKind,
    readonly origin: Endpoint,
    readonly target: ServiceHost,
    readonly up: Link | null,
    readonly down: Link | null,
    readonly rng: Rng,
  ) {}
}

function sourceNext(s: Source): void {
  const k = s.kind;
  const gap = k.poisson ? -k.meanGap * Math.log(1 - s.rng()) : k.meanGap;
  k.sim.env.schedule(gap, sourceFire, s);
}

function sourceFire(s: Source): void {
  const k = s.kind;
  const p = k.profile;
  // Thinning: candidates come at the peak rate; each is kept with probability rate(t)/peak.
  if (p.max === 1 || s.rng() * p.max < p.at(k.sim.env.now)) {
    k.sim.newRequest(s.origin, s.target, null, s, true, k.patienceS, s);
  }
  sourceNext(s);
}

/** Replay of recorded arrival times (a trace), rows spread over the origin's instances. */
class Replay {
  next = 0;
  constructor(readonly sim: SimContext, readonly origins: Endpoint[], readonly targets: ServiceHost[], readonly times: Float64Array, readonly patienceS: number | undefined) {}
}

function replayFire(r: Replay): void {
  const i = r.next++;
  r.sim.newRequest(r.origins[i % r.origins.length]!, r.targets[i % r.targets.length]!, null, r, true, r.patienceS);
  if (r.next < r.times.length) r.sim.env.scheduleAt(r.times[r.next]!, replayFire, r);
}

/**
 * Starts the workload of one service: its users, sources or trace replay, one per host instance.
 * Instance i of the workload sends to instance (i mod n) of the target service's n hosts.
 */
export function startWorkload(sim: SimContext, service: ResolvedService, origins: Endpoint[], streams: Streams, horizon: number, trace?: Float64Array): void {
  const w = service.workload as Workload;
  const targets = sim.hostsOf(w.target);
  const sid = service.id;
  const env = sim.env;
  if (w.kind === 'closed') {
    const think = streams.law(w.thinkTime, `think:${sid}`);
    const start = streams.stream(`start:${sid}`);
    const population = multiplier(w.population, horizon);
    const total = w.users * origins.length;
    let rank = 0;
    for (const origin of origins) {
      for (let k = 0; k < w.users; k++) {
        const target = targets[rank % targets.length]!;
        const u = new User(sim, origin, target, rank, total, think, population, w.patienceS, sim.network.routes(origin, target));
        rank++;
        env.schedule(w.startSpreadS * start(), userSend, u);
      }
    }
    return;
  }
  if (w.kind === 'open') {
    const profile = multiplier(w.profile, horizon);
    const poisson = w.arrivals === 'poisson';
    const kind = new SourceKind(sim, 1 / (w.ratePerS * (poisson ? profile.max : 1)), poisson, profile, w.patienceS);
    origins.forEach((origin, i) => {
      const rng = streams.stream(`arrivals:${origin.name}`);
      const target = targets[i % targets.length]!;
      const { up, down } = sim.network.routes(origin, target);
      const s = new Source(kind, origin, target, up, down, rng);
      if (poisson) sourceNext(s);
      else env.schedule(kind.meanGap * rng(), sourceFire, s);
    });
    return;
  }
  const times = trace ?? new Float64Array(0);
  if (times.length > 0) env.scheduleAt(times[0]!, replayFire, new Replay(sim, origins, targets, times, w.patienceS));
}
