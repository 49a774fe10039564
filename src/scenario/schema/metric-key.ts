import { z } from 'zod';

// Names every JavaScript object answers to: looked up with `in` or `obj[key]`, they would pass for metrics.
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The part of a metric key that is a name of every JavaScript object (constructor, toString …), if any. */
export function prototypeSegment(key: string): string | undefined {
  return key.split('.').find((s) => PROTOTYPE_NAMES.has(s));
}

const notPrototype = (key: string, ctx: z.RefinementCtx) => {
  const s = prototypeSegment(key);
  if (s !== undefined)
    ctx.addIssue({
      code: 'custom',
      message: `"${key}" is not a metric key ("${s}" is a name of every JavaScript object, not a metric)`,
    });
};

/** A metric key as the results name it (`responseTime.mean`, `pools.extract.utilization`). */
export const MetricKeySchema = z.string().min(1).superRefine(notPrototype);

/** The metric on the left of a constraint such as `responseTime.p95 <= 3`. */
export function checkConstraintMetric(text: string, ctx: z.RefinementCtx): void {
  const left = /^\s*([A-Za-z][\w.]*)/.exec(text)?.[1];
  if (left !== undefined) notPrototype(left, ctx);
}
