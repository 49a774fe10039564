import path from 'node:path';
import type { Command } from 'commander';
import { checkOutFolder, runsRoot } from '../../run-folder/index.js';
import { intOption } from '../options.js';

interface ServeFlags { port: number; host: string; runs: string }

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the browser view: pick a scenario, change parameters, simulate it and watch its progress; scenario topology, request timeline (exportable as a Chrome trace), utilization and queues over time, response-time distribution, runs side by side.')
    .option('-p, --port <n>', 'TCP port (0 picks a free one)', intOption('--port'), 8080)
    .option('--host <address>', 'address to listen on (anything but a loopback address exposes the server to the network)', '127.0.0.1')
    .option('--runs <dir>', 'folder of run folders to show, where simulations started from the page are written (checked at start: a folder, or a path where one can be created, that is writable and not under /proc, /sys or /dev)', 'runs')
    .addHelpText('after', '\nExamples:\n  e2ctwin serve                      # http://127.0.0.1:8080/, runs in ./runs\n  e2ctwin serve --port 9000 --runs /data/e2ctwin-runs')
    .action(async (flags: ServeFlags) => {
      checkOutFolder(flags.runs, { option: '--runs', kind: runsRoot });
      // Loaded here so that the other commands do not pay for the server at start-up.
      const { buildApp } = await import('../../server/index.js');
      const app = await buildApp({ runsDir: flags.runs, host: flags.host });
      const address = await app.listen({ port: flags.port, host: flags.host });
      process.stdout.write(`e2ctwin serve: ${address}/ (runs: ${path.resolve(flags.runs)}; Ctrl-C to stop)\n`);
      const stop = () => {
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
