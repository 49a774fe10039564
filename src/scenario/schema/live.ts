import { z } from 'zod';

/**
 * How to run a service for real (live mode). The simulator ignores it; live mode reads it together with
 * a testbed file. Strings may reference other services' deployed addresses: {{ cloud.engine.url }},
 * {{ cloud.engine.address }}, {{ cloud.engine.port }}.
 */
/** A command as data: an argv list, run without a shell. */
const Argv = z.array(z.string()).min(1);

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
    prepare: z
      .array(Argv)
      .optional()
      .describe(
        "E2Clab's prepare phase: commands (argv lists, never a shell string) run once per live run on each host of the service, in its folder, before any service starts. Default none.",
      ),
    launch: z
      .array(Argv)
      .optional()
      .describe(
        "E2Clab's launch phase: commands run on each host of the service at the start of every repetition, before the workload starts; {{ current_repeat }} is the repetition (1-based). Default none.",
      ),
    finalize: z
      .strictObject({
        commands: z.array(Argv).default([]).describe('Commands run on each host after every repetition.'),
        files: z
          .array(
            z
              .string()
              .regex(
                /^(?!.*(?:^|\/)\.\.(?:\/|$))[\w./-]+$/,
                'a path without ".." (relative to the service folder)',
              ),
          )
          .default([])
          .describe('Result files fetched after every repetition into <out>/files/<host>/<repetition>/.'),
      })
      .optional()
      .describe("E2Clab's finalize phase, after every repetition. Default none."),
    dependsOn: z
      .array(
        z.strictObject({
          selector: z
            .string()
            .describe('Services depended on: a layer, service, glob or role (E2Clab selectors).'),
          prefix: z
            .string()
            .regex(/^[A-Za-z_]\w*$/)
            .describe('Name the templates use for them.'),
          grouping: z
            .enum(['round_robin', 'asarray', 'aggregate'])
            .default('round_robin')
            .describe(
              "round_robin: {{ prefix.url }} (.address, .port, .host) of target instance i mod n for this service's instance i; asarray: {{ prefix }} = every target's address, comma-separated; aggregate: {{ prefix1.url }} … {{ prefixN.url }}, every target by number. Default round_robin.",
            ),
        }),
      )
      .optional()
      .describe(
        "E2Clab's depends_on: other services' instances, by grouping, for the templates of command, env and phases. Default none.",
      ),
  })
  .refine((l) => !(l.command && l.image), { message: 'give either command or image, not both' });
export type Live = z.output<typeof LiveSchema>;
