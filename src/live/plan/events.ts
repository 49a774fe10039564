import type { ResolvedEvent, ResolvedScenario } from '../../scenario/index.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import { type LinkConditions, UNSHAPED_MBPS, linkChangeCommands } from './network.js';
import { planPoolEvent } from './pool-event.js';
import type { PairRule, PlanEvent, PlanProcess } from './types.js';

/** What the events planner needs of the plan being built. */
interface EventContext {
  scenario: ResolvedScenario;
  processes: readonly PlanProcess[];
  rules: PairRule[];
  nftTable: string;
  durationS: number;
  warnings: string[];
}

/** The actions live mode applies on a testbed; the others are refused before anything is built. */
export const LIVE_EVENT_ACTIONS = [
  'stop',
  'restart',
  'link',
  'link-restore',
  'load',
  'scale',
  'pool',
] as const;

/**
 * The scenario's timed events as live actions, in time order: stopping or restarting the process or
 * container of one service instance, and changing the shaping of a network constraint (its commands
 * in both forms, netem and the fallback, computed here). Times are the simulator's — seconds from the
 * start of the run, warm-up included — scaled like the workload's profile when `--duration` changes the
 * length. A load step goes to the drivers of its workload, which apply it themselves (their spec's
 * `loadSteps`). A link cut refuses the pair's packets (nftables, both forms). A scale starts or drains
 * processes deployed for it (the plan deploys the most instances the events ask for; the drivers change
 * their balance themselves, `scaleSteps`). A pool resize goes to the service's reference engines. What a
 * testbed cannot do (a stop with a random recovery, a step of periodic arrivals, scaling a
 * container or a static balance, resizing a pool of anything but the reference engine) is a located error,
 * never ignored. Marks the pair rules an event gives a rate (the fallback classes them).
 * @throws LiveError `E2C_ERR_LIVE_PLAN`
 */
export function planEvents(ctx: EventContext): PlanEvent[] {
  const { scenario, durationS } = ctx;
  const events = scenario.events ?? [];
  const timeScale = scenario.run.duration ? durationS / scenario.run.duration : 1;
  // Each constraint's conditions as the events leave them, in time order (as the simulator applies them).
  const now = new Map<number, LinkConditions>();
  const out: PlanEvent[] = [];
  // Each scaled service's instance count as the events leave it (its quantity to begin with).
  const counts = new Map<string, number>();
  events.forEach((e, index) => {
    const where = `events: ${describe(e)}`;
    const offsetS = e.at * timeScale;
    if (offsetS >= durationS) {
      ctx.warnings.push(`${where}: at or after the end of the workload (${durationS} s): not applied`);
      return;
    }
    const base = { index, at: e.at, offsetS, label: describe(e) };
    switch (e.action) {
      case 'stop':
      case 'restart': {
        if (e.action === 'stop' && e.recovery !== undefined)
          throw new LiveError(
            LiveErrorCode.PLAN,
            `${where}: a stop with a random recovery is not applied in live mode: give a restart event at the time you want instead`,
            { event: index, field: 'recovery' },
          );
        const p = processOf(ctx.processes, e.service, e.instance, where, index);
        out.push({ ...base, action: e.action, service: e.service, instance: e.instance, process: p.id });
        return;
      }
      case 'load': {
        const w = scenario.services.find((x) => x.id === e.service)?.workload;
        // The live driver sends periodic arrivals at the written rate whatever the profile (app/driver.ts).
        if (w?.kind === 'open' && w.arrivals === 'periodic')
          throw new LiveError(
            LiveErrorCode.PLAN,
            `${where}: ${e.service} has periodic arrivals: the live driver does not vary their rate (no profile, no load step); use poisson arrivals or simulate this scenario`,
            { event: index, service: e.service },
          );
        const drivers = ctx.processes
          .filter((p) => p.kind === 'workload' && p.service === e.service)
          .map((p) => p.id);
        if (drivers.length === 0)
          ctx.warnings.push(`${where}: ${e.service} has no driver deployed: nothing to step`);
        out.push({ ...base, action: 'load', service: e.service, factor: e.factor, drivers });
        return;
      }
      case 'scale': {
        const svc = scenario.services.find((x) => x.id === e.service)!;
        const policy = svc.balance?.policy ?? 'static';
        if (policy === 'static')
          throw new LiveError(
            LiveErrorCode.PLAN,
            `${where}: ${e.service} has the static balance (each client keeps its instance): give it a balance policy to scale it live`,
            { event: index, service: e.service },
          );
        const from = counts.get(e.service) ?? svc.quantity;
        counts.set(e.service, e.instances);
        const procs = (lo: number, hi: number) => {
          const ids: string[] = [];
          for (let i = lo; i < hi; i++) {
            const p = processOf(ctx.processes, e.service, i, where, index);
            if (p.image)
              throw new LiveError(
                LiveErrorCode.PLAN,
                `${where}: ${e.service} runs as a container: scaling it is not applied in live mode (a command or the reference engine is)`,
                { event: index, service: e.service },
              );
            ids.push(p.id);
          }
          return ids;
        };
        const drivers = driversTargeting(scenario, ctx.processes, e.service);
        out.push({
          ...base,
          action: 'scale',
          service: e.service,
          instances: e.instances,
          start: procs(from, e.instances),
          stop: procs(e.instances, from).reverse(),
          drivers,
        });
        return;
      }
      case 'link':
      case 'link-restore': {
        const constraint = scenario.network.findIndex((c) => c.src === e.src && c.dst === e.dst);
        if (constraint < 0)
          throw new LiveError(LiveErrorCode.PLAN, `${where}: no network constraint ${e.src} → ${e.dst}`, {
            event: index,
          });
        const c = scenario.network[constraint]!;
        const cur = now.get(constraint) ?? c;
        // As the simulator: a cut keeps the conditions for after it; any other link event ends it.
        const cut = e.action === 'link' && e.cut === true;
        const next =
          e.action === 'link-restore'
            ? { delayMs: c.delayMs, rateMbps: c.rateMbps, lossPercent: c.lossPercent, cut }
            : {
                delayMs: e.delayMs ?? cur.delayMs,
                rateMbps: e.rateMbps ?? cur.rateMbps,
                lossPercent: e.lossPercent ?? cur.lossPercent,
                cut,
              };
        now.set(constraint, next);
        const pairs = ctx.rules.filter((r) => r.constraint === constraint);
        if (pairs.length === 0)
          ctx.warnings.push(
            `${where}: no deployed host pair is shaped by this constraint: nothing to change`,
          );
        const rate = next.rateMbps >= UNSHAPED_MBPS ? Infinity : next.rateMbps;
        // A pair that starts unshaped and gets a rate later needs its htb class from the start (fallback).
        if (Number.isFinite(rate)) for (const r of pairs) if (!Number.isFinite(r.rateMbps)) r.classed = true;
        out.push({
          ...base,
          action: e.action,
          constraint,
          link: `${e.src}->${e.dst}`,
          conditions: { delayMs: next.delayMs, rateMbps: rate, lossPercent: next.lossPercent, cut },
          commands: { netem: {}, fallback: { kernel: {} } },
        });
        return;
      }
      case 'pool':
        // Resized by the service's reference engines on request (plan/pool-event.ts).
        out.push(planPoolEvent(ctx.processes, e, base, where));
        return;
      default: {
        // Every action the schema has is handled above; an action added to it later lands here.
        const action = (e as { action: string }).action;
        throw new LiveError(
          LiveErrorCode.PLAN,
          `${where}: "${action}" events are not applied in live mode (it applies ${LIVE_EVENT_ACTIONS.join(', ')}); remove it or simulate this scenario`,
          { event: index, action },
        );
      }
    }
  });
  // Commands once every pair that ever gets a rate is known (class numbers depend on it).
  const conditions = new Map<number, LinkConditions>();
  for (const ev of out) {
    if (ev.action !== 'link' && ev.action !== 'link-restore') continue;
    const c = scenario.network[ev.constraint]!;
    const before = conditions.get(ev.constraint) ?? {
      delayMs: c.delayMs,
      rateMbps: c.rateMbps >= UNSHAPED_MBPS ? Infinity : c.rateMbps,
      lossPercent: c.lossPercent,
    };
    conditions.set(ev.constraint, ev.conditions);
    ev.commands = linkChangeCommands({
      rules: ctx.rules,
      conditions,
      constraint: ev.constraint,
      before,
      nftTable: ctx.nftTable,
    });
  }
  return out;
}

