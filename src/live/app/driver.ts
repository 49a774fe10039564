import http from 'node:http';
import { multiplier, withSteps } from '../../model/profile.js';
import { toDistSpec } from '../../model/laws.js';
import { createStream, integerSampler, sampler, type Sampler } from '../../random/index.js';
import type { SpanRecord } from '../../trace/index.js';
import type { DriverSpec } from '../plan/types.js';
import { Balancer } from './balance.js';
import type { DriverControl } from './driver-control.js';
import { wallS } from './pool.js';
import { type Ask, type Connections, httpAsk, userConnection } from './http-client.js';
import { SpanWriter } from './span-writer.js';

export interface DriveOptions {
  /** Wall-clock start (ms since the epoch); the driver waits for it. Default now. */
  startAtMs?: number;
  durationS: number;
  /** After the duration, wait at most this long for requests in flight. Default: the patience, else 30 s. */
  drainS?: number;
  /** Repetition of the run: offsets request ids and selects the random streams. Default 0. */
  repetition?: number;
  log?: (line: string) => void;
  /** Stops the workload at once (SIGTERM from the controller): spans recorded so far are flushed, in-flight requests dropped. */
  signal?: AbortSignal;
  /**
   * How a request is asked of the target. `identify` (default): the reference engine's API, a POST of
   * /identify whose items point at this host's image server. `range`: a GET of `path` with a
   * `Range: bytes=0-(n−1)` header, n drawn from the target app's response-size law, for a static file
   * server (nginx) holding one file at least as large as the largest draw.
   */
  request?: { kind: 'identify' } | { kind: 'range'; path: string };
  /** The controller's channel for an autoscaled target's counts (the image server's `POST /scale`). */
  control?: DriverControl;
}

/**
 * What the driver saw. `rejected`: the app refused (HTTP 503). `failed`: no answer — `connectionErrors`
 * (refused, reset, unreachable, connect timeout) plus `httpErrors` (a status other than 2xx and 503).
 */
export interface DriveSummary {
  sent: number;
  ok: number;
  rejected: number;
  abandoned: number;
  failed: number;
  connectionErrors: number;
  httpErrors: number;
  errors: number;
  lastError?: string;
  /** Attempts sent again (workload `retry`): after a failure with no answer, or an attempt's timeout. */
  retries: number;
  /** Attempts given up at their own timeout (retry.timeoutS), retried or not. */
  timedOut: number;
  /** Attempts sent to each instance of the target (by index). */
  perTarget: number[];
  /** The load steps of the spec this driver applied: when its clock passed each (s after the due time). */
  loadSteps?: { index: number; lateS: number }[];
  /** When the driver's clock passed each scale event of its target (absent: none). */
  scaleSteps?: { index: number; lateS: number }[];
  /** The instance counts the controller sent for an autoscaled target, at s after the workload's start (absent: none). */
  autoscaled?: { atS: number; instances: number }[];
}

/** How often an instance marked down is probed, and how long a probe waits for its answer. */
const PROBE_EVERY_MS = 200;
const PROBE_TIMEOUT_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * The workload driver: the scenario's closed-loop users (think time, patience, population profile) or
 * open arrivals, for each instance placed on this host, against the target's URLs, with the workload's
 * retries (attempts, backoff, per-attempt timeout). Records every request as a `request` span (client-side
 * timing from its first send to its outcome, status ok | rejected | abandoned | failed).
 */
