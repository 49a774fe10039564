// The progress of an exploration study on the terminal: a bar over trials (done/total, ETA, the queue's
// workers) on a terminal, a progress line off one.
import { SingleBar } from 'cli-progress';
import { etaMs, type ProgressCounts } from '../../explore/study-progress.js';

export interface Progress {
  /** Adds planned trials to the bar's total. */
  plan(trials: number): void;
  stop(): void;
}

/** What a queue study's progress shows: trials done of planned, the workers taking them, the time left. */
export type QueueProgress = ProgressCounts;

/** `trial 12/64 · 3 workers · ETA 40 s`: the ETA from the rate of the trials simulated so far. */
export function queueProgressLine(p: QueueProgress): string {
  const ms = etaMs(p);
  const eta = ms === undefined ? '–' : seconds(ms);
  return `trial ${p.done}/${p.total} · ${p.workers} worker${p.workers === 1 ? '' : 's'} · ETA ${eta}`;
}

const seconds = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
};

/** How often a queue study off a terminal prints its progress line when nothing else changed. */
const QUEUE_LINE_EVERY_MS = 10_000;

/**
 * A progress bar over trials (done/total, ETA) on stderr, on a terminal only. With `workers` (a queue
 * backend), the bar also shows the workers taking trials, looked up every second; off a terminal, a line
 * (`trial 12/64 · 3 workers · ETA 40 s`) is printed when the workers' count changes and every 10 s.
 */
export function progressBar(
  label: string,
  o: { enabled: boolean; tty: boolean; workers?: () => number },
): Progress & {
  tick: (resumed: boolean) => void;
  counts: () => { done: number; total: number; reused: number };
} {
  const { enabled, tty, workers } = o;
  let total = 0,
    done = 0,
    reused = 0;
  let bar: SingleBar | undefined;
  const started = Date.now();
  let lastWorkers = -1,
    lastLine = 0;
  const state = (): QueueProgress => ({
    done,
    total: Math.max(total, done),
    reused,
    workers: workers?.() ?? 0,
    elapsedMs: Date.now() - started,
  });
  const workersText = (n: number) => ` · ${n} worker${n === 1 ? '' : 's'}`;
  /** The queue's side: a changed workers' count is shown at once (bar) or printed (a line off a terminal). */
  const look = () => {
    if (!workers || !enabled) return;
    const p = state();
    if (tty) {
      bar?.update(done, { workers: workersText(p.workers) });
      return;
    }
    if (p.workers !== lastWorkers || Date.now() - lastLine >= QUEUE_LINE_EVERY_MS) {
      lastWorkers = p.workers;
      lastLine = Date.now();
      process.stderr.write(`${queueProgressLine(p)}\n`);
    }
  };
  const timer = workers && enabled ? setInterval(look, 1000) : undefined;
  timer?.unref();
  return {
    counts: () => ({ done, total: Math.max(total, done), reused }),
    plan(n) {
      total += n;
      bar?.setTotal(total);
    },
    tick(wasReused) {
      done++;
      if (wasReused) reused++;
      if (!enabled || !tty) return;
      if (!bar) {
        if (Date.now() - started < 300) return;
        bar = new SingleBar({
          format: `${label} [{bar}] {percentage}% | {value}/{total} trials{reused}{workers} | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          barsize: 30,
          etaBuffer: 50,
        });
        bar.start(Math.max(total, done), done, { reused: '', workers: '' });
      }
      if (done > total) {
        total = done;
        bar.setTotal(total);
      }
      bar.update(done, {
        reused: reused > 0 ? ` (${reused} resumed)` : '',
        workers: workers ? workersText(workers()) : '',
      });
    },
    stop() {
      clearInterval(timer);
      bar?.stop();
    },
  };
}
