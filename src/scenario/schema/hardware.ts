import { z } from 'zod';
import { budget, LIMITS } from '../limits.js';
import { LOSS_BELOW_100 } from './network.js';

/** How total GPU (or other accelerator) throughput grows with concurrent jobs. */
export const ConcurrencyCurveSchema = z
  .union([
    z.strictObject({
      maxSpeedup: z
        .number()
        .min(1)
        .describe('Total throughput with many concurrent jobs, relative to one job alone (≥ 1).'),
      halfConcurrency: z
        .number()
        .positive()
        .describe('Extra concurrent jobs at which half of the extra speed-up is reached.'),
    }),
    z.strictObject({
      points: z
        .array(z.tuple([z.number().int().min(1), z.number().positive()]))
        .min(1)
        .describe(
          '[concurrent jobs, total throughput relative to one job] points, linearly interpolated, flat after the last.',
        ),
    }),
  ])
  .meta({
    id: 'ConcurrencyCurve',
    description:
      'Throughput-vs-concurrency curve: {maxSpeedup, halfConcurrency} (saturating: 1 + (max−1)·(n−1)/(n−1+half)) or {points}. Default: no speed-up (jobs share one unit of throughput).',
  });
export type ConcurrencyCurve = z.output<typeof ConcurrencyCurveSchema>;

export const GpuSchema = z.strictObject({
  type: z.string().describe('GPU model name, e.g. "V100-PCIE-32GB".'),
  count: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.gpusPerHost, budget('GPUs of a host'))
    .default(1)
    .describe('GPUs on the host. Default 1. Requests are spread over them.'),
  memoryGiB: z.number().positive().describe('Memory per GPU, GiB.'),
  speed: z
    .number()
    .positive()
    .default(1)
    .describe('Speed relative to the reference GPU the demands are stated for. Default 1.'),
  idlePowerW: z.number().min(0).default(0).describe('Power per GPU when idle, watts. Default 0.'),
  maxPowerW: z.number().min(0).default(0).describe('Power per GPU when fully busy, watts. Default 0.'),
  concurrency: ConcurrencyCurveSchema.optional().describe(
    'How total inference throughput grows with concurrent jobs on one GPU. Default: no speed-up.',
  ),
});

/** A host profile: what a service's machines are made of. Presets live in models/hardware/. */
export const HardwareSchema = z.strictObject({
  extends: z
    .string()
    .optional()
    .describe('Name or path of another hardware preset this one refines (its fields are the defaults).'),
  name: z.string().optional().describe('Preset name (informative). Default: the file name.'),
  description: z.string().optional().describe('What this machine is and where its figures come from.'),
  cpu: z
    .strictObject({
      model: z.string().optional().describe('CPU model name (informative).'),
      cores: z
        .number()
        .int()
        .min(1)
        .max(LIMITS.poolSize, budget('cores of a host'))
        .describe('Cores available to the service.'),
      speed: z
        .number()
        .positive()
        .default(1)
        .describe('Per-core speed relative to the reference core the demands are stated for. Default 1.'),
      sharedPerRequestS: z
        .number()
        .min(0)
        .optional()
        .describe(
          "CPU seconds that other software on the same cores spends per request of this service (clients on the same machine, a testbed whose userspace switch forwards the request's bytes): served on these cores beside the stages, holding none of the request's pools and not in its path, so it slows the service only as the throughput grows. Scaled by speed, as the demands. Default: none (the cores are the service's alone).",
        ),
    })
    .describe('The CPU cores the service may use; cpu stages share them (processor sharing).'),
  gpu: GpuSchema.optional().describe('The accelerator, if any. Stages with resource gpu need one.'),
  memoryGiB: z.number().positive().optional().describe('Host RAM, GiB (informative).'),
  power: z
    .strictObject({
      idleW: z.number().min(0).default(0).describe('Host power at idle, excluding GPUs, watts. Default 0.'),
      maxW: z
        .number()
        .min(0)
        .default(0)
        .describe('Host power with all cores busy, excluding GPUs, watts. Default 0.'),
    })
    .default({ idleW: 0, maxW: 0 })
    .describe('Power model: idle + (max − idle) × utilization. Default 0 W.'),
  pricePerHour: z
    .number()
    .min(0)
    .default(0)
    .describe('Price of one such host per hour, in currency units (e.g. EUR). Default 0.'),
});
export type Hardware = z.output<typeof HardwareSchema>;

/** A class of network link (LAN, WAN, 4G, Wi-Fi). Presets live in models/links/. */
export const LinkClassSchema = z.strictObject({
  extends: z.string().optional().describe('Name or path of another link class this one refines.'),
  name: z.string().optional().describe('Preset name (informative). Default: the file name.'),
  description: z.string().optional().describe('Where the figures come from.'),
  delayMs: z.number().min(0).describe('One-way propagation delay, milliseconds.'),
  rateMbps: z
    .number()
    .positive()
    .describe('Bandwidth, megabits per second, shared fairly among concurrent transfers.'),
  lossPercent: z
    .number()
    .min(0)
    .lt(100, LOSS_BELOW_100)
    .default(0)
    .describe('Packet loss, percent. Default 0.'),
});
export type LinkClass = z.output<typeof LinkClassSchema>;
