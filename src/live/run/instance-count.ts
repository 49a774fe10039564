import type { PlanProcess } from '../plan/types.js';
import { startProcess } from './services.js';
import { nowS, sleep, type RunState } from './state.js';

// The number of instances of a scaled service in live mode, as the simulator's InstanceSet.scaleTo
// keeps it: the lowest instance indexes serve, new instances start on the lowest free ones and extra
// ones leave from the highest. One function for a timed `scale` event, the reset between repetitions
// and the autoscaler, so that they start and drain processes alike.

/** How the removed instances leave. */
export interface DrainOptions {
  /**
   * Seconds before their SIGTERM: requests the drivers sent just before they took the instances out
   * of their balance arrive first. 0 between repetitions (no traffic).
   */
  graceS: number;
  /** Milliseconds between a removed process's SIGTERM and its SIGKILL. */
  limitMs: number;
}

/** What a change of the instance count did. */
export interface CountChange {
  /** Processes started (each waited for until ready), lowest instance first. */
  started: string[];
  /** Processes drained and gone, highest instance first. */
  stopped: string[];
  /** One line per process: `… started (pid N), ready`, `… drained (SIGTERM, gone after X s)`. */
  how: string[];
}

/** The service's processes by instance index (one instance each: the plan refuses the others for a scaled service). */
export function scaledProcesses(s: RunState, service: string): PlanProcess[] {
  const index = (p: PlanProcess) => Number(p.instances[0]!.slice(p.instances[0]!.lastIndexOf('#') + 1));
  return s.plan.processes
    .filter((p) => p.service === service && p.kind === 'service')
    .sort((a, b) => index(a) - index(b));
}

/**
 * Sets the instances of `service` up to `n`: the dormant processes of the `n` lowest indexes started
 * together (each waited for until ready), the running ones above drained at once (after
 * `drain.graceS`, SIGTERM — the reference engine stops accepting, answers what it has and exits —
 * then SIGKILL after `drain.limitMs`). A process a timed `stop` stopped is left to its `restart`.
 * Resolves when every new process is ready and every removed one has exited.
 */
export async function setInstanceCount(
  s: RunState,
  service: string,
  n: number,
  drain: DrainOptions,
): Promise<CountChange> {
  const procs = scaledProcesses(s, service);
  const start = procs.slice(0, n).filter((p) => s.dormant.has(p.id));
  const stop = procs
    .slice(n)
    .reverse()
    .filter((p) => !s.dormant.has(p.id) && s.running.some((r) => r.proc.id === p.id));
  const out: CountChange = { started: [], stopped: [], how: [] };
  const started = Promise.all(
    start.map(async (p) => {
      const r = await startProcess(s, p);
      s.dormant.delete(p.id);
      out.started.push(p.id);
      out.how.push(`${p.id} started (pid ${r.pid}), ready`);
    }),
  );
  const drained = (async () => {
    if (stop.length === 0) return;
    if (drain.graceS > 0) await s.guard(sleep(drain.graceS * 1000));
    await Promise.all(
      stop.map(async (p) => {
        const r = s.running.find((x) => x.proc.id === p.id);
        if (!r || s.dormant.has(p.id)) return;
        // Marked first: the drive loop's watch must not take the exit for a crash.
        s.dormant.add(p.id);
        const t = nowS();
        await s.guard(r.host.stop(r.pid!, drain.limitMs));
        s.running.splice(s.running.indexOf(r), 1);
        out.stopped.push(p.id);
        out.how.push(`${p.id} drained (SIGTERM, gone after ${(nowS() - t).toFixed(1)} s)`);
      }),
    );
  })();
  await Promise.all([started, drained]);
  const order = (ids: string[]) =>
    ids.sort((a, b) => procs.findIndex((p) => p.id === a) - procs.findIndex((p) => p.id === b));
  order(out.started);
  order(out.stopped).reverse();
  return out;
}

/**
 * The drain limit of a service's removed instances: the longest patience of the workloads that target
 * it (their requests are given up by then anyway), at least 1 s, at most 30 s.
 */
export function drainLimitMs(s: RunState, service: string): number {
  const patience = s.input.scenario.services
    .filter((x) => x.workload?.target === service)
    .map((x) => x.workload!.patienceS ?? 30);
  return Math.min(30, Math.max(1, ...patience)) * 1000;
}
