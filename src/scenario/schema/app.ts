import { z } from 'zod';
import { budget, LIMITS } from '../limits.js';
import { DistSchema } from './dist.js';
import { ConcurrencyCurveSchema } from './hardware.js';

const name = z
  .string()
  .regex(/^[A-Za-z_][\w-]*$/, 'use letters, digits, "-" and "_", starting with a letter');

export const PoolSchema = z
  .union([
    z.number().int().min(1).max(LIMITS.poolSize, budget('threads in a pool')),
    z.strictObject({
      size: z
        .number()
        .int()
        .min(1)
        .max(LIMITS.poolSize, budget('threads in a pool'))
        .describe('Threads in the pool.'),
      queueLimit: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('Most requests waiting for a thread; more are rejected. Default: unbounded.'),
      description: z.string().optional().describe('What one thread of the pool does (informative).'),
    }),
  ])
  .meta({ id: 'Pool', description: 'A thread pool: a size, or {size, queueLimit}.' });
export type PoolInput = z.input<typeof PoolSchema>;

const RouteSchema = z.strictObject({
  to: z.string().describe('Name of the next stage, or "exit".'),
  probability: z
    .number()
    .min(0)
    .max(1)
    .describe('Probability of taking this route (the routes of a stage sum to ≤ 1; the rest exits).'),
});

/** What a stage consumes: the stage resource kinds. A new one fails to compile until every switch over them handles it. */
export const StageResourceSchema = z.enum(['cpu', 'gpu', 'network', 'delay', 'forward']);
export type StageResource = z.output<typeof StageResourceSchema>;

export const StageSchema = z.strictObject({
  name: name.describe('Stage name, unique in the app.'),
  description: z.string().optional().describe('What the stage does and where its figures come from.'),
  pool: z
    .string()
    .optional()
    .describe('Thread pool the stage takes a thread from. Default: none (no thread limit).'),
  hold: z
    .enum(['stage', 'request'])
    .default('stage')
    .describe(
      'How long the pool thread is held: for this stage only, or until the request completes (nested holding, e.g. an HTTP thread). Default stage.',
    ),
  resource: StageResourceSchema.default('cpu').describe(
    'What the stage consumes: cpu (processor sharing over the host cores), gpu (shared through the GPU concurrency curve), network (transfers bytes from the request origin over the link), delay (pure time while holding the thread), forward (sends the task to another service and waits for its answer). Default cpu.',
  ),
  demand: DistSchema.optional().describe(
    'Work per task, seconds on one reference core / the reference GPU alone / of pure delay. Required unless resource is network.',
  ),
  sizeBytes: DistSchema.optional().describe(
    'Bytes per task for resource network. Required for network stages.',
  ),
  newConnection: z
    .boolean()
    .default(false)
    .describe(
      "Network stages: each task fetches its bytes over a TCP connection opened for it (a client library without keep-alive, e.g. Python's urllib): the handshake's round trip comes before the ask, and the bytes start in TCP slow start when run.tcpSlowStart is new-connections (with true every transfer pays it anyway). See docs/tcp-slow-start.md. Default false: the bytes flow on an open connection.",
    ),
  target: z
    .string()
    .regex(/^[\w-]+\.[\w-]+$/, 'write the target as <layer>.<service>')
    .optional()
    .describe('Forward stages: the service to send to, as <layer>.<service>. Required for forward stages.'),
  batch: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.batch, budget('tasks in a batch'))
    .default(1)
    .describe(
      'Forward stages: aggregate this many tasks into one forwarded request (sizes add up); each task completes when its batch is answered. Default 1.',
    ),
  lockReacquires: z
    .number()
    .min(0)
    .default(0)
    .describe(
      "Apps with an interpreterLock: how many times the stage's thread takes its process's lock back after giving it up (a blocking socket call, C code that releases it); each time another thread of the process holds the lock it waits the switch interval (see interpreterLock). Default 0.",
    ),
  perItem: z
    .boolean()
    .default(false)
    .describe(
      'Run once per item of the request (e.g. per image), items in parallel, each taking its own thread; consecutive per-item stages pipeline per item and join at the next stage. Default false.',
    ),
  concurrency: ConcurrencyCurveSchema.optional().describe(
    "GPU stages: overrides the host GPU's concurrency curve for this workload.",
  ),
  next: z
    .array(RouteSchema)
    .optional()
    .describe(
      'Probabilistic routing after this stage. Default: the next stage in the list (the last stage exits).',
    ),
});
export type StageInput = z.input<typeof StageSchema>;

