import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';

// cli-progress (and node:readline behind it) is loaded when a bar is first drawn, not with the command: most
// runs draw none (not a terminal, --json in a script, or done within half a second), and loading it was a
// few milliseconds of every `simulate`. A require, not an import(): the bar is drawn from inside synchronous
// simulation loops, where a promise would not settle.
const loadCliProgress = (): typeof import('cli-progress') =>
  createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');

/**
 * A progress bar on stderr for long work, shown only on a terminal and only once the work has taken a
 * moment (short runs print nothing). Returns an update function and a stop function.
 */
export function progressBar(
  label: string,
  enabled = process.stderr.isTTY === true,
): { update: (fraction: number) => void; stop: () => void } {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const started = Date.now();
  let bar: SingleBar | undefined;
  return {
    update(fraction) {
      if (!bar) {
        if (Date.now() - started < 500) return;
        bar = new (loadCliProgress().SingleBar)({
          format: `${label} [{bar}] {percentage}% | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          barsize: 30,
        });
        bar.start(1000, 0);
      }
      bar.update(Math.round(fraction * 1000));
    },
    stop() {
      bar?.stop();
    },
  };
}
