import { z } from 'zod';
import { budget, LIMITS } from '../limits.js';
import { DistSchema } from './dist.js';

/**
 * What changes during a run: how requests to a service with several instances choose one (balance),
 * timed events (failures, restarts, scaling, pool sizes, load steps), autoscaling policies and client
 * retries. Kept apart from the static description of the continuum (scenario.ts) on purpose.
 */

export const BALANCE_POLICIES = [
  'static',
  'round-robin',
  'random',
  'least-outstanding',
  'power-of-two',
  'weighted',
] as const;
export type BalancePolicy = (typeof BALANCE_POLICIES)[number];

const policy = z
  .enum(BALANCE_POLICIES)
  .describe(
    'static: client i always sends to instance (i mod n) (the behaviour without `balance`); round-robin: instances in turn; random: uniformly at random; least-outstanding: the instance with the fewest requests in progress (lowest index on ties); power-of-two: the less busy of two drawn at random; weighted: at random in proportion to `weights`. Only instances that are up are chosen.',
  );

export const BalanceSchema = z
  .union([
    policy,
    z.strictObject({
      policy,
      weights: z
        .array(z.number().min(0))
        .optional()
        .describe('weighted: weight of instance i (missing ones weigh 1). Default all 1.'),
    }),
  ])
  .describe(
    'How a request to this service picks one of its instances: a policy name, or {policy, weights}. Default static, or round-robin for a service that events or an autoscaler scale.',
  );
export type BalanceInput = z.input<typeof BalanceSchema>;

/** A time of the run: simulated seconds, or a time of day "HH:MM[:SS]" (needs `clock.startsAt`). */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const at = z
  .union([
    z.number().min(0).describe('Simulated seconds from the start of the run.'),
    z.string().regex(TIME_OF_DAY, 'write a time of day as HH:MM or HH:MM:SS'),
  ])
  .describe(
    'When the event happens: simulated seconds (≥ 0), or a time of day "HH:MM[:SS]" counted from `clock.startsAt` (the next such time).',
  );
const service = z.string().regex(/^[\w-]+\.[\w-]+$/, 'write the service as <layer>.<service>');
const instance = z
  .number()
  .int()
  .min(0)
  .default(0)
  .describe('0-based instance index of the service. Default 0.');

const Stop = z.strictObject({
  at,
  action: z.literal('stop'),
  service: service.describe('Service whose instance stops, <layer>.<service>.'),
  instance,
  recovery: DistSchema.optional().describe(
    'Time until the instance is back (a law, seconds): it restarts after a draw of it. Default: stays down until a `restart` event.',
  ),
});
const Restart = z.strictObject({
  at,
  action: z.literal('restart'),
  service: service.describe('Service whose instance restarts, <layer>.<service>.'),
  instance,
});
const Scale = z.strictObject({
  at,
  action: z.literal('scale'),
  service: service.describe('Service to scale, <layer>.<service>.'),
  instances: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.instances, budget('instances of a service'))
    .describe(
      'Instances up from then on: new ones start (lowest free indexes first), extra ones (highest indexes first) take no new request and leave once their requests are done.',
    ),
});
const PoolSize = z.strictObject({
  at,
  action: z.literal('pool'),
  service: service.describe('Service whose pool changes, <layer>.<service>.'),
  pool: z.string().describe('Pool name in the service app.'),
  size: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.poolSize, budget('threads in a pool'))
    .describe(
      'New number of threads, on every instance (running tasks keep theirs; a smaller pool grants no thread until it is below its size).',
    ),
});
const Load = z.strictObject({
  at,
  action: z.literal('load'),
  service: service.describe('Service whose workload changes, <layer>.<service>.'),
  factor: z
    .number()
    .min(0)
    .max(1000)
    .describe(
      "Multiplier on the workload's rate (open) or active users (closed) from then on, on top of its profile (1 = as written).",
    ),
});

const selector = (end: string) =>
  z
    .string()
    .describe(
      `${end} of the network constraint to change, as written in \`network:\` (a layer or <layer>.<service>).`,
    );
const LinkChange = z.strictObject({
  at,
  action: z.literal('link'),
  src: selector('Source'),
  dst: selector('Destination'),
  delayMs: z.number().min(0).optional().describe('New one-way delay, milliseconds. Default: unchanged.'),
  rateMbps: z
    .number()
    .positive()
    .optional()
    .describe('New bandwidth, megabits per second. Default: unchanged.'),
  lossPercent: z
    .number()
    .min(0)
    .lt(100)
    .optional()
    .describe('New packet loss, percent (below 100). Default: unchanged.'),
  cut: z
    .literal(true)
    .optional()
    .describe(
      "Cut the link (alone, without delayMs, rateMbps or lossPercent): until a `link-restore`, every request whose upload or answer starts on it fails (a reset connection, known to the client after the return path's delay) and is retried if `retry` says so; transfers already under way at the cut finish, as with the other link changes. Live mode refuses the pairs' packets (nftables: TCP answered by a reset), which also fails transfers under way.",
    ),
});
const LinkRestore = z.strictObject({
  at,
  action: z.literal('link-restore'),
  src: selector('Source'),
  dst: selector('Destination'),
});

