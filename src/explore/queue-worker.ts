import { DelayedError, Worker, type Job } from 'bullmq';
import { PiscinaRunner } from './piscina-runner.js';
import { filesFromWire } from './queue-files.js';
import { workerName } from './queue-runner.js';
import { encodeOutput, QUEUE_NAME, type TrialJob, type TrialReply } from './queue-wire.js';
import { redisOptions, type RedisTarget } from './redis-url.js';
import type { TrialRunner } from './runner.js';

export interface QueueWorkerOptions {
  target: RedisTarget;
  version: string;
  /** Trials run at once (worker threads). */
  concurrency: number;
  /** Lines for people (started, refused a job, stopping). */
  log: (line: string) => void;
  /** Aborting stops taking trials; those running finish and are handed in, then the worker closes. */
  signal: AbortSignal;
  /** BullMQ's lock on a running trial (renewed every half); a worker killed mid-trial frees its trial after this. Default 30 s. */
  lockMs?: number;
  /** The trials' runner (tests may pass an in-process one); default worker threads. */
  runner?: TrialRunner;
}

/**
 * `e2ctwin worker`: takes trials from the queue, simulates them in worker threads (the event loop stays free to
 * renew BullMQ's locks, so a long trial is never taken for a stalled one) and returns their metrics. A job made
 * by another e2ctwin version is handed back (delayed, for a worker of that version) and never run.
 * Resolves when the signal has stopped the worker; returns the trials run.
 */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<{ trials: number; refused: number }> {
  const runner = o.runner ?? new PiscinaRunner(o.concurrency);
  const lockMs = o.lockMs ?? 30_000;
  let trials = 0,
    refused = 0;
  const warned = new Set<string>();
  const worker = new Worker<TrialJob, TrialReply>(
    QUEUE_NAME,
    async (job: Job<TrialJob, TrialReply>, token?: string) => {
      const { v, task, files } = job.data;
      if (v !== o.version) {
        refused++;
        if (!warned.has(v)) {
          warned.add(v);
          o.log(
            `refusing trials of e2ctwin ${v} (this worker is e2ctwin ${o.version}): handed back for a worker of that version`,
          );
        }
        await job.moveToDelayed(Date.now() + 2000, token);
        throw new DelayedError();
      }
      const out = await runner.run({ ...task, files: filesFromWire(files) });
      trials++;
      return encodeOutput(out);
    },
    {
      connection: redisOptions(o.target),
      concurrency: o.concurrency,
      name: workerName(o.version, o.concurrency),
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.round(lockMs / 2)),
      maxStalledCount: 10,
      autorun: false,
    },
  );
  worker.on('error', (e) => o.log(`queue: ${e.message}`));
  const stopped = new Promise<void>((resolve) => {
    const stop = async () => {
      o.log('stopping: finishing the trials in hand (a second SIGTERM hands them back at once)');
      await worker.close();
      await runner.close();
      resolve();
    };
    if (o.signal.aborted) void stop();
    else o.signal.addEventListener('abort', () => void stop(), { once: true });
  });
  await worker.waitUntilReady();
  o.log(`worker: taking trials from ${o.target.display} (${o.concurrency} at a time, e2ctwin ${o.version})`);
  void worker.run().catch((e: Error) => o.log(`queue: ${e.message}`));
  await stopped;
  return { trials, refused };
}
