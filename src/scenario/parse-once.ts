/**
 * Parse options for a schema that parses one file once (a scenario, a preset, a calibration or measurements
 * file). zod compiles an object schema's parser with `new Function` on its first synchronous parse (its JIT);
 * that costs more than one parse saves: on `e2ctwin validate scenarios/plantnet.yaml` the scenario's
 * safeParse took about 36 ms with it and about 11 ms without. Same checks, same issues: only the eval-based
 * fast path is skipped. (`z.config({ jitless: true })` would need to run before the schemas are built,
 * since zod reads it when it constructs them.)
 */
export const PARSE_ONCE = { jitless: true } as const;
