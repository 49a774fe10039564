import { SingleBar } from 'cli-progress';

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
        bar = new SingleBar({
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