/** The driver processes of the workloads that send to `service` (they balance among its instances). */
export function driversTargeting(
  scenario: ResolvedScenario,
  processes: readonly PlanProcess[],
  service: string,
): string[] {
  return processes
    .filter(
      (p) =>
        p.kind === 'workload' &&
        scenario.services.find((x) => x.id === p.service)?.workload?.target === service,
    )
    .map((p) => p.id);
}

/** The process or container that runs instance `instance` of `service`, alone (stopping it stops only that instance). */
function processOf(
  processes: readonly PlanProcess[],
  service: string,
  instance: number,
  where: string,
  index: number,
): PlanProcess {
  const name = `${service}#${instance}`;
  const p = processes.find((x) => x.instances.includes(name));
  if (!p)
    throw new LiveError(LiveErrorCode.PLAN, `${where}: ${name} does not run live`, {
      event: index,
      service,
      instance,
    });
  if (p.kind === 'workload')
    throw new LiveError(
      LiveErrorCode.PLAN,
      `${where}: ${service} is a workload: stopping its driver is not applied in live mode`,
      { event: index, service },
    );
  if (p.instances.length > 1)
    throw new LiveError(
      LiveErrorCode.PLAN,
      `${where}: ${p.id} runs ${p.instances.join(', ')} in one process: it cannot stop one of them alone (give the service one host per instance)`,
      { event: index, service, instance },
    );
  return p;
}

function describe(e: ResolvedEvent): string {
  const at = `at ${e.at} s`;
  switch (e.action) {
    case 'stop':
    case 'restart':
      return `${e.action} ${e.service}#${e.instance} ${at}`;
    case 'link':
      return `link ${e.src} → ${e.dst} ${at} (${[
        e.delayMs !== undefined ? `delay ${e.delayMs} ms` : '',
        e.rateMbps !== undefined ? `rate ${e.rateMbps} Mbit/s` : '',
        e.lossPercent !== undefined ? `loss ${e.lossPercent}%` : '',
        e.cut === true ? 'cut' : '',
      ]
        .filter(Boolean)
        .join(', ')})`;
    case 'link-restore':
      return `link-restore ${e.src} → ${e.dst} ${at}`;
    case 'load':
      return `load ${e.service} ×${e.factor} ${at}`;
    case 'scale':
      return `scale ${e.service} to ${e.instances} ${at}`;
    default:
      return `${e.action} ${'service' in e ? e.service : ''} ${at}`.replace('  ', ' ');
  }
}