export async function drive(spec: DriverSpec, options: DriveOptions): Promise<DriveSummary> {
  const w = spec.workload;
  if (w.kind === 'trace') throw new Error('trace workloads are not supported in live mode yet');
  const spans = new SpanWriter(spec.spansFile);
  const summary: DriveSummary = {
    sent: 0,
    ok: 0,
    rejected: 0,
    abandoned: 0,
    failed: 0,
    connectionErrors: 0,
    httpErrors: 0,
    errors: 0,
    retries: 0,
    timedOut: 0,
    perTarget: spec.targetUrls.map(() => 0),
  };
  let stopped = false;
  const startS = (options.startAtMs ?? Date.now()) / 1000;
  await sleep(startS * 1000 - Date.now());
  const endS = startS + options.durationS;
  const scale = spec.profileTimeScale ?? 1;
  const patienceMs = w.patienceS !== undefined ? w.patienceS * 1000 : undefined;
  const retry = w.retry;
  const timeoutS = retry?.timeoutS;
  const drainS = options.drainS ?? w.patienceS ?? 30;
  const targets = spec.targetUrls;
  if (targets.length === 0) throw new Error(`no URL for ${spec.target}`);

  const rep = options.repetition ?? 0;
  // Load steps (timed `load` events): part of the rate or population multiplier from the start, as in the
  // simulator (withSteps), so each takes effect at its time with no message from the controller. A timer
  // per step records when the driver's clock passed it, for run.json.
  const steps = (spec.loadSteps ?? []).map((x) => [x.at, x.factor] as const);
  const applied: { index: number; lateS: number }[] = [];
  // A timer may fire a fraction of a millisecond before its time on wallS's clock (Node counts timers in
  // whole milliseconds on another clock), so one that is early waits again: lateS is never negative.
  const stepTimers: { t?: NodeJS.Timeout }[] = [];
  /** Calls `fn(lateS)` when wallS's clock has passed `due` (before the end of the run only). */
  const at = (due: number, fn: (lateS: number) => void) => {
    if (due >= endS) return;
    const timer: { t?: NodeJS.Timeout } = {};
    const check = () => {
      const early = due - wallS();
      if (early > 0) timer.t = setTimeout(check, Math.max(1, Math.ceil(early * 1000)));
      else fn(-early);
    };
    timer.t = setTimeout(check, Math.max(0, (due - wallS()) * 1000));
    stepTimers.push(timer);
  };
  for (const x of spec.loadSteps ?? [])
    at(startS + x.at / scale, (lateS) => applied.push({ index: x.index, lateS }));
  if (stepTimers.length > 0) summary.loadSteps = applied;
  // The target instance of each request (balance.ts): the scenario's policy among the instances up, or
  // without one (static) the client's own instance. Its draws have their own stream per driver process.
  const balancer = new Balancer({
    policy: spec.balance?.policy ?? 'static',
    instances: targets.length,
    ...(spec.balance?.weights ? { weights: spec.balance.weights } : {}),
    rng: createStream(spec.seed, `live:${spec.service}@${spec.instances[0]?.name ?? ''}:balance`, rep),
  });
  /** An instance marked down is probed until it answers; then it takes requests again. */
  const probing = new Set<number>();
  const probeAgent = new http.Agent({ keepAlive: false });
  async function probe(i: number): Promise<void> {
    probing.add(i);
    while (!stopped && !options.signal?.aborted) {
      await sleep(PROBE_EVERY_MS);
      if (stopped || options.signal?.aborted) break;
      const up = await httpAsk(
        `${targets[i]}${spec.targetHealth ?? '/'}`,
        { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) },
        { agent: probeAgent },
      ).then(
        (a) => a.status >= 200 && a.status < 500,
        () => false,
      );
      if (up) {
        balancer.markUp(i);
        options.log?.(`${spec.target}#${i} answers again: back in the balance`);
        break;
      }
    }
    probing.delete(i);
  }
  // Scale events of the target (scaleSteps): the balance holds its first `scaleFrom` instances, then at
  // each step's time its first `instances`, with no message from the controller. One taken out gets no
  // new request (those in progress go on: the controller drains it after); one brought in is probed until
  // it answers (the controller is starting it then), as an instance back from a failure.
  if (spec.scaleSteps) {
    balancer.limit(spec.scaleFrom ?? targets.length);
    const scaleTo = (k: number) => {
      const before = balancer.limit(k);
      for (let i = before; i < k; i++) if (!probing.has(i)) void probe(i);
    };
    const scaled: { index: number; lateS: number }[] = [];
    summary.scaleSteps = scaled;
    for (const x of spec.scaleSteps)
      at(startS + x.at / scale, (lateS) => {
        scaleTo(x.instances);
        scaled.push({ index: x.index, lateS });
      });
    // An autoscaled target: the counts come from the controller at run time, applied alike.
    options.control?.attach(scaleTo);
  }
  const inFlight = new Set<Promise<void>>();
  const perInstance = spec.instances.map((inst) => {
    const stream = (name: string) =>
      createStream(spec.seed, `live:${spec.service}#${inst.index}:${name}`, rep);
    return {
      inst,
      items: integerSampler(toDistSpec(spec.items), stream('items')),
      itemBytes: integerSampler(toDistSpec(spec.itemBytes), stream('itemBytes')),
      requestBytes: integerSampler(toDistSpec(spec.requestBytes), stream('requestBytes')),
      responseBytes: integerSampler(toDistSpec(spec.responseBytes ?? 0), stream('responseBytes')),
      seq: 0,
    };
  });
  type Inst = (typeof perInstance)[number];

  const request = options.request ?? { kind: 'identify' };
  /** The URL and request of `id` in the form the target speaks; `signal` ends the attempt (its timeout). */
  function ask(inst: Inst, target: string, id: number, signal: AbortSignal | undefined): [string, Ask] {
    const timeout = signal !== undefined ? { signal } : {};
    if (request.kind === 'range') {
      const n = Math.max(1, inst.responseBytes());
      return [`${target}${request.path}`, { headers: { range: `bytes=0-${n - 1}` }, ...timeout }];
    }
    const n = Math.max(1, inst.items());
    const items = Array.from({ length: n }, (_, i) => ({
      url: `http://${spec.address}:${spec.imagePort}/img/${id}/${i}?bytes=${Math.max(0, inst.itemBytes())}`,
    }));
    const pad = Math.max(0, inst.requestBytes() - 100 * n);
    return [
      `${target}/identify`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request: id, items, pad: 'x'.repeat(pad) }),
        ...timeout,
      },
    ];
  }

  /**
   * One attempt of request `id` on the instance the balance picks (`hint`: the client's own instance),
   * ended by `signal` (the attempt's timeout or the user's patience, whichever comes first).
   */
  async function attempt(inst: Inst, hint: number, conn: Connections, id: number, signal?: AbortSignal) {
    const target = balancer.pick(hint);
    const out: {
      status: NonNullable<SpanRecord['status']>;
      /** No answer at all (refused, reset, none up): retried if the workload says so. */
      connectionError?: boolean;
      /** Ended by `signal`. */
      aborted?: boolean;
      newConnection?: boolean;
      bytes?: number;
    } = { status: 'ok' };
    if (target >= 0) summary.perTarget[target]!++;
    try {
      // None up: the request fails at once, as the simulator's does (no connection to make).
      if (target < 0) throw Object.assign(new Error('no instance of the target is up'), { noInstance: true });
      const [url, init] = ask(inst, targets[target]!, id, signal);
      balancer.begin(target);
      const res = await httpAsk(url, init, conn).finally(() => balancer.end(target));
      out.newConnection = res.newConnection;
      out.bytes = res.bytes;
      if (res.status === 503) out.status = 'rejected';
      else if (res.status < 200 || res.status > 299) {
        // Not the app's admission control refusing: a broken answer (not retried: the simulator has none).
        out.status = 'failed';
        summary.httpErrors++;
        summary.errors++;
        summary.lastError = `HTTP ${res.status}`;
      }
    } catch (e) {
      const err = e as Error;
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        out.status = 'abandoned';
        out.aborted = true;
      } else {
        // A dead or unreachable service (ECONNREFUSED, ECONNRESET, a connect timeout): no answer at all.
        out.status = 'failed';
        out.connectionError = true;
        summary.connectionErrors++;
        summary.errors++;
        summary.lastError = `${err.message}${(err as { cause?: Error }).cause ? `: ${(err as { cause?: Error }).cause!.message}` : ''}`;
        // Its instance is down (or unreachable): out of the balance until a probe gets an answer.
        if (
          target >= 0 &&
          balancer.policy !== 'static' &&
          balancer.markDown(target) &&
          !probing.has(target)
        ) {
          options.log?.(`${spec.target}#${target} failed (${err.message}): out of the balance`);
          void probe(target);
        }
      }
    }
    return out;
  }

  /**
   * Sends one request of `inst`, with the workload's retries as the simulator makes them: after a failure
   * (no answer: refused, reset, none up) or an attempt's timeout (retry.timeoutS), sent again after
   * backoffS·2^k, up to `attempts` times, on the instance the balance picks then. The user's patience runs
   * from the first send across the attempts and the waits between them; it wins a tie with an attempt's
   * timeout. An attempt given up closes its connection (the server is not told otherwise); the last one
   * given up makes the request abandoned, as the patience does. One span for the whole request.
   */
  async function send(inst: Inst, hint: number, conn: Connections): Promise<void> {
    const id = rep * 1e9 + inst.inst.index * 10_000_000 + ++inst.seq;
    const t0 = wallS();
    const giveUpAt = patienceMs !== undefined ? t0 + patienceMs / 1000 : Infinity;
    summary.sent++;
    let retries = 0;
    let timedOut = 0;
    let out: Awaited<ReturnType<typeof attempt>>;
    for (;;) {
      const sentAt = wallS();
      // The attempt's own timeout only when it comes before the patience's end (patience wins a tie).
      const own = timeoutS !== undefined && sentAt + timeoutS < giveUpAt;
      const endAt = own ? sentAt + timeoutS! : giveUpAt;
      const signal = Number.isFinite(endAt)
        ? AbortSignal.timeout(Math.max(0, Math.round((endAt - sentAt) * 1000)))
        : undefined;
      out = await attempt(inst, hint, conn, id, signal);
      if (out.aborted && own) {
        timedOut++;
        summary.timedOut++;
      }
      // Retried: a failure with no answer, or an attempt given up at its own timeout.
      const again = out.connectionError === true || (out.aborted === true && own);
      if (!again || retry === undefined || retries >= retry.attempts || stopped || options.signal?.aborted) {
        // The last attempt given up at its timeout: the user gives up, as at its patience.
        if (out.aborted) out.status = 'abandoned';
        break;
      }
      const wait = retry.backoffS * 2 ** retries;
      // The user's patience may end during the wait: then it gives up (abandoned), not retried for.
      if (wallS() + wait >= giveUpAt) {
        await sleep((giveUpAt - wallS()) * 1000);
        out = { status: 'abandoned' };
        break;
      }
      if (wait > 0) await sleep(wait * 1000);
      retries++;
      summary.retries++;
    }
    const { status, newConnection, bytes } = out;
    const t1 = wallS();
    if (stopped) return; // ended after the stop: outside what was measured
    summary[status]++;
    spans.write({
      request: id,
      kind: 'request',
      name: 'request',
      service: spec.service,
      host: inst.inst.name,
      start: t0,
      end: t1,
      status,
      ...(newConnection !== undefined ? { connection: newConnection ? 'new' : 'reused' } : {}),
      ...(bytes !== undefined ? { bytes } : {}),
      ...(retries > 0 ? { retries } : {}),
      ...(timedOut > 0 ? { timedOut } : {}),
    });
  }
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  const loops: Promise<void>[] = [];
  const connections: Connections[] = [];
  if (w.kind === 'closed') {
    const pop = withSteps(multiplier(w.population, options.durationS * scale), steps);
    for (const inst of perInstance) {
      const total = w.users;
      // Load steps above 1 activate users beyond `total` (ranks ≥ total), as the simulator's do.
      const made = Math.max(total, Math.ceil(total * pop.max - 1e-9));
      for (let rank = 0; rank < made; rank++) {
        const think: Sampler = sampler(
          toDistSpec(w.thinkTime),
          createStream(spec.seed, `live:${spec.service}#${inst.inst.index}:think:${rank}`, rep),
        );
        const spread =
          createStream(spec.seed, `live:${spec.service}#${inst.inst.index}:spread:${rank}`, rep)() *
          w.startSpreadS;
        const hint = inst.inst.index * total + rank;
        const conn = userConnection(w.keepAliveS);
        connections.push(conn);
        loops.push(
          (async () => {
            await sleep((startS + spread) * 1000 - Date.now());
            while (wallS() < endS) {
              if (rank < Math.round(total * pop.at((wallS() - startS) * scale)))
                await track(send(inst, hint, conn));
              const t = think();
              if (wallS() + t >= endS) break;
              await sleep(t * 1000);
            }
          })(),
        );
      }
    }
  } else {
    const prof = withSteps(multiplier(w.profile, options.durationS * scale), steps);
    for (const inst of perInstance) {
      const rng = createStream(spec.seed, `live:${spec.service}#${inst.inst.index}:arrivals`, rep);
      const peak = w.ratePerS * prof.max;
      // Open arrivals do not wait for each other: a shared keep-alive pool (connections are not modelled).
      const conn = { agent: new http.Agent({ keepAlive: true }) };
      connections.push(conn);
      loops.push(
        (async () => {
          let t = startS + (w.arrivals === 'periodic' ? rng() / w.ratePerS : 0);
          for (;;) {
            t += w.arrivals === 'periodic' ? 1 / w.ratePerS : -Math.log(1 - rng()) / peak;
            if (t >= endS) break;
            await sleep(t * 1000 - Date.now());
            if (w.arrivals === 'periodic' || rng() * prof.max < prof.at((t - startS) * scale))
              void track(send(inst, inst.inst.index, conn));
          }
        })(),
      );
    }
  }
  const stop = new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await Promise.race([Promise.all(loops), stop]);
  // A user whose next think would cross the end, or an open source whose next arrival would, is done
  // sending but the run is not over: the driver lives to the end of its window, as the controller
  // expects (a driver gone more than a second before the end is a driver that failed).
  let waitEnd: NodeJS.Timeout | undefined;
  await Promise.race([
    stop,
    new Promise((r) => (waitEnd = setTimeout(r, Math.max(0, endS * 1000 - Date.now())))),
  ]);
  clearTimeout(waitEnd);
  let timer: NodeJS.Timeout | undefined;
  if (!options.signal?.aborted)
    await Promise.race([
      Promise.all([...inFlight]),
      stop,
      new Promise((r) => (timer = setTimeout(r, drainS * 1000))),
    ]);
  clearTimeout(timer);
  for (const timer of stepTimers) clearTimeout(timer.t);
  stopped = true;
  for (const c of connections) c.agent.destroy();
  probeAgent.destroy();
  spans.close();
  if (options.control && options.control.received.length > 0)
    summary.autoscaled = options.control.received.map((r) => ({ atS: r.t - startS, instances: r.instances }));
  return summary;
}
