import os from 'node:os';
import type { Command } from 'commander';
import { BAD_INPUT_CODES, ExploreError } from '../../explore/errors.js';
import { ExitCode } from '../exit-codes.js';
import { intOption } from '../options.js';
import { pkg } from '../version.js';

interface WorkerFlags {
  backend?: string;
  concurrency?: number;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'Take the trials of sweep, sensitivity, optimize and capacity runs started with --backend from a Redis job queue, simulate them here (the scenario and the files it names come with each trial: no shared file system) and send back their metrics. Start one on each machine; stop with SIGTERM (trials in hand are finished first).',
    )
    .requiredOption(
      '--backend <url>',
      'the Redis of the queue: redis://host:port[/db] or rediss:// (TLS); the password comes from E2C_REDIS_PASSWORD only, a private CA for rediss:// from E2C_REDIS_CA (a PEM file)',
    )
    .option(
      '-c, --concurrency <n>',
      `trials simulated at once, one worker thread each (default: the cores, here ${os.availableParallelism()})`,
      intOption('--concurrency', 1),
    )
    .addHelpText(
      'after',
      `
A trial made by another e2ctwin version is handed back, never run. A worker killed mid-trial loses nothing:
its trial goes to another worker once its lock expires (30 s). See docs/distributed-studies.md.

Examples:
  e2ctwin worker --backend redis://10.0.0.5:6379
  E2C_REDIS_PASSWORD=… e2ctwin worker --backend rediss://queue.example:6380/1 --concurrency 8
  E2C_REDIS_CA=ca.pem E2C_REDIS_PASSWORD=… e2ctwin worker --backend rediss://10.0.0.5:6380`,
    )
    .action(async (flags: WorkerFlags) => {
      const [{ parseRedisUrl }, { QueueRunner }, { runQueueWorker }] = await Promise.all([
        import('../../explore/redis-url.js'),
        import('../../explore/queue-runner.js'),
        import('../../explore/queue-worker.js'),
      ]);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      try {
        const target = parseRedisUrl(flags.backend!);
        // Reachable, and the password right, within 5 s: else exit 2 at once rather than retrying forever.
        await (await QueueRunner.open({ target, version: pkg.version })).close();
        const controller = new AbortController();
        const onSignal = () => {
          if (controller.signal.aborted) {
            log('stopping now: trials in hand go back to the queue when their lock expires');
            process.exit(143);
          }
          controller.abort();
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
        const lockMs = Number(process.env.E2C_QUEUE_LOCK_MS ?? '') || undefined;
        const { trials, refused } = await runQueueWorker({
          target,
          version: pkg.version,
          concurrency: flags.concurrency ?? os.availableParallelism(),
          log,
          signal: controller.signal,
          ...(lockMs ? { lockMs } : {}),
        });
        log(
          `worker stopped: ${trials} trial${trials === 1 ? '' : 's'} run${refused > 0 ? `, ${refused} of another version handed back` : ''}`,
        );
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      } catch (err) {
        if (err instanceof ExploreError && BAD_INPUT_CODES.has(err.code)) {
          log(`error: ${err.message}${err.hint ? ` (${err.hint})` : ''}  [${err.code}]`);
          process.exitCode = ExitCode.BAD_INPUT;
          return;
        }
        throw err;
      }
    });
}
