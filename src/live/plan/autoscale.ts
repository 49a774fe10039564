import type { ResolvedScenario } from '../../scenario/index.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import { driversTargeting } from './events.js';
import { runsEngine } from './pool-event.js';
import type { PlanAutoscaler, PlanProcess } from './types.js';

/** What the autoscaler planner needs of the plan being built. */
interface AutoscaleContext {
  scenario: ResolvedScenario;
  processes: readonly PlanProcess[];
  durationS: number;
  /** The port of each driver's control route (its image server). */
  driverPort: number;
  warnings: string[];
}

/**
 * The scenario's autoscalers as live controllers: each autoscaled service deploys `max` instances (one
 * process each, on its own host; those above its quantity dormant, as for `scale` events), and the
 * controller (run/autoscale.ts) reads the engines' `/stats` every window, decides with the simulator's
 * function and starts or drains processes, telling the drivers of the workloads that target the service
 * the new count. Windows and cool-downs are scaled like the events when `--duration` changes the run's
 * length. What a testbed cannot do is a located error: a p95 metric (the engine's counters have no
 * response-time distribution), the static balance, a service that does not run the reference engine
 * (only it answers `/stats`: a container or another command), several instances in one process, and
 * timed stop, restart or scale events on the autoscaled service (the controller owns its instances).
 * @throws LiveError `E2C_ERR_LIVE_PLAN`
 */
export function planAutoscalers(ctx: AutoscaleContext): PlanAutoscaler[] {
  const { scenario } = ctx;
  const timeScale = scenario.run.duration ? ctx.durationS / scenario.run.duration : 1;
  const out: PlanAutoscaler[] = [];
  for (const svc of scenario.services) {
    const a = svc.autoscale;
    if (!a) continue;
    const where = `${svc.id}: autoscale`;
    const refuse = (why: string, field = 'autoscale'): never => {
      throw new LiveError(LiveErrorCode.PLAN, `${where}: ${why}`, { service: svc.id, field });
    };
    if (a.metric === 'p95')
      refuse(
        'metric p95 is not measured live (the engine counts busy and waiting threads, not a response-time distribution): track utilization or queue, or simulate this scenario',
        'autoscale.metric',
      );
    if ((svc.balance?.policy ?? 'static') === 'static')
      refuse(
        `${svc.id} has the static balance (each client keeps its instance): give it a balance policy to autoscale it live`,
        'balance',
      );
    const own = ctx.processes.filter((p) => p.service === svc.id && p.kind === 'service');
    for (const p of own) {
      if (p.image)
        refuse(
          `${p.id} runs the container image ${p.image}: autoscaling is applied live to processes of the reference engine (e2ctwin engine), not to containers`,
          'live',
        );
      if (!runsEngine(p))
        refuse(
          `${p.id} is not the reference engine (its live command is not \`e2ctwin engine\`): the autoscaler reads the engine's /stats; serve the service with e2ctwin engine or simulate this scenario`,
          'live',
        );
      if (p.instances.length > 1)
        refuse(
          `${p.id} runs ${p.instances.join(', ')} in one process: each instance needs its own host to be started and drained alone`,
          'live',
        );
    }
    const index = (p: PlanProcess) => Number(p.instances[0]!.slice(p.instances[0]!.lastIndexOf('#') + 1));
    const processes = [...own].sort((x, y) => index(x) - index(y)).map((p) => p.id);
    if (processes.length < a.max)
      refuse(`${processes.length} of its ${a.max} instances are deployed`, 'autoscale.max');
    (scenario.events ?? []).forEach((e, i) => {
      if ((e.action === 'stop' || e.action === 'restart' || e.action === 'scale') && e.service === svc.id)
        throw new LiveError(
          LiveErrorCode.PLAN,
          `events: ${e.action} ${svc.id} at ${e.at} s: the service is autoscaled, and live mode lets its autoscaler alone start and stop its instances; remove the event or simulate this scenario`,
          { event: i, service: svc.id },
        );
    });
    const startup = a.startupS;
    if (!(typeof startup === 'number' && startup === 0))
      ctx.warnings.push(
        `${where}: startupS is the simulator's cold start; live, a new instance serves once its process is ready (its own start-up)`,
      );
    const drivers = driversTargeting(scenario, ctx.processes, svc.id);
    out.push({
      service: svc.id,
      metric: a.metric === 'queue' ? 'queue' : 'utilization',
      pool: a.pool ?? Object.keys(svc.app!.pools)[0]!,
      target: a.target,
      min: a.min,
      max: a.max,
      windowS: a.windowS * timeScale,
      cooldownS: a.cooldownS * timeScale,
      ...(a.scaleInCooldownS !== undefined ? { scaleInCooldownS: a.scaleInCooldownS * timeScale } : {}),
      quantity: svc.quantity,
      processes,
      drivers,
      driverPort: ctx.driverPort,
    });
  }
  return out;
}
