import { z } from 'zod';

/**
 * How to run a service for real (live mode). The simulator ignores it; live mode reads it together with
 * a testbed file. Strings may reference other services' deployed addresses: {{ cloud.engine.url }},
 * {{ cloud.engine.address }}, {{ cloud.engine.port }}.
 */
export const LiveSchema = z
  .strictObject({
    command: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .describe(
        'Command that starts the service (a string run by sh -c, or an argv list). One of command or image.',
      ),
    image: z.string().optional().describe('Container image to run instead of a command (Docker).'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('TCP port the service listens on. Default: none.'),
    health: z
      .strictObject({
        path: z
          .string()
          .optional()
          .describe('HTTP path answered with 2xx when the service is ready, e.g. /health.'),
        command: z
          .string()
          .optional()
          .describe('Shell command that exits 0 when the service is ready (instead of path).'),
        timeoutS: z
          .number()
          .positive()
          .default(30)
          .describe('Give up waiting for readiness after this many seconds. Default 30.'),
      })
      .optional()
      .describe(
        'Readiness check. Default: ready once the port accepts connections (or at once without a port).',
      ),
    env: z
      .record(z.string(), z.string())
      .default({})
      .describe('Environment variables for the service. Default none.'),
    files: z
      .array(
        z.strictObject({
          src: z.string().describe('Local file, relative to the scenario.'),
          dst: z.string().describe('Path on the host.'),
        }),
      )
      .default([])
      .describe('Files uploaded to the host before start. Default none.'),
  })
  .refine((l) => !(l.command && l.image), { message: 'give either command or image, not both' });
export type Live = z.output<typeof LiveSchema>;
