import type { Env, Handler } from '../kernel/index.js';
import { Link } from '../resources/index.js';
import { TCP_PAYLOAD_SHARE } from '../resources/tcp-window.js';
import type { ResolvedLink, ResolvedScenario } from '../scenario/index.js';
import type { Endpoint } from './endpoint.js';
import type { Streams } from './laws.js';
import type { ShortcutPlan } from './shortcuts.js';

/** The links between an origin and a host, both ways (null for ideal paths), for callers that cache them. */
export interface Routes {
  up: Link | null;
  down: Link | null;
  /** One-way delay of `down`, seconds: all an empty answer pays (kept here so it costs no look at the link). */
  readonly answerS: number;
}

/** TCP's minimum retransmission timeout (RFC 6298 recommends 1 s; Linux uses 200 ms): one stall per transfer that loses a packet. */
const RTO_MS = 200;

/**
 * The network between hosts, built from the scenario's constraints. A transfer from host A to host B
 * uses the most specific constraint matching (A, B) — service selectors beat layer selectors, and a
 * symmetric constraint also matches (B, A). Hosts with no matching constraint talk instantly.
 * `per-host` constraints give each pair of hosts its own link (as EnOSlib shapes traffic per destination
 * on each host); `shared` ones give all pairs one link per direction.
 */
export class Network {
  /** Every link made, in order, and the constraint each was made for (same index): no record per link. */
  readonly links: Link[] = [];
  readonly constraints: ResolvedLink[] = [];
  readonly #routes = new Map<number, Link | null>();
  /**
   * Links of `shared` constraints by constraint and direction (a `per-host` link is only ever found by its
   * route). Every other link made here is a `per-host` one: no set of them (an entry a device's link).
   */
  readonly #shared = new Map<string, Link>();
  readonly #sharedLinks = new Set<Link>();
  /** What every link's shared wire takes of the shortcuts (one object for all links). */
  readonly #wire: { direct: boolean; keepCompletion: boolean };
  readonly #hosts: number;
  /** Constraints that timed events change (by index), with their conditions of the moment. */
  readonly #changed = new Map<number, { delayMs: number; rateMbps: number; lossPercent: number }>();
  /** Constraints some timed event changes: their links get a stall stream from the start (loss may come). */
  readonly #eventful: Set<number>;
  /** Whether some timed event cuts a link: only then do request transfers look at {@link isCut}. */
  readonly cuts: boolean;
  /** Constraints cut now, and their links made so far (a link made later joins if its constraint is cut). */
  readonly #cutConstraints = new Set<number>();
  readonly #cutLinks = new Set<Link>();

