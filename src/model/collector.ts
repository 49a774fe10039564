import type { Env } from '../kernel/index.js';
import { LogHistogram, Occupancy } from '../metrics/index.js';
import type { SpanKind, SpanRecord } from '../trace/index.js';
import type { Endpoint } from './endpoint.js';
import { REJECTED_STATUS, type Request } from './request.js';

/** Per-service request statistics (every request a service answered, forwarded ones included). */
export class ServiceStats {
  readonly responseTime = new LogHistogram();
  completed = 0;
  rejected = 0;
  /** Response times of the current window, for an autoscaler that tracks p95 (null when none does). */
  window: LogHistogram | null = null;
  reset(): void {
    this.responseTime.reset();
    this.completed = 0;
    this.rejected = 0;
  }
}

/**
 * Collects one replication's request statistics in fixed memory: a log-bucket histogram of user
 * response times, counters, the time-weighted number of requests in the system, and the spans of a
 * bounded sample of requests (the first ones sent after the warm-up).
 *
 * A request may be reported after the fact: sent with a start before now (a frame whose upload the
 * model computed in closed form) or ended with an arrival time after now (an answer that only has its
 * latency left). Counts and the time-weighted number in the system use those times, not the moment of
 * the call, so the statistics read at any instant are the same as with an event at each time, as long
 * as the model reports by then everything that happened by then (see SimContext.nextRead).
 */
export class Collector {
  readonly responseTime = new LogHistogram();
  readonly inSystem: Occupancy;
  readonly services = new Map<string, ServiceStats>();
  readonly spans: SpanRecord[] = [];
  arrived = 0;
  completed = 0;
  rejectedCount = 0;
  abandoned = 0;
  /** Requests that got no answer (their instance stopped, or none was up), retries exhausted. */
  failed = 0;
  /** Attempts sent again after a failure or a timeout. */
  retries = 0;
  /** Attempts given up by their client (retry.timeoutS), retried or not. */
  timedOut = 0;
  /** Answers (not refusals) of attempts given up and sent again by their client (retry.timeoutS): wasted work. */
  wasted = 0;
  /**
   * Whether per-service response-time histograms are kept: only when they say more than the user-facing
   * one (several services answer requests, or requests are forwarded inside the system).
   */
  perServiceHistograms = true;
  /** After the warm-up: statistics count and spans may be sampled. */
  measuring = false;
  measureStart = 0;
  #spanBudget: number;
  #sampled = 0;
  #stopAfter: number;
  #kept: number[] | null = null;
  #keepMax = 0;
  /** Per-window sums over the measured period (fixed number of windows; empty without a duration). */
  readonly windowS: number;
  readonly windowCompleted: Float64Array;
  readonly windowResponseSum: Float64Array;
  readonly windowAbandoned: Float64Array;
  readonly windowFailed: Float64Array;

  constructor(
    readonly env: Env,
    spanSample: number,
    stopAfterRequests: number,
    measuredDuration: number | undefined,
    windows = 120,
  ) {
    this.inSystem = new Occupancy(env.now);
    this.#spanBudget = spanSample;
    this.#stopAfter = stopAfterRequests;
    const n = measuredDuration !== undefined && measuredDuration > 0 ? windows : 0;
    this.windowS = n > 0 ? measuredDuration! / n : 0;
    this.windowCompleted = new Float64Array(n);
    this.windowResponseSum = new Float64Array(n);
    this.windowAbandoned = new Float64Array(n);
    this.windowFailed = new Float64Array(n);
  }

