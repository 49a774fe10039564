import { z } from 'zod';
import { checkConstraintMetric, prototypeSegment } from './metric-key.js';

const Range = z
  .strictObject({
    min: z.number().describe('Lowest value.'),
    max: z.number().describe('Highest value.'),
    step: z
      .number()
      .positive()
      .optional()
      .describe('Grid step. Default: 1 for integer parameters, else continuous.'),
    integer: z.boolean().default(false).describe('Round values to integers. Default false.'),
    log: z.boolean().default(false).describe('Sample on a log scale. Default false.'),
  })
  .refine((r) => r.max >= r.min, { message: 'max must be ≥ min', path: ['max'] });
const Values = z.strictObject({
  values: z
    .array(z.union([z.number(), z.string(), z.boolean()]))
    .min(1)
    .describe('The values to try.'),
});

const metric = z
  .string()
  .regex(/^[A-Za-z][\w.]*$/, 'a metric key such as responseTime.mean')
  .refine((k) => prototypeSegment(k) === undefined, {
    message: 'not a metric key (a name of every JavaScript object)',
  })
  .describe('A metric key from the --json output, e.g. responseTime.mean, responseTime.p95, cost, energyJ.');
const Objective = z.union([z.strictObject({ minimize: metric }), z.strictObject({ maximize: metric })]);

export const ConstraintExpr = z
  .string()
  .regex(
    /^\s*[A-Za-z][\w.]*\s*(<=|>=|<|>)\s*(-?\d+(\.\d+)?([eE][-+]?\d+)?|[A-Za-z][\w.]*)\s*$/,
    'write constraints as "<metric> <= <number or field path>"',
  )
  .superRefine(checkConstraintMetric);

/** What-if exploration: parameters with ranges, objectives and constraints. Used by sweep/optimize. */
export const ExploreSchema = z.strictObject({
  params: z
    .record(z.string(), z.union([Range, Values]))
    .describe(
      'Scenario fields to vary, by path (e.g. cloud.engine.pools.extract), with a range or a list of values.',
    ),
  objective: Objective.optional().describe('What to optimize: {minimize: metric} or {maximize: metric}.'),
  objectives: z
    .array(Objective)
    .optional()
    .describe('Several objectives (Pareto front); replaces objective.'),
  constraints: z
    .array(ConstraintExpr)
    .default([])
    .describe('Feasibility constraints such as "responseTime.p95 <= 3". Default none.'),
});
export type Explore = z.output<typeof ExploreSchema>;
