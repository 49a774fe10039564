import { z } from 'zod';

/**
 * Why 100 % loss is refused: the twin models loss as retransmissions (a transfer puts size / (1 − loss)
 * bytes on the wire), so at 100 % nothing ever arrives and no request could finish; a path that drops
 * everything is better left out of the scenario.
 */
export const LOSS_BELOW_100 =
  'a link that loses every packet never delivers (the twin models loss as retransmissions: size / (1 − loss) bytes on the wire)';

/** One E2Clab-style network constraint between two groups of hosts. */
export const NetworkConstraintSchema = z.strictObject({
  src: z
    .string()
    .describe(
      'Source selector, E2Clab-style: a layer (edge), a service (edge.users), a glob (edge.*, fog.gateway_*), a role given with roles: (client), or one instance of a one-instance service (cloud.engine.1).',
    ),
  dst: z
    .string()
    .describe('Destination selector: a layer (cloud), a service (cloud.engine), a glob, a role, as for src.'),
  class: z
    .string()
    .optional()
    .describe('Link class preset (models/links/: lan, wan, 4g, wifi) giving default delay, rate and loss.'),
  delayMs: z
    .number()
    .min(0)
    .optional()
    .describe("One-way delay, milliseconds. Default: the class's, else 0."),
  rateMbps: z
    .number()
    .positive()
    .optional()
    .describe("Bandwidth, megabits per second. Default: the class's, else 10000."),
  lossPercent: z
    .number()
    .min(0)
    .lt(100, LOSS_BELOW_100)
    .optional()
    .describe("Packet loss, percent. Default: the class's, else 0."),
  symmetric: z.boolean().default(true).describe('Apply the same constraint from dst to src. Default true.'),
  sharing: z
    .enum(['per-host', 'shared'])
    .default('per-host')
    .describe(
      'per-host: each source host has its own link of this rate to the destination (as E2Clab/EnOSlib shape traffic per host); shared: all transfers between the two groups share one link. Default per-host.',
    ),
});
export type NetworkConstraint = z.output<typeof NetworkConstraintSchema>;
