import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PiscinaRunner } from '../../src/explore/piscina-runner.js';
import { QueueRunner } from '../../src/explore/queue-runner.js';
import { parseRedisUrl } from '../../src/explore/redis-url.js';
import type { TrialRunner } from '../../src/explore/runner.js';
import { openStudy } from '../../src/explore/study.js';
import { pkg } from '../../src/cli/version.js';
import { redisMissing, TestRedis } from '../../test/support/redis.js';
import { fmt, printTable, repoRoot } from '../measure.js';

const mm1 = path.join(repoRoot, 'scenarios/validation/mm1.yaml');
const param = 'layers.outside.services.source.workload.ratePerS=0.5..0.7';

/** Wall seconds of one configuration × `trials` replications on a runner, and the results' text. */
async function once(runner: TrialRunner, trials: number, requests: number) {
  const study = openStudy({
    file: mm1,
    params: [param],
    overrides: [`run.requests=${requests}`, 'run.warmup=20'],
    runner,
    replications: trials,
  });
  const t0 = performance.now();
  const [e] = await study.evaluator.evaluate([{ config: [0.5] }]);
  const wall = (performance.now() - t0) / 1000;
  study.close();
  return { wall, text: JSON.stringify(e!.reps) };
}

function startWorkers(url: string, n: number): Promise<ChildProcess[]> {
  const ws = Array.from({ length: n }, () =>
    spawn(
      process.execPath,
      [path.join(repoRoot, 'bin/e2ctwin.js'), 'worker', '--backend', url, '--concurrency', '1'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  );
  return Promise.all(
    ws.map(
      (w) =>
        new Promise<ChildProcess>((resolve) => {
          let err = '';
          w.stderr!.on('data', (d) => {
            err += d;
            if (err.includes('taking trials')) resolve(w);
          });
        }),
    ),
  );
}

async function stopWorkers(ws: ChildProcess[]) {
  await Promise.all(
    ws.map(
      (w) =>
        new Promise((r) => {
          w.once('exit', r);
          w.kill('SIGTERM');
        }),
    ),
  );
}

/**
 * Distributed studies: the queue's overhead per trial (1,000 trials of a ~1 ms M/M/1 replication on 2 worker
 * processes through a private redis-server vs 2 local worker threads; target ≤ 5 ms/trial), and the speed-up
 * of 2 worker processes over 1 on 64 trials of about 0.5 s (target ≥ 1.8× on 2 free cores).
 */
export async function queueBench(quick: boolean): Promise<void> {
  console.log('Distributed studies (Redis queue, BullMQ)');
  if (redisMissing) {
    console.log(`  skipped: ${redisMissing}\n`);
    return;
  }
  const redis = await TestRedis.start();
  try {
    const trials = quick ? 300 : 1000;
    const local = new PiscinaRunner(2);
    const l = await once(local, trials, 400).finally(() => local.close());
    const ws2 = await startWorkers(`${redis.url}/1`, 2);
    const q = await QueueRunner.open({ target: parseRedisUrl(`${redis.url}/1`), version: pkg.version });
    const r = await once(q, trials, 400).finally(() => q.close());
    await stopWorkers(ws2);
    const overheadMs = ((r.wall - l.wall) / trials) * 1000;
    printTable([
      ['1 config × N trials of M/M/1 (400 requests)', 'trials', 'wall s', 'ms/trial', 'same results'],
      ['local: 2 worker threads', String(trials), fmt(l.wall), fmt((l.wall / trials) * 1000), ''],
      [
        'queue: 2 worker processes',
        String(trials),
        fmt(r.wall),
        fmt((r.wall / trials) * 1000),
        r.text === l.text ? 'yes' : 'NO',
      ],
    ]);
    console.log(`  queue overhead per trial: ${fmt(overheadMs)} ms (target ≤ 5 ms)\n`);

    const long = quick ? 16 : 64;
    const speed: number[] = [];
    for (const n of [1, 2]) {
      const url = `${redis.url}/${1 + n}`;
      const w = await startWorkers(url, n);
      const qr = await QueueRunner.open({ target: parseRedisUrl(url), version: pkg.version });
      speed.push((await once(qr, long, 500_000).finally(() => qr.close())).wall);
      await stopWorkers(w);
    }
    printTable([
      ['N trials of M/M/1 (500,000 requests each)', 'trials', '1 worker s', '2 workers s', 'speed-up'],
      [
        'queue',
        String(long),
        fmt(speed[0]!),
        fmt(speed[1]!),
        `${fmt(speed[0]! / speed[1]!)}× (target ≥ 1.8× on 2 free cores)`,
      ],
    ]);
    console.log('');
  } finally {
    await redis.stop();
  }
}
