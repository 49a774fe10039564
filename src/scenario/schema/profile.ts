import { z } from 'zod';

/**
 * Time-varying multipliers (arrival rate or user population) as data.
 * The value at time t multiplies the workload's base rate or user count.
 */
const Constant = z.strictObject({ kind: z.literal('constant') });
const Ramp = z.strictObject({
  kind: z.literal('ramp'),
  from: z.number().min(0).describe('Multiplier before `start`. Default 0.').default(0),
  to: z.number().min(0).describe('Multiplier after `end`. Default 1.').default(1),
  start: z.number().min(0).describe('Ramp start, simulated seconds. Default 0.').default(0),
  end: z.number().positive().describe('Ramp end, simulated seconds.'),
});
const Daily = z.strictObject({
  kind: z.literal('daily'),
  amplitude: z
    .number()
    .min(0)
    .max(1)
    .describe('Relative swing around 1 (0.5 → between 0.5 and 1.5). Default 0.5.')
    .default(0.5),
  peakAt: z
    .number()
    .min(0)
    .describe('Time of the daily peak within the period, seconds. Default 50400 (14:00).')
    .default(50400),
  periodS: z.number().positive().describe('Period, seconds. Default 86400 (one day).').default(86400),
});
const SpringPeak = z.strictObject({
  kind: z.literal('spring-peak'),
  base: z.number().min(0).describe('Multiplier outside the season. Default 1.').default(1),
  peak: z.number().positive().describe('Multiplier at the top of the peak. Default 3.').default(3),
  peakAt: z.number().min(0).describe('Time of the top of the peak, simulated seconds.'),
  widthS: z
    .number()
    .positive()
    .describe(
      'Growth time scale of the peak, seconds: the multiplier grows exponentially towards the peak and decays after it with this e-folding time.',
    ),
});
const Piecewise = z.strictObject({
  kind: z.literal('piecewise'),
  points: z
    .array(z.tuple([z.number().min(0), z.number().min(0)]))
    .min(1)
    .describe('[time s, multiplier] points, linearly interpolated, constant outside.'),
});

export const ProfileSchema = z
  .discriminatedUnion('kind', [Constant, Ramp, Daily, SpringPeak, Piecewise])
  .meta({
    id: 'Profile',
    description:
      'A multiplier over simulated time: constant | ramp | daily | spring-peak | piecewise. Default constant.',
  });
export type Profile = z.output<typeof ProfileSchema>;
