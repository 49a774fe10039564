import { z } from 'zod';

const hostName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,30}$/,
    'use lowercase letters, digits and "-", starting with a letter (at most 31)',
  );

/** Where each service (or a whole layer) runs: selector → testbed host names. Instances go round-robin. */
const Placement = z
  .record(
    z.string().regex(/^[\w-]+(\.[\w-]+)?$/, 'a layer (edge) or a service (edge.users)'),
    z.array(hostName).min(1),
  )
  .describe(
    "Hosts of each service or layer, by selector (cloud.engine, or cloud for the whole layer). A service's instances are placed round-robin over its hosts.",
  );

const Image = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._/-]*(:[\w.-]+)?$/, 'an image name such as e2ctwin/busybox:local'),
    tar: z
      .string()
      .describe('Root filesystem tarball imported with `docker import` (relative to the testbed file).'),
    cmd: z.array(z.string()).min(1).optional().describe('CMD of the imported image (argv).'),
  })
  .describe(
    'A container image built locally from a root filesystem tarball and imported on the hosts that need it.',
  );

const Docker = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe(
      'local: start a dockerd inside each host that runs a container (safe flags, own roots). Default false.',
    ),
  socket: z
    .string()
    .default('/var/run/docker.sock')
    .describe('ssh: the Docker engine socket on the hosts, reached over SSH. Default /var/run/docker.sock.'),
  storageDriver: z
    .enum(['vfs', 'overlay2'])
    .default('vfs')
    .describe('local: storage driver of the per-host dockerd. Default vfs.'),
});

const Common = {
  name: z.string().optional().describe('Testbed name (informative).'),
  services: Placement,
  emulation: z
    .enum(['auto', 'netem', 'fallback', 'none'])
    .default('auto')
    .describe(
      'How network constraints are applied: auto (tc netem where the kernel has it, else the fallback), netem, fallback (htb rate, nftables loss, userspace delay), none. Default auto.',
    ),
  docker: Docker.default({ enabled: false, socket: '/var/run/docker.sock', storageDriver: 'vfs' }),
  images: z.array(Image).default([]),
  verify: z
    .strictObject({
      rttCount: z
        .number()
        .int()
        .min(3)
        .default(20)
        .describe('Round trips measured per RTT probe (after 3 unrecorded ones).'),
      throughputSeconds: z
        .union([z.number().positive(), z.literal('auto')])
        .default('auto')
        .describe(
          "Seconds of each throughput probe (the rate is taken over its last three quarters); auto: from the link's rate and RTT, 0.5 to 10 s (docs/live-mode.md).",
        ),
      parallel: z
        .boolean()
        .default(true)
        .describe(
          'Probe independent links at the same time (docs/live-mode.md says when); false: one link after the other.',
        ),
    })
    .default({ rttCount: 20, throughputSeconds: 'auto', parallel: true })
    .describe('Measurement of the applied constraints before the run.'),
};

export const LocalTestbedSchema = z.strictObject({
  provider: z.literal('local'),
  ...Common,
  hosts: z
    .array(z.strictObject({ name: hostName }))
    .min(1)
    .describe('Hosts built on this machine: a network namespace and an sshd each.'),
  subnet: z
    .string()
    .regex(/^10\.(\d{1,3})\.(\d{1,3})\.0\/24$/, 'a 10.x.y.0/24 network')
    .default('10.211.0.0/24')
    .describe(
      'Addresses of the hosts, inside their namespaces only (never in the root namespace). Default 10.211.0.0/24.',
    ),
  e2ctwin: z
    .array(z.string())
    .min(1)
    .optional()
    .describe('Command that runs e2ctwin on the hosts. Default: this checkout (node bin/e2ctwin.js).'),
});

const SshConnection = z.strictObject({
  host: z.string().optional().describe("Address SSH connects to. Default: the host's address."),
  port: z.number().int().min(1).max(65535).default(22),
  user: z
    .string()
    .regex(/^[a-z_][\w.-]*$/i)
    .default('root'),
  key: z.string().optional().describe('Private key file (its content never reaches logs or run folders).'),
  password: z.string().optional().describe('Password (prefer keys; never written anywhere).'),
  jump: hostName.optional().describe('Name of another host of this file used as jump host.'),
  unixSocket: z.string().optional().describe('Reach sshd through this Unix socket instead of TCP (bridges).'),
});

export const SshTestbedSchema = z.strictObject({
  provider: z.literal('ssh'),
  ...Common,
  hosts: z
    .array(
      z.strictObject({
        name: hostName,
        address: z
          .string()
          .regex(/^[\w.:-]+$/, 'an IP address or a DNS name')
          .optional()
          .describe('Address other hosts use to reach this one. Required unless jumpOnly.'),
        ssh: SshConnection.default({ port: 22, user: 'root' }),
        interface: z
          .string()
          .regex(/^[\w.-]{1,15}$/)
          .default('eth0')
          .describe('Interface carrying testbed traffic (for tc). Default eth0.'),
        workDir: z
          .string()
          .regex(/^\/[\w./-]+$/)
          .default('/tmp/e2ctwin')
          .describe("Folder for the run's files on the host. Default /tmp/e2ctwin."),
        jumpOnly: z
          .boolean()
          .default(false)
          .describe('Only a jump host (an access machine): nothing is deployed on it.'),
      }),
    )
    .min(1),
  e2ctwin: z
    .array(z.string())
    .min(1)
    .default(['e2ctwin'])
    .describe('Command that runs e2ctwin on the hosts. Default e2ctwin.'),
});

export const TestbedSchema = z.discriminatedUnion('provider', [LocalTestbedSchema, SshTestbedSchema]);
export type Testbed = z.output<typeof TestbedSchema>;
export type LocalTestbed = z.output<typeof LocalTestbedSchema>;
export type SshTestbed = z.output<typeof SshTestbedSchema>;
