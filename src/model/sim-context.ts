import type { Env, Handler } from '../kernel/index.js';
import type { ResolvedScenario } from '../scenario/index.js';
import type { Link } from '../resources/index.js';
import type { Collector } from './collector.js';
import type { Endpoint } from './endpoint.js';
import type { Network, Routes } from './network.js';
import type { Request, Task } from './request.js';
import type { InstanceSet } from './instances.js';
import type { ServiceHost } from './service-host.js';
import type { ShortcutPlan } from './shortcuts.js';

/** What the stage engine and the workloads need from the simulation they run in. */
export interface SimContext {
  readonly env: Env;
  readonly scenario: ResolvedScenario;
  readonly network: Network;
  readonly collector: Collector;
  /** Pool lanes and spans are tracked (the run keeps a sample of request spans). */
  readonly tracing: boolean;
  /** The shortcuts this run takes (see shortcuts.ts): the only place the model asks. */
  readonly shortcuts: ShortcutPlan;
  /** Forward batches answered, emptied, to be filled again, by their size (reuse-requests; remote-stages.ts). */
  readonly spareBatches: (Task | null)[][][];
  /** The host instances of a service with an app. */
  hostsOf(serviceId: string): ServiceHost[];
  /** The instance set of a service whose instances are balanced or change during the run; null otherwise. */
  instancesOf(serviceId: string): InstanceSet | null;
  /**
   * A request from `origin` refused at once (no instance of its service is up): it fails without an upload,
   * its failure reaching the client after the path's delay (on `host`, an incarnation of that service).
   */
  refusedRequest(
    origin: Endpoint,
    host: ServiceHost,
    onDone: Handler | null,
    owner: unknown,
    topLevel: boolean,
    patienceS: number | undefined,
  ): Request;
  /**
   * `req` ended: its answer (or refusal) reached the origin and its callback, if any, returned. Its object
   * may be reused for a later request (reuse-requests, request-pool.ts): nobody may use it after this.
   */
  requestEnded(req: Request): void;
  /** A request failed (its instance stopped, or none was up) and the client knows it now: retry, or count it. */
  requestFailed(req: Request): void;
  /**
   * Sends a new request from `origin` to `host` (upload, then the app's stages, then the response);
   * `onDone(request)` runs when the answer (or a refusal) reaches the origin, unless the request was
   * abandoned. `topLevel` requests count in the user-facing statistics. `bytes`: the upload's size, if
   * already drawn from the app's request-size law. `hint`: the client's own index (Request.hint), set
   * before the request goes out.
   */
  newRequest(
    origin: Endpoint,
    host: ServiceHost,
    onDone: Handler | null,
    owner: unknown,
    topLevel: boolean,
    patienceS?: number,
    routes?: Routes,
    bytes?: number,
    newConnection?: boolean,
    hint?: number,
  ): Request;
  /**
   * A request of an open workload sent at `start`, whose upload is over now (its owner booked the link,
   * see Link.book): it is counted as sent at `start` and begins its first stage now. Nobody waits on it.
   * `up`, `down`, `answerS`: its routes (see Routes).
   */
  uploadedRequest(
    origin: Endpoint,
    host: ServiceHost,
    owner: unknown,
    start: number,
    up: Link | null,
    down: Link | null,
    answerS: number,
  ): Request;
  /**
   * The first time ≥ `from` at which statistics are read or reset: the ends of the run's chunks and the
   * end of the warm-up. What happens before it may be reported after the fact — an answer ended when its
   * arrival time is known, a request counted as sent once its upload is over — saving the events in
   * between, with the same statistics. −∞ when the run stops on a number of requests (its end is not
   * known in advance), so that nothing is reported early then.
   */
  nextRead(from: number): number;
}
