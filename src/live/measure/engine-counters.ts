import type { EngineSnapshot } from '../app/engine.js';

/**
 * An engine's snapshots made cumulative across restarts: a restarted engine counts from zero again, so
 * each incarnation's counters (pool integrals and counts, requests, CPU time) get the previous ones'
 * last values added. `restarts` are run-clock times between two incarnations (a timed `restart`'s
 * scheduled time: the old process was stopped before it, the new one starts after it). The time an
 * instance was down adds nothing to its busy time.
 */
export function continueCounters(
  snaps: readonly EngineSnapshot[],
  restarts: readonly number[],
): EngineSnapshot[] {
  if (restarts.length === 0) return [...snaps];
  const cuts = [...restarts].sort((a, b) => a - b);
  const out: EngineSnapshot[] = [];
  let offset: EngineSnapshot | undefined;
  let last: EngineSnapshot | undefined;
  let cut = 0;
  for (const sn of snaps) {
    let crossed = false;
    while (cut < cuts.length && sn.t > cuts[cut]!) {
      cut++;
      crossed = true;
    }
    if (crossed && last) offset = last;
    const o = offset;
    const x: EngineSnapshot = !o
      ? sn
      : {
          ...sn,
          completed: sn.completed + o.completed,
          rejected: sn.rejected + o.rejected,
          responseTimeSum: sn.responseTimeSum + o.responseTimeSum,
          cpuUserUs: sn.cpuUserUs + o.cpuUserUs,
          cpuSystemUs: sn.cpuSystemUs + o.cpuSystemUs,
          pools: Object.fromEntries(
            Object.entries(sn.pools).map(([k, p]) => {
              const q = o.pools[k];
              return [
                k,
                q
                  ? {
                      ...p,
                      busyIntegral: p.busyIntegral + q.busyIntegral,
                      queueIntegral: p.queueIntegral + q.queueIntegral,
                      granted: p.granted + q.granted,
                      waited: p.waited + q.waited,
                      rejected: p.rejected + q.rejected,
                    }
                  : p,
              ];
            }),
          ),
        };
    out.push(x);
    last = x;
  }
  return out;
}
