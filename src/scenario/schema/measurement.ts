import { z } from 'zod';

/** One measured metric: its value and the half-width of its 95 % confidence interval (same unit). */
export const MeasuredMetricSchema = z.strictObject({
  value: z.number().describe("Measured value, in the metric's unit (e.g. seconds for responseTime.mean)."),
  ci95: z
    .number()
    .min(0)
    .describe(
      'Half-width of the 95 % confidence interval of the value (its measurement uncertainty), same unit.',
    ),
});

/**
 * A measured configuration of the system: the overrides that make the scenario describe it, and what was
 * measured there — metrics with their uncertainty, or the run folders of live runs they are computed from.
 */
export const MeasurementSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'use letters, digits, ".", "-" and "_"')
      .describe('Name of the measured configuration, unique.'),
    description: z.string().optional().describe('What was measured, where and when (informative).'),
    set: z
      .union([
        z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
        z.array(z.string().regex(/^[^=\s][^=]*=.+$/, 'write each override as path=value')),
      ])
      .default([])
      .describe(
        'Overrides of the scenario for this configuration: {path: value} or [path=value, …]. Default none (the scenario as written).',
      ),
    metrics: z
      .union([z.record(z.string(), MeasuredMetricSchema), z.array(z.string())])
      .optional()
      .describe(
        'Measured metrics by metric key ({responseTime.mean: {value, ci95}}), or, with runs, the metric keys to take from them. Default with runs: responseTime.mean and throughput.',
      ),
    runs: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        "Live run folders (relative to the file listing them) the metrics and their 95 % CIs are computed from: over the runs when there are several, else over the run's repetitions.",
      ),
  })
  .refine(
    (m) =>
      m.runs !== undefined ||
      (m.metrics !== undefined && !Array.isArray(m.metrics) && Object.keys(m.metrics).length > 0),
    { message: 'give metrics: {<metric key>: {value, ci95}} or runs: [run folders]', path: ['metrics'] },
  );
export type Measurement = z.output<typeof MeasurementSchema>;

export const MeasurementListSchema = z.array(MeasurementSchema).min(1);

/** A measurements file a scenario names (`calibrate.measurements: <file>`). */
export const MeasurementsFileSchema = z.strictObject({
  description: z.string().optional().describe('What the measurement campaign was (informative).'),
  measurements: MeasurementListSchema.describe('The measured configurations.'),
});
