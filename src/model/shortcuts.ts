import type { ResolvedScenario } from '../scenario/index.js';

/**
 * Every shortcut the model takes for speed, decided here and nowhere else (like SimGrid's `network/optim`:
 * declared, switchable, compared). A shortcut reaches the same state as the plain event path with fewer
 * kernel events or less work; each entry states when it applies and the invariant that makes it exact.
 * `run.shortcuts: false` (CLI `--no-shortcuts`) turns them all off: the plain event path alone, kept for
 * checking (test/model/shortcuts-equivalence.test.ts runs every shipped scenario both ways).
 *
 * The plan is decided once per replication from the scenario ({@link planShortcuts}); conditions that
 * depend on the moment (a request nobody waits on, a link still busy) are the predicates below, or the
 * resource's own test where the resource alone can see it (a PS server's number of jobs, a link's wire).
 * Resources take each of their shortcuts as an option, off when the plan says so.
 *
 * The CLI's start-up fast paths (a code cache for the most used verbs, a faster-growing young generation
 * for `validate`) are declared the same way in bin/start-up-paths.js: they change no result, only how
 * soon a command starts.
 */
export interface ShortcutPlan {
  /** Whether any shortcut may be taken (`run.shortcuts`, default true). */
  readonly enabled: boolean;
  /**
   * **settle-answers** — an answer nobody waits on ends when it is sent, with its known arrival time, instead
   * of with an event at that time. Applies to an answer with no bytes (a refusal, an empty response) whose
   * request has no callback (open workload), no patience timer, no attempt timeout (running or expired) and
   * no kept spans, when its arrival comes before the next statistics read ({@link settlesAnswer}). Exact: nothing can observe the request between
   * now and its arrival (nobody holds it, no timer fires, no span is written) and no statistic is read or
   * reset in between, so ending it early gives the same counts and the same response time (arrival − start).
   * Needs the run's read times: off when the run stops on a number of requests (its end is unknown), and
   * off when an autoscaler tracks p95 (it reads response times at the ends of its own windows, which
   * an answer settled before its arrival would reach too early).
   */
  readonly settleAnswers: boolean;
  /**
   * **book-uploads** — a source books each upload in advance on its own link (Link.book) and is woken only
   * when the upload has arrived: one event per request instead of two. Applies to a source whose upload link
   * is its own (`per-host`), whose origin has no app (nothing else sends on that link), whose target app has
   * no network stage (nothing pulls bytes over it), at a constant rate (no thinning draw at send time) and
   * with no patience timer nor attempt timeout (nobody acts on the request before it arrives) — see {@link sourceBooks}. The link
   * refuses a booking (−1) when it may still be busy or when the arrival would cross the source's next send
   * or a statistics read; that send then goes the plain way. Exact in the link's state and statistics (a
   * booked upload alone on an idle link is the burst of one transfer); draws: a Poisson source draws the
   * next upload size at the arrival of the previous one, so the order of size draws from a target app shared
   * by several sources differs from the plain path (the same laws, other samples: compared with CIs).
   * Off for a source whose target balances its requests (instances.ts): a booking binds the instance in
   * advance, while a balance must choose it at send time among the instances up then. Off (with fleet and
   * claim) when timed events change links: a booking computes the arrival with the link's conditions when
   * it is made, while the plain path's transfer starts with those of its start time.
   */
  readonly bookUploads: boolean;
  /**
   * **fleet** — the periodic sources of one workload that book their uploads are driven as one ({@link
   * Fleet}): one kernel event at the earliest upload in flight (or the next send), uploads kept in a heap.
   * Applies with book-uploads to periodic arrivals. Exact: sends are walked in their fixed cyclic order
   * (send times accumulate t + period, so the order never changes), each booked only when no upload in flight
   * arrives before it, so every booking, size draw and arrival happens in the plain path's order.
   */
  readonly fleet: boolean;
  /**
   * **claim** — the fleet goes on to its next moment without scheduling an event when no pending event
   * comes at or before it (Env.claim). Exact: the kernel would have run that event next anyway; it is
   * counted as an event, so even the event count is the same.
   */
  readonly claim: boolean;
  /**
   * **ps-direct** — a processor-sharing server with k cores running at most k jobs gives each job its own
   * completion event (each runs at rate 1, its end is known when it starts) instead of the tag heap and a
   * shared completion event moved on every arrival. The first job beyond k turns the direct jobs into
   * tagged ones with the work they have left. Exact up to floating-point rounding of virtual time
   * (compared to 1e-9).
   */
  readonly psDirect: boolean;
  /**
   * **ps-keep-completion** — a PS server keeps its pending completion event when a job arrives that does
   * not finish first while the per-job rate stays the same (k cores, at most k jobs): the event's time is
   * unchanged. Exact in times; only the kernel's sequence number of that event differs (it is not
   * rescheduled), which orders it before, not after, events scheduled meanwhile for the very same instant.
   */
  readonly psKeepCompletion: boolean;
  /**
   * **link-bursts** — transfers that start at one instant on an idle link (a burst) are not put on the
   * link's processor-sharing wire: their finish times under fair sharing are known in closed form (sorted by
   * work w₁ ≤ … ≤ wₙ, the i-th ends at Σ_{j<i} wⱼ + (n − i + 1)·wᵢ), one event each. A transfer arriving while
   * some burst bytes are still going out moves them to the wire with the work they have left. Exact up to
   * floating-point rounding (compared to 1e-9).
   */
  readonly linkBursts: boolean;
  /**
   * **transfer-lead** — a network stage asks the client for bytes (one-way delay d) and the bytes cross the
   * link: the ask's delay is paid as extra latency of the transfer (Link.transfer's `leadS`) rather than as
   * an event before it. Exact for a transfer alone on its link and for transfers on the link that all have
   * the same lead (e.g. the images of one request, asked together): the wire's sharing is the same, shifted
   * by d. Otherwise (another sender's bytes on the link during the ask) the bytes start up to d early: an
   * approximation, compared with CIs.
   */
  readonly transferLead: boolean;
  /**
   * **reuse-requests** — the object of a request that has ended (its answer reached the origin, nothing holds
   * it any more) is reused for a later request instead of a new object (`RequestPool` in request-pool.ts
   * states the condition and the invariant), and so is a forward stage's batch once answered (forwardDone in
   * remote-stages.ts states why nothing reads it then). Exact: no draw, event or order changes, only which
   * memory a request or batch lives in; results are byte-identical (test/model/reuse-requests.test.ts).
   * Saves memory, not events: in runs of many devices, requests and batches that wait a while die in the old
   * generation of V8's heap, which grows with them up to a full collection.
   */
  readonly reuseRequests: boolean;
  /**
   * **lazy-pop** — the kernel's event queue leaves its heap's root empty when it pops and fills it with the
   * next push: one sift down instead of a sift down and a sift up in the loop's usual pop-then-push
   * (`SlotHeapOptions.lazyPop` in src/kernel/slot-heap.ts states the condition and the invariant). Exact:
   * every entry has its own sequence number, so entries come out in the same order; only positions below
   * the root differ. Results byte-identical (test/model/exact-shortcuts.test.ts).
   */
  readonly lazyPop: boolean;
  /**
   * **stall-odds** — a lossy link's odds that a transfer of m packets stalls, 1 − e^(m·ln keep), are
   * remembered per loss rate and packet count instead of computed on every transfer
   * (src/resources/stall-odds.ts). Exact: a remembered value is the double that expression gave for the
   * same arguments (test/resources/stall-odds.test.ts bit for bit; results byte-identical,
   * test/model/exact-shortcuts.test.ts).
   */
  readonly stallOdds: boolean;
  /**
   * **idle-users** — a closed-loop user beyond the active population of the moment sleeps until the
   * population may next change and looks again a think time after that, instead of looking again every
   * think time ({@link sleepsIdleUsers}). Applies to a closed workload whose think time is exponential and
   * whose population is constant between known times (no profile, with or without load steps; a ramp or a
   * daily curve varies all the time). Exact in distribution: looks every exponential think time are a
   * Poisson process, so the first look after a change comes an exponential think time after it whatever
   * the looks before (memorylessness), and looks before it find the same population and do nothing.
   * Draws: the sleeping users take fewer draws from the workload's one think-time stream, so every user
   * after the first change sees other samples of the same law (compared with CIs,
   * test/model/idle-users.test.ts). Saves one kernel event per idle user per think time: a load step of
   * ×2 on Pl@ntNet's 150 users left 150 idle users waking every 17 s.
   */
  readonly idleUsers: boolean;
}