  #window(now: number): number {
    if (this.windowS === 0) return -1;
    const w = Math.floor((now - this.measureStart) / this.windowS);
    return w < this.windowCompleted.length ? w : this.windowCompleted.length - 1;
  }

  /**
   * Keeps the response time of every answer counted in the measured window (what `responseTime` records
   * after the warm-up), up to `max` — the population the metrics describe, for comparing distributions. The
   * traced spans are not that population: they are requests *sent* after the warm-up, so a run whose answers
   * take long against its window keeps mostly the short ones.
   */
  keepResponseTimes(max: number): number[] {
    this.#kept = [];
    this.#keepMax = max;
    return this.#kept;
  }

  get sampledRequests(): number {
    return this.#sampled;
  }

  statsOf(serviceId: string): ServiceStats {
    let s = this.services.get(serviceId);
    if (!s) {
      s = new ServiceStats();
      this.services.set(serviceId, s);
    }
    return s;
  }

  /** The warm-up is over: forget what was counted so far. */
  startMeasuring(): void {
    const now = this.env.now;
    this.measuring = true;
    this.measureStart = now;
    this.responseTime.reset();
    this.inSystem.reset(now);
    for (const s of this.services.values()) s.reset();
    this.arrived = this.completed = this.rejectedCount = this.abandoned = 0;
    this.failed = this.retries = this.timedOut = this.wasted = 0;
  }

  /** A request was sent at `req.start` (now, or earlier); decides whether its spans are kept. */
  sent(req: Request): void {
    // Sent before the warm-up ended: not an arrival of the measured window (as if counted, then reset).
    const before = this.measuring && req.start < this.measureStart;
    if (req.attempt > 0) {
      // A retry: the same request for its user, already counted when first sent.
      if (!before) this.retries++;
      return;
    }
    if (req.topLevel) {
      if (!before) this.arrived++;
      this.inSystem.enter(req.start);
    }
    if (this.measuring && !before && this.#spanBudget > 0) {
      this.#spanBudget--;
      this.#sampled++;
      req.traced = true;
    }
  }

  rejected(req: Request): void {
    if (req.topLevel) this.rejectedCount++;
    req.host.stats.rejected++;
  }

  /** The user stopped waiting (the request stays in the system until the server is done). */
  gaveUp(req: Request): void {
    req.abandoned = true;
    this.abandoned++;
    const w = this.#window(this.env.now);
    if (w >= 0 && this.measuring) this.windowAbandoned[w]!++;
    this.inSystem.leave(req.start, this.env.now);
    if (req.traced)
      this.span(
        req,
        'request',
        'request',
        req.origin,
        req.start,
        this.env.now,
        undefined,
        undefined,
        undefined,
        'abandoned',
      );
  }

  /** The client gave an attempt up (retry.timeoutS); counted by its request's start, as retries are. */
  attemptTimedOut(req: Request): void {
    if (!(this.measuring && req.start < this.measureStart)) this.timedOut++;
  }

  /**
   * The answer of an attempt its client gave up and sent again reached the closed connection: the service did answer it
   * (its own counts and response times, the server's view), the user saw nothing of it.
   */
  answerWasted(req: Request): void {
    if (req.status === REJECTED_STATUS) return;
    if (!(this.measuring && req.start < this.measureStart)) this.wasted++;
    const t = this.env.now - req.start;
    const s = req.host.stats;
    s.completed++;
    if (this.perServiceHistograms) s.responseTime.record(t);
    if (s.window !== null) s.window.record(t);
  }

  /** A request failed and will not be retried: its user got no answer (unless it had already given up). */
  failedRequest(req: Request): void {
    if (!req.topLevel || req.abandoned) return;
    const now = this.env.now;
    if (!(this.measuring && req.start < this.measureStart)) {
      this.failed++;
      const w = this.#window(now);
      if (w >= 0 && this.measuring) this.windowFailed[w]!++;
    }
    this.inSystem.leave(req.start, now);
    if (req.traced)
      this.span(
        req,
        'request',
        'request',
        req.origin,
        req.start,
        now,
        undefined,
        undefined,
        undefined,
        'failed',
      );
  }

  /** The answer (or a refusal) reached the origin at `now` (default: the current time; may be later). */
  ended(req: Request, now = this.env.now): void {
    const t = now - req.start;
    const ok = req.status !== REJECTED_STATUS;
    if (ok) {
      const s = req.host.stats;
      s.completed++;
      if (this.perServiceHistograms) s.responseTime.record(t);
      if (s.window !== null) s.window.record(t);
    }
    if (!req.topLevel) return;
    // An abandoned request left the user's view at its patience; its late answer still counts as a
    // response time of the system (the count of abandonments says how many users saw none).
    if (!req.abandoned) {
      this.inSystem.leave(req.start, now);
      if (req.traced)
        this.span(
          req,
          'request',
          'request',
          req.origin,
          req.start,
          now,
          undefined,
          undefined,
          undefined,
          ok ? 'ok' : 'rejected',
        );
    }
    if (!ok) return;
    this.responseTime.record(t);
    if (this.#kept !== null && this.measuring && this.#kept.length < this.#keepMax) this.#kept.push(t);
    const w = this.#window(now);
    if (w >= 0 && this.measuring) {
      this.windowCompleted[w]!++;
      this.windowResponseSum[w]! += t;
    }
    if (++this.completed === this.#stopAfter && this.measuring) this.env.stop();
  }

  span(
    req: Request,
    kind: SpanKind,
    name: string,
    host: Endpoint,
    start: number,
    end: number,
    pool?: string,
    lane?: number,
    item?: number,
    status?: SpanRecord['status'],
  ): void {
    const s: SpanRecord = {
      request: req.id,
      kind,
      name,
      service: host.service.id,
      host: host.name,
      start,
      end,
    };
    if (pool !== undefined) s.pool = pool;
    if (lane !== undefined) s.lane = lane;
    if (item !== undefined && item >= 0) s.item = item;
    if (status !== undefined) s.status = status;
    this.spans.push(s);
  }
}