  constructor(
    readonly env: Env,
    readonly scenario: ResolvedScenario,
    readonly streams: Streams,
    hostCount: number,
    readonly shortcuts: ShortcutPlan,
  ) {
    this.#hosts = hostCount;
    this.#wire = { direct: shortcuts.psDirect, keepCompletion: shortcuts.psKeepCompletion };
    this.#eventful = new Set(
      (scenario.events ?? []).flatMap((e) =>
        e.action === 'link' || e.action === 'link-restore' ? [constraintIndex(scenario, e.src, e.dst)] : [],
      ),
    );
    this.cuts = (scenario.events ?? []).some((e) => e.action === 'link' && e.cut === true);
  }

  /** Whether `link` is cut now (a timed `link` event with `cut`, until its `link-restore`). */
  isCut(link: Link | null): boolean {
    return link !== null && this.#cutLinks.has(link);
  }

  /**
   * Cuts network constraint `index` now (`true`) or ends the cut (`false`): transfers that start on its
   * links fail while it lasts (the model asks {@link isCut} where a request's upload or answer starts);
   * transfers already under way finish. The link's conditions stay as they were, for after the cut.
   */
  setCut(index: number, cut: boolean): void {
    if (cut) this.#cutConstraints.add(index);
    else this.#cutConstraints.delete(index);
    const c = this.scenario.network[index]!;
    this.links.forEach((link, i) => {
      if (this.constraints[i] !== c) return;
      if (cut) this.#cutLinks.add(link);
      else this.#cutLinks.delete(link);
    });
  }

  /**
   * Changes the conditions of network constraint `index` now (a timed event): its links made so far and
   * those made later. `null` restores the scenario's values. Transfers under way finish as they started.
   */
  setConditions(
    index: number,
    c: Partial<{ delayMs: number; rateMbps: number; lossPercent: number }> | null,
  ): void {
    const base = this.scenario.network[index]!;
    const now = this.#changed.get(index) ?? base;
    const next =
      c === null
        ? { delayMs: base.delayMs, rateMbps: base.rateMbps, lossPercent: base.lossPercent }
        : {
            delayMs: c.delayMs ?? now.delayMs,
            rateMbps: c.rateMbps ?? now.rateMbps,
            lossPercent: c.lossPercent ?? now.lossPercent,
          };
    this.#changed.set(index, next);
    const onLink = { ...next, rateMbps: this.#payloadMbps(next.rateMbps) };
    this.links.forEach((link, i) => {
      if (this.constraints[i] === base) link.setConditions(onLink);
    });
  }

  /**
   * The rate a link gives the application's bytes: the constraint's rate is on the wire (a shaper counts
   * frames), so with `run.tcpFraming` each 1448 bytes of payload take a 1514-byte frame (tcp-window.ts);
   * `run.tcpEfficiency` is the share of that a congestion-controlled flow keeps (a calibration unknown).
   */
  #payloadMbps(wireMbps: number): number {
    const run = this.scenario.run;
    return wireMbps * (run.tcpFraming === true ? TCP_PAYLOAD_SHARE : 1) * (run.tcpEfficiency ?? 1);
  }

  /** The link carrying bytes from `from` to `to`, or null for an ideal path. */
  route(from: Endpoint, to: Endpoint): Link | null {
    const key = from.uid * this.#hosts + to.uid;
    let link = this.#routes.get(key);
    if (link === undefined) {
      link = this.#build(from, to);
      this.#routes.set(key, link);
    }
    return link;
  }

  /** The links from `origin` to `host` and back. */
  routes(origin: Endpoint, host: Endpoint): Routes {
    const up = this.route(origin, host);
    const down = this.route(host, origin);
    return { up, down, answerS: Network.delay(down) };
  }

  /**
   * Whether `link` only carries bytes from one host to one other (a `per-host` constraint): a sender with
   * no app (a device running only its workload) is then the link's only user.
   */
  isPerHost(link: Link): boolean {
    // Every link this network made is either shared or per-host (`link` came from route()).
    return !this.#sharedLinks.has(link);
  }

  /** Sends `bytes` over `link`; `fn(arg)` runs on arrival (at once on an ideal path, `link` null). */
  static send(link: Link | null, bytes: number, fn: Handler, arg: unknown): void {
    if (link === null) fn(arg);
    else link.transfer(bytes, fn, arg);
  }

  /** One-way propagation delay of `link`, seconds. */
  static delay(link: Link | null): number {
    return link === null ? 0 : link.delayMs / 1000;
  }

  #build(from: Endpoint, to: Endpoint): Link | null {
    let best: { c: ResolvedLink; index: number; score: number } | undefined;
    this.scenario.network.forEach((c, index) => {
      const forward = score(c.src, from) * score(c.dst, to);
      const backward = c.symmetric ? score(c.src, to) * score(c.dst, from) : 0;
      const s = Math.max(forward, backward);
      if (s > 0 && (!best || s > best.score)) best = { c, index, score: s };
    });
    if (!best) return null;
    const { c, index } = best;
    const shared = c.sharing === 'shared';
    // A `per-host` link belongs to this pair of hosts, one way: route() asks for it once, so it is made
    // without a look-up (a string key per device's link was ~0.1 kB each in a scenario of 100,000 devices).
    const key = shared
      ? `${index}:${from.service.layer === c.src || from.service.id === c.src ? 'fwd' : 'back'}`
      : '';
    const found = shared ? this.#shared.get(key) : undefined;
    if (found) return found;
    // A per-host link's name is made when asked (errors, its wire): no string kept per device's link.
    const name = shared ? `${c.src}<->${c.dst}#${key}` : pairName(from, to);
    const now = this.#changed.get(index) ?? c;
    const stalls = c.lossPercent > 0 || this.#eventful.has(index);
    const link = new Link(this.env, {
      name: shared ? name : new PairName(from, to),
      rateMbps: this.#payloadMbps(now.rateMbps),
      delayMs: now.delayMs,
      lossPercent: now.lossPercent,
      ...(stalls ? { rtoMs: RTO_MS, stream: this.streams.seedOf(`loss:${name}`) } : {}),
      slowStart: this.scenario.run.tcpSlowStart === true,
      bursts: this.shortcuts.linkBursts,
      wire: this.#wire,
    });
    if (shared) {
      this.#shared.set(key, link);
      this.#sharedLinks.add(link);
    }
    this.links.push(link);
    this.constraints.push(c);
    if (this.#cutConstraints.has(index)) this.#cutLinks.add(link);
    return link;
  }
}

/** The name of the per-host link from `from` to `to`. */
function pairName(from: Endpoint, to: Endpoint): string {
  return `${from.name}->${to.name}`;
}

/** A per-host link's name, made when asked. */
class PairName {
  constructor(
    readonly from: Endpoint,
    readonly to: Endpoint,
  ) {}

  get name(): string {
    return pairName(this.from, this.to);
  }
}

/** The index of the first network constraint written from `src` to `dst` (the scenario layer checked it exists). */
export function constraintIndex(scenario: ResolvedScenario, src: string, dst: string): number {
  return scenario.network.findIndex((n) => n.src === src && n.dst === dst);
}

/** How specifically a selector matches a host: 2 for its service, 1 for its layer, 0 not at all. */
function score(selector: string, host: Endpoint): number {
  if (selector === host.service.id) return 2;
  if (selector === host.service.layer) return 1;
  return 0;
}
