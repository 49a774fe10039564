import { LiveError, LiveErrorCode } from '../errors.js';
import type { PlanPoolEvent } from '../plan/types.js';
import { askHost } from './host-http.js';
import type { RunState } from './state.js';

// Timed `pool` events in live mode: the new size sent to each reference engine of the service
// (`POST /pools` {pool, size}, app/engine.ts), which resizes its pool as the simulator's Pool.resize
// does. The sizes set are kept per process: an engine restarted by a later event starts with the
// scenario's sizes and gets them again (the simulator's new incarnations take the resized size), and
// between repetitions every changed pool goes back to the scenario's size.

/** What applying a pool event did. */
export interface PoolOutcome {
  how?: string;
  note?: string;
}

/** Applies a pool event: each running engine of the service resized; a stopped one gets it at its restart. */
export async function resizePools(s: RunState, ev: PlanPoolEvent): Promise<PoolOutcome> {
  const done: string[] = [];
  const later: string[] = [];
  await Promise.all(
    ev.processes.map(async (id) => {
      const sizes = s.poolSizes.get(id) ?? new Map<string, number>();
      sizes.set(ev.pool, ev.size);
      s.poolSizes.set(id, sizes);
      if (s.stopped.has(id)) {
        later.push(id);
        return;
      }
      await postPoolSize(s, id, ev.pool, ev.size);
      done.push(id);
    }),
  );
  const when = later.length > 0 ? `; ${later.join(', ')} stopped: resized when restarted` : '';
  if (done.length === 0) return { note: `${later.join(', ')} stopped: resized when restarted` };
  return { how: `POST /pools to ${done.sort().join(', ')}${when}` };
}

/** After a restart of process `id`: the sizes events gave its pools, again. */
export async function reapplyPoolSizes(s: RunState, id: string): Promise<void> {
  for (const [pool, size] of s.poolSizes.get(id) ?? []) await postPoolSize(s, id, pool, size);
}

/** Between repetitions: every pool an event resized back to the scenario's size (returns how many). */
export async function resetPoolSizes(s: RunState): Promise<number> {
  let n = 0;
  for (const [id, sizes] of s.poolSizes) {
    const p = s.plan.processes.find((x) => x.id === id)!;
    const app = s.input.scenario.services.find((x) => x.id === p.service)!.app!;
    for (const pool of sizes.keys()) {
      await postPoolSize(s, id, pool, app.pools[pool]!.size);
      n++;
    }
  }
  s.poolSizes.clear();
  return n;
}

/** `POST /pools` {pool, size} to the engine of process `id`, through its host (the testbed address). */
async function postPoolSize(s: RunState, id: string, pool: string, size: number): Promise<void> {
  const r = s.running.find((x) => x.proc.id === id);
  if (!r?.proc.port) throw new LiveError(LiveErrorCode.SERVICE, `${id} is not running`);
  const { status, body } = await askHost(s, {
    host: r.host,
    port: r.proc.port,
    method: 'POST',
    path: '/pools',
    body: JSON.stringify({ pool, size }),
  });
  if (status !== 200)
    throw new LiveError(
      LiveErrorCode.SERVICE,
      `${id}: POST /pools {pool: ${pool}, size: ${size}} answered ${status} ${body.slice(0, 200)}`,
      { service: r.proc.service, host: r.proc.host },
    );
}
