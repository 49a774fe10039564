import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { checkOutFolder, runsRoot } from '../../run-folder/index.js';
import { intOption } from '../options.js';

interface ServeFlags {
  port: number;
  host: string;
  runs: string;
  allowRemote?: boolean;
  maxWallSeconds: number;
  maxMemoryMib: number;
}

function positive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a number > 0 (got "${value}")`);
    return n;
  };
}

/** `http://host:port` of the address the server really listens on (IPv6 in brackets). */
function urlOf(a: AddressInfo): string {
  return `http://${a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve the browser view: pick a scenario, change parameters, simulate it and watch its progress; scenario topology, request timeline (exportable as a Chrome trace), utilization and queues over time, response-time distribution, runs side by side.',
    )
    .option('-p, --port <n>', 'TCP port (0 picks a free one)', intOption('--port'), 8080)
    .option(
      '--host <address>',
      'address to listen on; anything but a loopback address (127.0.0.1, ::1, localhost) exposes the server to the network and needs --allow-remote',
      '127.0.0.1',
    )
    .option(
      '--allow-remote',
      'accept a --host that is not loopback: every request must then carry the access token printed at start (the page: open the printed address once; API clients: "Authorization: Bearer <token>")',
    )
    .option(
      '--runs <dir>',
      'folder of run folders to show, where simulations started from the page are written (checked at start: a folder, or a path where one can be created, that is writable and not under /proc, /sys or /dev)',
      'runs',
    )
    .option(
      '--max-wall-seconds <s>',
      'wall-time budget of each simulation started from the page; a longer one is stopped and reported as failed',
      positive('--max-wall-seconds'),
      600,
    )
    .option(
      '--max-memory-mib <MiB>',
      'memory budget (worker heap, MiB) of each simulation started from the page; one that needs more is stopped and reported as failed',
      intOption('--max-memory-mib', 16),
      1024,
    )
    .addHelpText(
      'after',
      [
        '',
        'Simulations from the page read files (presets, calibration, traces) only from the scenarios/, models/ and calibration/ folders of e2ctwin.',
        '',
        'Examples:',
        '  e2ctwin serve                      # http://127.0.0.1:8080/, runs in ./runs',
        '  e2ctwin serve --port 9000 --runs /data/e2ctwin-runs',
        '  e2ctwin serve --host 0.0.0.0 --allow-remote   # reachable from the network, with an access token',
      ].join('\n'),
    )
    .action(async (flags: ServeFlags, command: Command) => {
      checkOutFolder(flags.runs, { option: '--runs', kind: runsRoot });
      // Loaded here so that the other commands do not pay for the server at start-up.
      const { buildApp, isLoopbackHost, newAccessToken } = await import('../../server/index.js');
      const remote = !isLoopbackHost(flags.host);
      if (remote && !flags.allowRemote) {
        command.error(
          `error: --host ${flags.host} is not a loopback address: the server would be reachable from the network. Add --allow-remote to accept that (every request then needs the access token printed at start), or use --host 127.0.0.1.`,
          { exitCode: 2, code: 'e2ctwin.remoteNotAllowed' },
        );
      }
      const token = remote ? newAccessToken() : undefined;
      const app = await buildApp({
        runsDir: flags.runs,
        host: flags.host,
        allowRemote: remote,
        ...(token ? { token } : {}),
        budget: { wallSeconds: flags.maxWallSeconds, memoryMiB: flags.maxMemoryMib },
      });
      await app.listen({ port: flags.port, host: flags.host });
      const url = urlOf(app.server.address() as AddressInfo);
      process.stdout.write(`e2ctwin serve: ${url}/ (runs: ${path.resolve(flags.runs)}; Ctrl-C to stop)\n`);
      if (token) {
        process.stderr.write(
          `warning: listening on ${flags.host}, not a loopback address: anyone who can reach this machine and has the token can read the runs folder and run simulations.\n`,
        );
        // Printed once, here only: it is not stored anywhere.
        process.stdout.write(
          `access token: ${token}\n  the page: open ${url}/?token=${token} once (replace the address by this machine's name if needed)\n  API clients: send "Authorization: Bearer ${token}"\n`,
        );
      }
      const stop = () => {
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
