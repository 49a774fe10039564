import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DriverControl } from '../../live/app/driver-control.js';
import { drive } from '../../live/app/driver.js';
import { imageServer } from '../../live/app/image-server.js';
import { readSpec } from '../../live/app/spec.js';
import type { DriverSpec } from '../../live/plan/types.js';
import { checkOutFile, spansFile } from '../../run-folder/index.js';
import { intOption } from '../options.js';

interface DriveFlags {
  target?: string;
  spec?: string;
  duration?: string;
  users?: number;
  think?: string;
  patience?: string;
  imagePort?: number;
  address?: string;
  spans?: string;
  request?: string;
  path?: string;
  image?: Buffer;
}

export function registerDrive(program: Command): void {
  program
    .command('drive')
    .description(
      "Drive a live service with the scenario's workload (closed-loop users with think time and patience, or open arrivals), serving the request items (images) from this host, and record every request. Live mode starts it on the edge hosts.",
    )
    .option(
      '-t, --target <url>',
      "base URL of the target service (default: the spec's; one of the spec's URLs when its target is balanced keeps them all)",
    )
    .option('--spec <file>', 'spec written by `e2ctwin live` (default: $E2CTWIN_LIVE_SPEC)')
    .option('-d, --duration <s>', 'seconds of workload (default: $E2CTWIN_DURATION_S, else 60)')
    .option('-u, --users <n>', 'without a spec: closed-loop users', intOption('--users', 1))
    .option('--think <s>', 'without a spec: mean exponential think time, seconds', '5')
    .option('--patience <s>', 'without a spec: abandon a request after this many seconds')
    .option(
      '--image-port <n>',
      "port of the image server (default: the spec's, else 18080)",
      intOption('--image-port', 1),
    )
    .option('--address <address>', 'without a spec: address the target reaches this host at', '127.0.0.1')
    .option(
      '--spans <file>',
      "where to append request spans (default: the spec's, else spans.jsonl); checked before the workload starts (a writable file, not a folder or a special file)",
    )
    .addOption(
      new Option(
        '--request <kind>',
        "how a request is asked: identify (POST /identify with the items' URLs, the reference engine's API) or range (GET --path with a Range header of a draw of the target app's responseBytes: a static file server)",
      )
        .choices(['identify', 'range'])
        .default('identify'),
    )
    .option('--path <path>', 'with --request range: the file to ask for', '/')
    .option(
      '--image <file>',
      "serve this image (JPEG, PNG) as every item, padded after its end to the item's size (a service that decodes it gets a real picture); default: filler bytes",
      readImage,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  e2ctwin drive --target http://127.0.0.1:8080 --users 4 --think 2 --duration 30\n  e2ctwin drive --target http://127.0.0.1:8081 --request range --path /blob',
    )
    .action(async (f: DriveFlags) => {
      if (f.spans !== undefined) checkOutFile(f.spans, { option: '--spans', kind: spansFile });
      const fromSpec = readSpec<DriverSpec>(f.spec, 'driver');
      const spec: DriverSpec = fromSpec ?? {
        kind: 'driver',
        scenario: 'standalone',
        service: 'edge.users',
        instances: [{ name: 'edge.users#0', index: 0 }],
        workload: {
          kind: 'closed',
          target: 'cloud.engine',
          users: f.users ?? 1,
          thinkTime: { dist: 'exponential', mean: Number(f.think) },
          startSpreadS: 0,
          ...(f.patience ? { patienceS: Number(f.patience) } : {}),
        },
        target: 'cloud.engine',
        targetUrls: [],
        items: 1,
        itemBytes: 350_000,
        requestBytes: 2000,
        seed: 1,
        address: f.address ?? '127.0.0.1',
        imagePort: 18080,
        spansFile: 'spans.jsonl',
        profileTimeScale: 1,
      };
      const target = f.target?.replace(/\/$/, '');
      // A balanced target keeps all its instances: `--target {{ cloud.engine.url }}` (its first) does not narrow it.
      const balanced = spec.balance !== undefined && spec.balance.policy !== 'static';
      if (target && !(balanced && spec.targetUrls.includes(target))) spec.targetUrls = [target];
      if (f.imagePort) spec.imagePort = f.imagePort;
      if (f.spans) spec.spansFile = f.spans;
      const durationS = Number(f.duration ?? process.env.E2CTWIN_DURATION_S ?? 60);
      const startAtMs = process.env.E2CTWIN_START_AT_MS ? Number(process.env.E2CTWIN_START_AT_MS) : undefined;
      // The image server listens for the testbed inside a live run (a spec), on loopback otherwise.
      // Its POST /scale takes the controller's counts of an autoscaled target (driver-control.ts).
      const control = new DriverControl();
      const images = await imageServer(spec.imagePort, fromSpec ? '0.0.0.0' : '127.0.0.1', f.image, control);
      // The controller stops an interrupted run with SIGTERM: keep the spans recorded so far.
      const stop = new AbortController();
      const onTerm = () => stop.abort();
      process.once('SIGTERM', onTerm);
      const summary = await drive(spec, {
        durationS,
        repetition: Number(process.env.E2CTWIN_REPETITION ?? 0),
        signal: stop.signal,
        // Instances taken out of the balance and back (the run keeps this in the process's log).
        log: (line) => process.stderr.write(`${line}\n`),
        control,
        request: f.request === 'range' ? { kind: 'range', path: f.path ?? '/' } : { kind: 'identify' },
        ...(startAtMs !== undefined ? { startAtMs } : {}),
      });
      process.off('SIGTERM', onTerm);
      images.close();
      images.closeAllConnections();
      process.stdout.write(
        `${JSON.stringify({ ...summary, ...(stop.signal.aborted ? { stopped: true } : {}) })}\n`,
      );
      if (stop.signal.aborted) process.exit(143);
    });
}

/** Reads the --image file, or refuses it as a usage error naming it. */
function readImage(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new InvalidArgumentError(
      `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}