export const EventSchema = z
  .discriminatedUnion('action', [Stop, Restart, Scale, PoolSize, Load, LinkChange, LinkRestore])
  .meta({
    id: 'Event',
    description:
      'A timed change: stop | restart an instance, scale a service, resize a pool, step the load, degrade or cut (link) or restore (link-restore) a network constraint, for transfers that start from then on. Applied in the order of their times (file order at equal times).',
  });
export type ScenarioEvent = z.output<typeof EventSchema>;
export type EventAction = ScenarioEvent['action'];

export const EventListSchema = z
  .array(EventSchema)
  .max(100_000, budget('timed events'))
  .default([])
  .describe('Timed events (failures, restarts, scaling, pool sizes, load steps). Default none.');

export const ClockSchema = z
  .strictObject({
    startsAt: z
      .string()
      .regex(TIME_OF_DAY, 'write a time of day as HH:MM or HH:MM:SS')
      .describe('Time of day at simulated time 0, "HH:MM[:SS]".'),
  })
  .describe('The time of day the run starts at, for events given as times of day. Default none.');

export const AUTOSCALE_METRICS = ['utilization', 'queue', 'p95'] as const;
export const AutoscaleSchema = z
  .strictObject({
    metric: z
      .enum(AUTOSCALE_METRICS)
      .default('utilization')
      .describe(
        "What is tracked over each window: utilization (busy fraction of `pool`'s threads, over the instances up), queue (requests waiting for `pool` per instance up), p95 (95th percentile of this service's response times, seconds). Default utilization.",
      ),
    pool: z
      .string()
      .optional()
      .describe("Pool whose utilization or queue is tracked. Default the app's first pool."),
    target: z.number().positive().describe('Value to hold the metric at (e.g. 0.6 utilization).'),
    min: z.number().int().min(1).default(1).describe('Fewest instances. Default 1.'),
    max: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.instances, budget('instances of a service'))
      .describe('Most instances.'),
    windowS: z
      .number()
      .positive()
      .default(60)
      .describe(
        'The metric is measured over each window of this length, and decided on at its end. Default 60 s.',
      ),
    cooldownS: z
      .number()
      .min(0)
      .default(300)
      .describe('Least time between two scaling actions, seconds. Default 300.'),
    scaleInCooldownS: z
      .number()
      .min(0)
      .optional()
      .describe(
        'Least time after any action before removing instances, seconds (scaling in more slowly than out keeps a fleet from flapping). Default `cooldownS`.',
      ),
    startupS: DistSchema.default(0).describe(
      'Start-up delay of each new instance (cold start), a law in seconds: it costs from its launch, serves from then on. Default 0.',
    ),
  })
  .describe(
    'Target tracking: at the end of each window, instances = ceil(instances up × metric / target), within [min, max], at most one action per cool-down (scaling in: per scaleInCooldownS). Default none.',
  );
export type Autoscale = z.output<typeof AutoscaleSchema>;

export const RetrySchema = z
  .strictObject({
    attempts: z.number().int().min(1).max(100).describe('Retries after the first attempt fails.'),
    backoffS: z
      .number()
      .min(0)
      .default(0)
      .describe('Wait before the first retry, seconds; doubled for each further one. Default 0.'),
    timeoutS: z
      .number()
      .positive()
      .optional()
      .describe(
        "Per-attempt timeout, seconds: an attempt with no answer after this long (from its own send) is given up by the client, which closes its connection and retries after the backoff, as after a failure. The server is not told: an attempt still waiting for a thread of a request-level stage leaves the queue (as for patienceS), work already under way runs to its end and its answer is wasted (the server's load counts it). With no attempt left, the client gives up exactly as at patienceS: the request counts as abandoned. patienceS stays the user's total patience from the first send: whichever comes first wins (patience on a tie), and a user who gives up is not retried for. Default none: an attempt waits for its answer (or its failure).",
      ),
  })
  .describe(
    'What a client does when its request fails (its instance stopped, or none is up) or, with timeoutS, gets no answer in time: retries it, on the instance the balance picks then. Default none: the request counts as failed.',
  );
export type Retry = z.output<typeof RetrySchema>;
