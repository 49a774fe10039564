/**
 * The convoy cost of an interpreter lock shared by the threads of a worker process (CPython's GIL; an app's
 * `interpreterLock`). A thread that gave the lock up — a blocking socket call, C code such as Pillow's that
 * releases it — and wants it back while another thread of its process runs Python cannot take it at once:
 * it waits the switch interval, after which the holder is made to drop it (sys.getswitchinterval(), 5 ms).
 * So each take-back (a stage's `lockReacquires`) costs a switch interval whenever the lock is held by
 * another thread of the process, which makes I/O-bound and C-bound steps of a request slower beside
 * CPU-bound Python threads than processor sharing predicts (apps/image-service/gil_probe.py measures it).
 *
 * With requests bound to processes (binding threaded, several threads per process: gunicorn's gthread
 * workers) each process has its own lock and threads ({@link processPools}), and the wait is the switch
 * intervals when the lock of the request's process is held as the stage starts. Otherwise the instance has
 * one pool of locks (one slot per process) and whether the thread's own process holds its lock is not
 * known: the wait is its expectation, the switch intervals times the chance that the lock of the thread's
 * process is held by another of its threads, given how many locks are held now ({@link lockHeldChance}).
 */
import type { Env } from '../kernel/index.js';
import { Pool } from '../resources/index.js';
import type { CompiledApp } from './compiled-app.js';

/**
 * The chance that the lock of a thread's process is held by another thread of that process, when `held` of
 * the `processes` locks are held and each process has `threadsPerProcess` threads, the asking thread not
 * holding one. The holders are taken as threads drawn one by one uniformly among the threads of the
 * processes whose lock is still free (a process holds one lock at most): the k-th misses the asking thread's
 * process with chance (W−1−k)·T ÷ ((W−1−k)·T + T−1). With one thread per process (T = 1) it is 0; with one
 * process, 1 whenever its lock is held.
 */
export function lockHeldChance(held: number, processes: number, threadsPerProcess: number): number {
  const others = threadsPerProcess - 1; // the other threads of the asking thread's process
  if (held <= 0 || others <= 0) return 0;
  let free = 1; // the chance that none of the holders so far is in the asking thread's process
  for (let k = 0; k < held; k++) {
    const elsewhere = (processes - 1 - k) * threadsPerProcess;
    if (elsewhere <= 0) return 1;
    free *= elsewhere / (elsewhere + others);
  }
  return 1 - free;
}

/** The expected convoy wait of a stage: `takeBacksS` (its lock take-backs × the switch interval) × the chance. */
export function convoyWaitS(
  takeBacksS: number,
  held: number,
  processes: number,
  threadsPerProcess: number,
): number {
  return takeBacksS * lockHeldChance(held, processes, threadsPerProcess);
}

/**
 * The pools of each worker process when requests are bound to processes (app.processDraw): per process, the
 * lock (1 slot) and its share of the request threads, indexed like the app's pools (null for the others);
 * null when requests are not bound. A bound request first waits for its process's slot, then takes one of
 * the instance's pool, whose size is at least the processes' total, so that it grants at once and keeps the
 * instance's pool statistics (busy threads; its queue stays empty: the waiting is in the processes).
 * The processes keep the sizes the instance started with: a timed resize of the pools changes only the
 * instance's pools.
 */
export function processPools(env: Env, app: CompiledApp, name: string): (Pool | null)[][] | null {
  if (app.processDraw === null) return null;
  return Array.from({ length: app.processes }, (_, p) =>
    app.poolNames.map((pool, i) => {
      const size = i === app.lockPool ? 1 : i === app.lockThreadsPool ? app.threadsPerProcess : 0;
      return size > 0 ? new Pool(env, { size, name: `${name}/${pool}@${p}` }) : null;
    }),
  );
}