/**
 * Worker processes whose threads share one interpreter lock each (CPython's GIL, e.g. gunicorn's gthread
 * workers). A thread that gave the lock up (I/O, C code) and wants it back while another thread of its
 * process runs Python waits until that thread is made to drop it: the switch interval, per time it takes
 * it back (the convoy effect; src/model/interpreter-lock.ts).
 */
const InterpreterLockSchema = z.strictObject({
  pool: z
    .string()
    .describe('The pool of the locks: one slot per worker process (its size is the number of processes).'),
  threads: z
    .string()
    .describe(
      "The pool of the request threads, shared evenly among the processes (its size ÷ the lock pool's).",
    ),
  binding: z
    .enum(['none', 'threaded'])
    .default('none')
    .describe(
      "none: a request takes any free thread and lock of the instance (processes that accept a connection only when idle, e.g. gunicorn's sync workers). threaded: when the processes have several threads each, a request is bound on arrival to one process drawn uniformly (the one whose listener accepted its connection: gunicorn's gthread workers accept while their threads are busy) and waits for a thread and the lock of that process; with one thread per process, as none. Default none.",
    ),
  switchIntervalS: z
    .number()
    .min(0)
    .max(1)
    .default(0.005)
    .describe(
      "How long a thread waits for a busy holder to drop the lock: CPython's sys.getswitchinterval(). Default 0.005 s.",
    ),
});

/** An application model: stages, pools and demand laws. Presets live in models/apps/. */
export const AppSchema = z.strictObject({
  extends: z.string().optional().describe('Name or path of another app model this one refines.'),
  name: z.string().optional().describe('Model name (informative). Default: the file name.'),
  description: z.string().optional().describe('What the application is and where its figures come from.'),
  pools: z.record(name, PoolSchema).default({}).describe('Thread pools by name, with their default sizes.'),
  items: DistSchema.default(1).describe(
    'Items per request (e.g. images), rounded to an integer ≥ 1. Default 1.',
  ),
  requestBytes: DistSchema.default(0).describe(
    'Bytes sent by the client with the request (besides per-item network stages). Default 0.',
  ),
  responseBytes: DistSchema.default(0).describe('Bytes of the response sent back to the client. Default 0.'),
  gpuMemory: z
    .strictObject({
      pool: z.string().describe('Pool whose threads each reserve GPU memory (e.g. extract).'),
      baseGiB: z.number().min(0).describe('Memory reserved by the service regardless of threads, GiB.'),
      perThreadGiB: z.number().min(0).describe('Memory reserved by each thread of the pool, GiB.'),
    })
    .optional()
    .describe('GPU memory reservation; a configuration that exceeds the GPU memory is infeasible.'),
  interpreterLock: InterpreterLockSchema.optional().describe(
    'One CPython-style interpreter lock (GIL) per worker process; absent: none.',
  ),
  stages: z
    .array(StageSchema)
    .min(1)
    .describe('The stages a request goes through, in order (or along `next` routes).'),
});
export type App = z.output<typeof AppSchema>;

/**
 * An inline app that refines a preset (`extends` required): every other field optional, merged over the
 * parent's by the preset loader (src/scenario/presets.ts) — e.g. `{ extends: nginx-static, responseBytes: 1e6 }`.
 * The merged result is validated with {@link AppSchema}.
 */
export const AppRefinementSchema = z.strictObject({
  extends: z.string().describe('Name or path of the app model this one refines.'),
  name: AppSchema.shape.name,
  description: AppSchema.shape.description,
  pools: z.record(name, PoolSchema).optional().describe("Pools added or resized. Default: the parent's."),
  items: DistSchema.optional().describe("Items per request. Default: the parent's."),
  requestBytes: DistSchema.optional().describe("Bytes sent with the request. Default: the parent's."),
  responseBytes: DistSchema.optional().describe("Bytes of the response. Default: the parent's."),
  gpuMemory: AppSchema.shape.gpuMemory,
  interpreterLock: AppSchema.shape.interpreterLock,
  stages: z
    .array(StageSchema)
    .min(1)
    .optional()
    .describe("Replaces the parent's stages. Default: the parent's."),
});
