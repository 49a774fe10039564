import { z } from 'zod';

/**
 * Probability laws for random quantities (service demands, think times, sizes, counts).
 * Every non-trivial law can be stated by its mean and coefficient of variation (cv = sd / mean),
 * which is how measurements are usually summarized; native parameters are accepted where natural.
 * A bare number is shorthand for a deterministic value.
 */
const positive = (what: string) => z.number().positive().describe(what);
const cv = z
  .number()
  .positive()
  .describe(
    'Coefficient of variation (standard deviation / mean), no unit. Required unless the native parameters are given.',
  );

const Deterministic = z.strictObject({
  dist: z.literal('deterministic'),
  value: z.number().min(0).describe('The constant value, in the unit of the field that uses this law.'),
});
const Exponential = z.strictObject({
  dist: z.literal('exponential'),
  mean: positive('Mean, in the unit of the field that uses this law.'),
});
const Uniform = z.strictObject({
  dist: z.literal('uniform'),
  min: z.number().min(0).describe("Lower bound (inclusive), in the field's unit."),
  max: z.number().min(0).describe("Upper bound, in the field's unit; must be ≥ min."),
});
const Normal = z.strictObject({
  dist: z.literal('normal'),
  mean: z.number().describe("Mean before truncation, in the field's unit."),
  sd: z.number().min(0).describe("Standard deviation before truncation, in the field's unit."),
  min: z.number().optional().describe("Truncation lower bound, in the field's unit. Default 0."),
  max: z.number().optional().describe("Truncation upper bound, in the field's unit. Default: none."),
});
const Lognormal = z.strictObject({
  dist: z.literal('lognormal'),
  mean: positive("Mean, in the field's unit (with cv). Alternative to mu/sigma.").optional(),
  cv: cv.optional(),
  mu: z.number().optional().describe('Mean of the underlying normal (log scale). Alternative to mean/cv.'),
  sigma: z
    .number()
    .positive()
    .optional()
    .describe('Standard deviation of the underlying normal (log scale).'),
});
const Gamma = z.strictObject({
  dist: z.literal('gamma'),
  mean: positive("Mean, in the field's unit (with cv). Alternative to shape/scale.").optional(),
  cv: cv.optional(),
  shape: z.number().positive().optional().describe('Shape k (no unit). Alternative to mean/cv.'),
  scale: z.number().positive().optional().describe("Scale θ, in the field's unit."),
});
const Weibull = z.strictObject({
  dist: z.literal('weibull'),
  mean: positive("Mean, in the field's unit (with cv). Alternative to shape/scale.").optional(),
  cv: cv.optional(),
  shape: z.number().positive().optional().describe('Shape k (no unit). Alternative to mean/cv.'),
  scale: z.number().positive().optional().describe("Scale λ, in the field's unit."),
});
const Pareto = z.strictObject({
  dist: z.literal('pareto'),
  mean: positive("Mean, in the field's unit (with cv). Alternative to alpha/xm.").optional(),
  cv: cv.optional(),
  alpha: z.number().positive().optional().describe('Tail index α (no unit). Alternative to mean/cv.'),
  xm: z.number().positive().optional().describe("Scale (minimum value) x_m, in the field's unit."),
});
const Empirical = z.strictObject({
  dist: z.literal('empirical'),
  samples: z
    .array(z.number().min(0))
    .min(1)
    .describe("Observed values, drawn uniformly at random, in the field's unit."),
});

const WEIBULL_CV = { min: 1.3e-4, max: 3e14 };

const DistObject = z
  .discriminatedUnion('dist', [
    Deterministic,
    Exponential,
    Uniform,
    Normal,
    Lognormal,
    Gamma,
    Weibull,
    Pareto,
    Empirical,
  ])
  .superRefine((d, ctx) => {
    const pairs: Record<string, [string[], string[]]> = {
      lognormal: [
        ['mean', 'cv'],
        ['mu', 'sigma'],
      ],
      gamma: [
        ['mean', 'cv'],
        ['shape', 'scale'],
      ],
      weibull: [
        ['mean', 'cv'],
        ['shape', 'scale'],
      ],
      pareto: [
        ['mean', 'cv'],
        ['alpha', 'xm'],
      ],
    };
    const forms = pairs[d.dist];
    const rec = d as Record<string, unknown>;
    if (forms) {
      const complete = forms.filter((f) => f.every((k) => rec[k] !== undefined));
      if (complete.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `${d.dist} needs exactly one of {${forms.map((f) => f.join(', ')).join('} or {')}}`,
        });
      }
    }
    if (d.dist === 'uniform' && d.max < d.min)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must be ≥ min' });
    if (d.dist === 'normal' && d.max !== undefined && !(d.max > (d.min ?? 0))) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `max must be > min (${d.min ?? 0}${d.min === undefined ? ', the default' : ''})`,
      });
    }
    // Given mean and cv, alpha = 1 + sqrt(1 + 1/cv²) is always > 2. Given alpha, a law without a finite mean
    // (α ≤ 1) is refused: every use of a law (demands, sizes, items, times) needs its mean, and draws from it
    // grow without bound (a queue behind them never drains, sample means never settle).
    if (d.dist === 'pareto' && d.alpha !== undefined && d.alpha <= 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['alpha'],
        message: `a Pareto law with α ≤ 1 has no finite mean; use α > 1 (α > 2 for a finite variance) or give mean and cv`,
      });
    }
    // The shape solved from cv is searched over k ∈ [0.02, 1e4]: cv from 1.3e-4 to 3e14.
    if (d.dist === 'weibull' && d.cv !== undefined && !(d.cv >= WEIBULL_CV.min && d.cv <= WEIBULL_CV.max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cv'],
        message: `a Weibull law's cv must be within [${WEIBULL_CV.min}, ${WEIBULL_CV.max}] (got ${d.cv})`,
      });
    }
  });

/** A probability law, or a bare number meaning a deterministic value. */
export const DistSchema = z.union([z.number().min(0), DistObject]).meta({
  id: 'Dist',
  description:
    'A random quantity: a number (deterministic) or {dist: exponential|uniform|normal|lognormal|gamma|weibull|pareto|empirical|deterministic, …}. Non-trivial laws take mean and cv (sd/mean).',
});
export type DistInput = z.input<typeof DistSchema>;
export type Dist = z.output<typeof DistSchema>;
