import type { ResolvedEvent } from '../../scenario/index.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import type { PlanProcess, PlanPoolEvent } from './types.js';

type PoolEvent = Extract<ResolvedEvent, { action: 'pool' }>;

/**
 * Whether a process runs the reference engine (`e2ctwin engine`, by its argv or a shell command that
 * starts with it): the only live process whose pools can be resized on request (its `POST /pools`).
 */
export function runsEngine(p: PlanProcess): boolean {
  if (p.image || p.kind !== 'service' || !p.port) return false;
  const [a, b, c] = p.argv;
  const isE2c = (x: string | undefined) => x !== undefined && /(^|\/)e2ctwin$/.test(x);
  if (isE2c(a) && b === 'engine') return true;
  return a === 'sh' && b === '-c' && /^\s*(exec\s+)?(\S*\/)?e2ctwin\s+engine(\s|$)/.test(c ?? '');
}

/**
 * A `pool` event as a live action: the new size sent to every engine process of the service (the
 * simulator resizes the pool on every instance). A service that runs as a container or a command other
 * than the engine cannot resize a pool: a located error.
 * @throws LiveError `E2C_ERR_LIVE_PLAN`
 */
export function planPoolEvent(
  processes: readonly PlanProcess[],
  e: PoolEvent,
  base: Pick<PlanPoolEvent, 'index' | 'at' | 'offsetS'>,
  where: string,
): PlanPoolEvent {
  const own = processes.filter((p) => p.service === e.service && p.kind === 'service');
  if (own.length === 0)
    throw new LiveError(LiveErrorCode.PLAN, `${where}: ${e.service} does not run live`, {
      event: base.index,
      service: e.service,
    });
  const other = own.find((p) => !runsEngine(p));
  if (other)
    throw new LiveError(
      LiveErrorCode.PLAN,
      `${where}: ${other.id} ${other.image ? `runs the container image ${other.image}` : 'is not the reference engine (its live command is not `e2ctwin engine`)'}: only the engine resizes a pool at run time; remove the event, serve the service with e2ctwin engine or simulate this scenario`,
      { event: base.index, service: e.service, field: 'live' },
    );
  return {
    ...base,
    label: `pool ${e.service} ${e.pool} → ${e.size} at ${e.at} s`,
    action: 'pool',
    service: e.service,
    pool: e.pool,
    size: e.size,
    processes: own.map((p) => p.id),
  };
}
