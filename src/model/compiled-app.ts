import type { Rng, Sampler } from '../random/index.js';
import type { ResolvedService, StageResource } from '../scenario/index.js';
import { concurrencyRate } from './curve.js';
import type { Streams } from './laws.js';

// Stage resources as small integers for the stage engine's switch, one per kind of the schema's union: a new
// kind fails to compile here (`satisfies`) and then in every switch over ResourceCode (its `never` default).
export const CPU = 0;
export const GPU = 1;
export const NETWORK = 2;
export const DELAY = 3;
export const FORWARD = 4;
const RESOURCES = {
  cpu: CPU,
  gpu: GPU,
  network: NETWORK,
  delay: DELAY,
  forward: FORWARD,
} as const satisfies Record<StageResource, number>;
/** The code of a stage resource kind. */
export type ResourceCode = (typeof RESOURCES)[StageResource];

/** Exit marker for routes. */
export const EXIT = -1;

/** A stage ready to run: names resolved to indexes, laws to samplers. Shared by a service's instances. */
export interface CompiledStage {
  index: number;
  name: string;
  /** Index into the service's pools, −1 for none. */
  pool: number;
  poolName: string | undefined;
  holdRequest: boolean;
  resource: ResourceCode;
  /** Seconds of work (cpu: on one reference core; gpu: alone on the reference GPU; delay: of time). */
  demand: Sampler;
  /** Bytes for network stages. */
  size: Sampler;
  perItem: boolean;
  /** Network stages: each task opens its own TCP connection (handshake first, bytes in slow start). */
  newConnection: boolean;
  /**
   * Seconds the stage's thread waits, at most, for its process's interpreter lock: its lock take-backs ×
   * the switch interval (interpreter-lock.ts); 0 without an interpreter lock.
   */
  lockTakeBacksS: number;
  /** Default next stage (EXIT after the last), used when there are no routes. */
  next: number;
  /** Probabilistic routes: cumulative probabilities and targets (EXIT for the remainder). */
  routeCum: Float64Array | null;
  routeTo: Int32Array | null;
  route: Sampler | null;
  /** Forward stages: target service id and batch size. */
  target: string | undefined;
  batch: number;
  /** GPU stages: total throughput with n concurrent inferences (relative to one alone). */
  gpuRate: ((n: number) => number) | null;
}

/** A service's app compiled once per replication. */
export interface CompiledApp {
  service: ResolvedService;
  poolNames: string[];
  poolSizes: number[];
  poolLimits: number[];
  stages: CompiledStage[];
  items: Sampler | null;
  requestBytes: Sampler;
  responseBytes: Sampler;
  usesCpu: boolean;
  usesGpu: boolean;
  /** The interpreter lock's pools (indexes: one slot per process; the request threads), −1 without one. */
  lockPool: number;
  lockThreadsPool: number;
  /**
   * Requests bound to one process each (interpreterLock binding threaded, several threads per process):
   * the process of each request, drawn uniformly among `processes`; null when requests are not bound.
   */
  processDraw: Rng | null;
  processes: number;
  threadsPerProcess: number;
}

const never: Sampler = () => 0;

export function compileApp(service: ResolvedService, streams: Streams): CompiledApp {
  const app = service.app!;
  const poolNames = Object.keys(app.pools);
  const names = app.stages.map((s) => s.name);
  const sid = service.id;
  const lock = app.interpreterLock;
  const stages = app.stages.map((st, index): CompiledStage => {
    const routes = st.next;
    let routeCum: Float64Array | null = null;
    let routeTo: Int32Array | null = null;
    if (routes) {
      routeCum = new Float64Array(routes.length);
      routeTo = new Int32Array(routes.length);
      let acc = 0;
      routes.forEach((r, i) => {
        acc += r.probability;
        routeCum![i] = acc;
        routeTo![i] = r.to === 'exit' ? EXIT : names.indexOf(r.to);
      });
    }
    const resource = RESOURCES[st.resource];
    return {
      index,
      name: st.name,
      pool: st.pool === undefined ? -1 : poolNames.indexOf(st.pool),
      poolName: st.pool,
      holdRequest: st.hold === 'request',
      resource,
      demand: st.demand !== undefined ? streams.law(st.demand, `demand:${sid}:${st.name}`) : never,
      size: st.sizeBytes !== undefined ? streams.law(st.sizeBytes, `size:${sid}:${st.name}`) : never,
      perItem: st.perItem,
      newConnection: st.newConnection,
      // A stage that holds the lock (its pool is the lock pool) runs Python and takes nothing back.
      lockTakeBacksS: lock && st.pool !== lock.pool ? st.lockReacquires * lock.switchIntervalS : 0,
      next: index + 1 < app.stages.length ? index + 1 : EXIT,
      routeCum,
      routeTo,
      route: routes && routes.length > 0 ? streams.stream(`route:${sid}:${st.name}`) : null,
      target: st.target,
      batch: st.batch,
      gpuRate: resource === GPU ? concurrencyRate(st.concurrency ?? service.host.gpu?.concurrency) : null,
    };
  });
  const processes = lock ? app.pools[lock.pool]!.size : 1;
  const threadsPerProcess = lock ? Math.max(1, Math.floor(app.pools[lock.threads]!.size / processes)) : 1;
  const bound = lock?.binding === 'threaded' && threadsPerProcess > 1;
  return {
    service,
    poolNames,
    poolSizes: poolNames.map((p) => app.pools[p]!.size),
    poolLimits: poolNames.map((p) => app.pools[p]!.queueLimit ?? Infinity),
    stages,
    items: stages.some((s) => s.perItem) ? streams.count(app.items, `items:${sid}`) : null,
    requestBytes: streams.law(app.requestBytes, `request-bytes:${sid}`),
    responseBytes: streams.law(app.responseBytes, `response-bytes:${sid}`),
    usesCpu: stages.some((s) => s.resource === CPU),
    usesGpu: stages.some((s) => s.resource === GPU),
    lockPool: lock ? poolNames.indexOf(lock.pool) : -1,
    lockThreadsPool: lock ? poolNames.indexOf(lock.threads) : -1,
    processDraw: bound ? streams.stream(`process:${sid}`) : null,
    processes,
    threadsPerProcess,
  };
}

/** Next stage after `st` (drawing a route when the stage has routes). */
export function nextStage(st: CompiledStage): number {
  if (st.route === null) return st.routeCum === null ? st.next : EXIT;
  const u = st.route();
  const cum = st.routeCum!;
  for (let i = 0; i < cum.length; i++) if (u < cum[i]!) return st.routeTo![i]!;
  return EXIT;
}
