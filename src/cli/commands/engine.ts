import type { Command } from 'commander';
import { buildEngine } from '../../live/app/engine.js';
import { defaultEngineSpec, readSpec } from '../../live/app/spec.js';
import type { EngineSpec } from '../../live/plan/types.js';
import { distFile } from '../../live/paths.js';
import { intOption } from '../options.js';

export function registerEngine(program: Command): void {
  program
    .command('engine')
    .description(
      'Serve an app model for real (the reference Pl@ntNet-like engine): bounded pools, real downloads, feature extraction in worker threads, nearest-neighbour search; spans and pool counters to files. Live mode starts it on the hosts.',
    )
    .option('-p, --port <n>', "TCP port (default: the spec's, else 8080)", intOption('--port', 1))
    .option(
      '--host <address>',
      'address to listen on (default: all addresses of the host inside a live run, else 127.0.0.1)',
    )
    .option('--spec <file>', 'spec written by `e2ctwin live` (default: $E2CTWIN_LIVE_SPEC)')
    .option('--app <name>', 'without a spec: the app model to serve (models/apps/)', 'plantnet-engine')
    .addHelpText(
      'after',
      '\nPOST /identify {"items": [{"url": …}]} runs one request; GET /health; GET /stats; POST /pools {"pool": …, "size": n}\nresizes a pool (a timed pool event of a live run).\nExample:\n  e2ctwin engine --port 8080',
    )
    .action(async (opts: { port?: number; host?: string; spec?: string; app: string }) => {
      // Inside a live run (a spec) the engine serves the testbed; run by hand it stays on loopback.
      opts.host ??= opts.spec || process.env.E2CTWIN_LIVE_SPEC ? '0.0.0.0' : '127.0.0.1';
      const spec: EngineSpec =
        readSpec<EngineSpec>(opts.spec, 'engine') ?? (await defaultEngineSpec(opts.app, opts.port ?? 8080));
      const port = opts.port ?? spec.port;
      const engine = await buildEngine(spec, { workerFile: distFile('live/compute-worker.js') });
      await engine.app.listen({ port, host: opts.host });
      process.stderr.write(
        `engine ${spec.instance} (${Object.entries(spec.app.pools)
          .map(([k, v]) => `${k}=${v.size}`)
          .join(' ')}) listening on ${opts.host}:${port}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await engine.close();
    });
}