/** The names of the shortcuts, as printed in docs and test titles. */
export const SHORTCUT_NAMES = [
  'settle-answers',
  'book-uploads',
  'fleet',
  'claim',
  'ps-direct',
  'ps-keep-completion',
  'link-bursts',
  'transfer-lead',
  'reuse-requests',
  'lazy-pop',
  'stall-odds',
  'idle-users',
] as const;
export type ShortcutName = (typeof SHORTCUT_NAMES)[number];

/** The plan with every shortcut off: the plain event path. */
export const NO_SHORTCUTS: ShortcutPlan = Object.freeze({
  enabled: false,
  settleAnswers: false,
  bookUploads: false,
  fleet: false,
  claim: false,
  psDirect: false,
  psKeepCompletion: false,
  linkBursts: false,
  transferLead: false,
  reuseRequests: false,
  lazyPop: false,
  stallOdds: false,
  idleUsers: false,
});

/**
 * Decides the shortcuts of a scenario's replications (the scenario-wide part of each condition). `off`:
 * shortcuts turned off one by one (to compare a shortcut's path with the plain one).
 */
export function planShortcuts(scenario: ResolvedScenario, off: readonly ShortcutName[] = []): ShortcutPlan {
  if (scenario.run.shortcuts === false) return NO_SHORTCUTS;
  const on = (name: ShortcutName) => !off.includes(name);
  // Early reports need the statistics' read times, unknown when the run stops on a number of requests.
  const readsKnown = scenario.run.requests === undefined;
  const p95Tracked = scenario.services.some((s) => s.autoscale?.metric === 'p95');
  const linksChange = (scenario.events ?? []).some((e) => e.action === 'link' || e.action === 'link-restore');
  return Object.freeze({
    enabled: true,
    settleAnswers: on('settle-answers') && readsKnown && !p95Tracked,
    bookUploads: on('book-uploads') && readsKnown && !linksChange,
    fleet: on('fleet') && readsKnown && !linksChange,
    claim: on('claim') && readsKnown && !linksChange,
    psDirect: on('ps-direct'),
    psKeepCompletion: on('ps-keep-completion'),
    linkBursts: on('link-bursts'),
    transferLead: on('transfer-lead'),
    reuseRequests: on('reuse-requests'),
    lazyPop: on('lazy-pop'),
    stallOdds: on('stall-odds'),
    idleUsers: on('idle-users'),
  });
}

