import type { ResolvedEvent, ResolvedScenario } from '../scenario/index.js';
import { Autoscaler } from './autoscaler.js';
import { constraintIndex } from './network.js';
import { type Multiplier, withSteps } from './profile.js';
import type { Simulation } from './simulation.js';

/** A timed event on its way (a kernel event's argument). */
class Pending {
  constructor(
    readonly sim: Simulation,
    readonly event: ResolvedEvent,
  ) {}
}

/**
 * Schedules the scenario's timed events and starts its autoscalers. Load steps are not applied here: they
 * are part of their workload's rate multiplier from the start ({@link withLoadSteps}), known in advance,
 * so arrivals stay exact (thinning at the highest rate); their time only gets a marker.
 */
export function startDynamics(sim: Simulation): void {
  for (const e of sim.scenario.events ?? []) sim.env.scheduleAt(e.at, applyEvent, new Pending(sim, e));
  for (const [id, set] of sim.instances) {
    const spec = sim.scenario.services.find((s) => s.id === id)!.autoscale;
    if (spec) new Autoscaler(sim, set, spec).start();
  }
}

function applyEvent({ sim, event: e }: Pending): void {
  const now = sim.env.now;
  if (e.action === 'load') {
    sim.marker({ t: now, kind: 'load', service: e.service, value: e.factor });
    return;
  }
  if (e.action === 'link' || e.action === 'link-restore') {
    const index = constraintIndex(sim.scenario, e.src, e.dst);
    const cut = e.action === 'link' && e.cut === true;
    sim.marker({ t: now, kind: cut ? 'link-cut' : e.action, service: `${e.src}->${e.dst}` });
    if (cut) {
      sim.network.setCut(index, true);
      return;
    }
    if (sim.network.cuts) sim.network.setCut(index, false);
    const { delayMs, rateMbps, lossPercent } = e.action === 'link' ? e : {};
    sim.network.setConditions(
      index,
      e.action === 'link-restore'
        ? null
        : {
            ...(delayMs !== undefined ? { delayMs } : {}),
            ...(rateMbps !== undefined ? { rateMbps } : {}),
            ...(lossPercent !== undefined ? { lossPercent } : {}),
          },
    );
    return;
  }
  const set = sim.instances.get(e.service)!;
  switch (e.action) {
    case 'stop':
      set.stop(
        e.instance,
        e.recovery !== undefined
          ? sim.streams.law(e.recovery, `recovery:${e.service}#${e.instance}`)
          : undefined,
      );
      return;
    case 'restart':
      set.restart(e.instance);
      return;
    case 'scale':
      sim.marker({ t: now, kind: 'scale', service: e.service, value: e.instances });
      set.scaleTo(e.instances, undefined);
      return;
    case 'pool': {
      const pool = Object.keys(set.service.app!.pools).indexOf(e.pool);
      sim.marker({ t: now, kind: 'pool', service: e.service, value: e.size });
      set.resizePool(pool, e.size);
      return;
    }
  }
}

/**
 * A workload's multiplier with the scenario's load steps for `serviceId` on top: from each step's time on,
 * the profile's value times its factor. Unchanged when there are none.
 */
export function withLoadSteps(m: Multiplier, scenario: ResolvedScenario, serviceId: string): Multiplier {
  const steps = (scenario.events ?? []).flatMap((e) =>
    e.action === 'load' && e.service === serviceId ? [[e.at, e.factor] as const] : [],
  );
  return withSteps(m, steps);
}
