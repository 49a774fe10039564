import { z } from 'zod';
import { budget, LIMITS } from '../limits.js';
import { DistSchema } from './dist.js';
import { ProfileSchema } from './profile.js';
import { RetrySchema } from './dynamics.js';

const target = z
  .string()
  .regex(/^[\w.*?[\]-]+$/, 'write the target as <layer>.<service> (or an E2Clab selector naming one service)')
  .describe(
    'Service the requests go to, as <layer>.<service> (e.g. cloud.engine), or an E2Clab-style selector that names one service: a glob (cloud.eng*), a role (server), an instance of a one-instance service (cloud.engine.1).',
  );

const Closed = z.strictObject({
  kind: z.literal('closed'),
  target,
  users: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.users, budget('users'))
    .default(1)
    .describe('Users per instance of this service (total = users × quantity). Default 1.'),
  thinkTime: DistSchema.describe(
    'Time a user waits between receiving an answer and sending the next request, seconds.',
  ),
  patienceS: z
    .number()
    .positive()
    .optional()
    .describe(
      'A user abandons a request not answered after this many seconds (counted as abandoned; the user thinks and retries). Default: infinite patience.',
    ),
  population: ProfileSchema.optional().describe(
    'Multiplier on the number of active users over time (e.g. a spring peak). Default constant.',
  ),
  startSpreadS: z
    .number()
    .min(0)
    .default(0)
    .describe('Users start uniformly at random within this many seconds. Default 0 (all at once).'),
  keepAliveS: z
    .number()
    .min(0)
    .optional()
    .describe(
      "Each user holds one HTTP connection and closes it after this many idle seconds (the client's keep-alive timeout: 4 for Node's fetch, 300 for OkHttp). A request after a longer idle time opens a new connection first: one round trip for the TCP handshake, and the response starts in TCP slow start (network `tcp`). Live mode's driver does the same. Default: connections are not modelled (every request as on an open connection).",
    ),
  retry: RetrySchema.optional(),
});
const Open = z.strictObject({
  kind: z.literal('open'),
  target,
  ratePerS: z
    .number()
    .positive()
    .max(LIMITS.ratePerS, budget('arrivals per second'))
    .describe(
      'Mean arrival rate per instance of this service, requests per second (total = rate × quantity).',
    ),
  arrivals: z
    .enum(['poisson', 'periodic'])
    .default('poisson')
    .describe(
      'Poisson arrivals or a fixed period (1/rate, with a random phase per instance). Default poisson.',
    ),
  profile: ProfileSchema.optional().describe(
    'Multiplier on the rate over time (ramps, daily cycle, spring peak), by thinning. Default constant.',
  ),
  patienceS: z
    .number()
    .positive()
    .optional()
    .describe(
      'A request not answered after this many seconds counts as abandoned. Default: infinite patience.',
    ),
  retry: RetrySchema.optional(),
});
const Trace = z.strictObject({
  kind: z.literal('trace'),
  target,
  file: z
    .string()
    .describe('CSV file of arrival times (relative to the scenario file), one request per row.'),
  column: z
    .string()
    .default('time')
    .describe('Name of the column holding arrival times in seconds. Default "time".'),
  timeScale: z
    .number()
    .positive()
    .default(1)
    .describe('Multiplier applied to the trace times (0.5 replays twice as fast). Default 1.'),
  patienceS: z
    .number()
    .positive()
    .optional()
    .describe(
      'A request not answered after this many seconds counts as abandoned. Default: infinite patience.',
    ),
  retry: RetrySchema.optional(),
});

export const WorkloadSchema = z
  .discriminatedUnion('kind', [Closed, Open, Trace])
  .describe('Requests this service generates: closed-loop users, open arrivals, or replay of a CSV trace.');
export type Workload = z.output<typeof WorkloadSchema>;
/** The workload kinds. A new one fails to compile until every switch over them handles it. */
export type WorkloadKind = Workload['kind'];