/** What {@link sourceBooks} looks at, for one source of an open workload. */
export interface SourceFacts {
  /** Its target service balances each request over its instances (the instance is chosen at send time). */
  balanced: boolean;
  /** Its upload link is a `per-host` one (carries bytes from this origin to this target only); false for none. */
  upPerHost: boolean;
  /** The origin runs an app (it could send other bytes over the link). */
  originHasApp: boolean;
  /** The target app has a network stage (it pulls bytes over the upload link). */
  targetPulls: boolean;
  /** The rate is constant (no profile: no thinning draw at send time). */
  constantRate: boolean;
  /** The workload has a patience timer. */
  patience: boolean;
  /** Its requests have a per-attempt timeout (retry.timeoutS): a timer acts on them before they arrive. */
  attemptTimeout: boolean;
}

/** Whether a source books its uploads (see {@link ShortcutPlan.bookUploads}). */
export function sourceBooks(plan: ShortcutPlan, f: SourceFacts): boolean {
  return (
    plan.bookUploads &&
    !f.balanced &&
    f.upPerHost &&
    !f.originHasApp &&
    !f.targetPulls &&
    f.constantRate &&
    !f.patience &&
    !f.attemptTimeout
  );
}

/** Whether the periodic sources that book are driven as one fleet (see {@link ShortcutPlan.fleet}). */
export function drivesFleet(plan: ShortcutPlan, periodic: boolean): boolean {
  return plan.fleet && periodic;
}

/** Whether the idle users of a closed workload sleep until the population may change (see {@link ShortcutPlan.idleUsers}). */
export function sleepsIdleUsers(
  plan: ShortcutPlan,
  f: { exponentialThink: boolean; populationStepwise: boolean },
): boolean {
  return plan.idleUsers && f.exponentialThink && f.populationStepwise;
}

/** What {@link settlesAnswer} looks at: a request's answer with no bytes, arriving at `at`. */
export interface AnswerFacts {
  readonly onDone: unknown;
  readonly timer: number;
  readonly attemptTimer: number;
  readonly timedOut: boolean;
  readonly traced: boolean;
}

/** The statistics' read times of a run (see SimContext.nextRead). */
export interface Reads {
  nextRead(from: number): number;
}

/**
 * Whether an answer with no bytes, arriving at `at`, ends now (see {@link ShortcutPlan.settleAnswers}):
 * nobody waits on it and no statistic is read between `now` and `at`.
 */
export function settlesAnswer(
  plan: ShortcutPlan,
  req: AnswerFacts,
  now: number,
  at: number,
  reads: Reads,
): boolean {
  return (
    plan.settleAnswers &&
    req.onDone === null &&
    req.timer === 0 &&
    req.attemptTimer === 0 &&
    !req.timedOut &&
    !req.traced &&
    at <= reads.nextRead(now)
  );
}
