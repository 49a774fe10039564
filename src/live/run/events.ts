import { LiveError, LiveErrorCode } from '../errors.js';
import { type LinkConditions, linkChangeCommands, UNSHAPED_MBPS } from '../plan/network.js';
import type { HostCommands, LinkChangeCommands, PlanEvent } from '../plan/types.js';
import { hostScript } from './host-script.js';
import { correctedDelays, journalNetworkUndo, withAddresses } from './apply-network.js';
import { reapplyPoolSizes, resetPoolSizes, resizePools } from './pool-events.js';
import { drainLimitMs, setInstanceCount } from './instance-count.js';
import { isAlive, startProcess, waitReady } from './services.js';
import { nowS, sleep, type RunState } from './state.js';
import type { AppliedEvent } from './types.js';

// The scenario's timed events in live mode: during each repetition, each one at the repetition's
// workload start + its offset, applied on the testbed (a process or container stopped or started, a
// constraint's shaping changed in the form the run applied: netem, or htb + nftables + the userspace
// switch), its scheduled and applied times recorded. A failure fails the run (cleanup as always).

/** A repetition's events on their way: `check()` throws the scheduler's failure, `stop()` cancels and waits. */
export interface EventSchedule {
  check(): void;
  /** Waits for the schedule's end (rethrows its failure). */
  finish(): Promise<void>;
  /** Cancels what has not started and waits for what has. */
  stop(): Promise<void>;
}

/**
 * Starts applying the plan's events for repetition `rep` (1-based) whose workload starts at `startAtMs`.
 * Each event starts at its time, whatever an earlier one still does: a restart waits for its process to
 * be ready (seconds on a loaded machine), and a link change due meanwhile must not wait for it. Events on
 * the same thing run in order, one after the other: those of one process (a stop after a restart), and
 * the link changes (they rewrite the same hosts' shaping).
 */
export function scheduleEvents(s: RunState, rep: number, startAtMs: number): EventSchedule {
  let cancelled = false;
  let failure: Error | undefined;
  const chains = new Map<string, Promise<void>>();
  const pending: Promise<void>[] = [];
  const apply = async (ev: PlanEvent, due: number): Promise<void> => {
    if (cancelled || failure) return;
    const startedS = nowS() - s.t0;
    const { note, how, inPlaceS } = await applyEvent(s, ev).catch((e: Error) => {
      if ((e as LiveError).code === LiveErrorCode.INTERRUPTED) throw e;
      throw new LiveError(LiveErrorCode.COMMAND, `events: ${ev.label}: ${e.message}`, {
        event: ev.index,
      });
    });
    const appliedS = (inPlaceS ?? nowS()) - s.t0;
    const scheduledS = due / 1000 - s.t0;
    const rec: AppliedEvent = {
      index: ev.index,
      action: ev.action,
      label: ev.label,
      repetition: rep,
      scheduledS,
      startedS,
      appliedS,
      lateS: appliedS - scheduledS,
      ...(how ? { how } : {}),
      ...(note ? { note } : {}),
    };
    // Kept in the plan's order (one may finish before an earlier one that waits for a process).
    s.appliedEvents.push(rec);
    s.appliedEvents.sort((a, b) => a.repetition - b.repetition || a.index - b.index);
    // When applying began, too: a late event says whether its timer fired late or its commands took long.
    const ms = (x: number) => `${x >= 0 ? '+' : ''}${(x * 1000).toFixed(0)} ms`;
    s.log(
      `event ${ev.label}: applied ${ms(rec.lateS)} from its time, begun ${ms(startedS - scheduledS)}${how ? ` (${how})` : ''}${note ? ` (${note})` : ''}`,
    );
  };
  const run = (async () => {
    // Load steps are the drivers' own (they apply them at their time): nothing to do here.
    for (const ev of s.plan.events) {
      if (ev.action === 'load') continue;
      const due = startAtMs + ev.offsetS * 1000;
      for (let left = due - Date.now(); left > 0; left = due - Date.now()) {
        if (cancelled || failure) return;
        await s.guard(sleep(Math.min(100, left)));
      }
      if (cancelled || failure) return;
      // A pool event waits for every process it resizes (a restart under way gets its sizes once ready).
      const keys =
        'commands' in ev
          ? ['network']
          : 'processes' in ev
            ? ev.processes
            : ev.action === 'scale'
              ? [`scale ${ev.service}`]
              : [ev.process];
      const next = Promise.all(keys.map((k) => chains.get(k))).then(() => apply(ev, due));
      for (const k of keys)
        chains.set(
          k,
          next.catch(() => {}),
        );
      pending.push(
        next.catch((e: Error) => {
          failure ??= e;
        }),
      );
    }
  })()
    .catch((e: Error) => {
      failure ??= e;
    })
    .then(() => Promise.all(pending))
    .then(() => {});
  return {
    check() {
      if (failure) throw failure;
    },
    async finish() {
      await run;
      if (failure) throw failure;
    },
    async stop() {
      cancelled = true;
      await run;
    },
  };
}

/** What applying an event did: `how` for a process or container, `note` when it changed nothing. */
interface Outcome {
  how?: string;
  note?: string;
  /** When the change was in place, if before the end of applying it (a container's process killed, then its engine's bookkeeping awaited). */
  inPlaceS?: number;
}

/** Applies one event. */
async function applyEvent(s: RunState, ev: PlanEvent): Promise<Outcome> {
  if ('commands' in ev) {
    const note = await changeLink(s, ev.commands);
    return note ? { note } : {};
  }
  if (ev.action === 'load') return { note: 'applied by the drivers' };
  if (ev.action === 'scale') return scaleService(s, ev);
  if (ev.action === 'pool') return resizePools(s, ev);
  return ev.action === 'stop' ? stopInstance(s, ev.process) : restartInstance(s, ev.process);
}

/** Seconds between a scale-in and the SIGTERM of the drained processes: requests the drivers sent just before it arrive. */
export const DRAIN_GRACE_S = 1;

/**
 * Scales a service (setInstanceCount). New instances: their processes started together, each waited for
 * until ready (the drivers probe them from the event's time and send once they answer). Removed ones:
 * the drivers take them out of their balance at the event's time, on their own clocks; after
 * {@link DRAIN_GRACE_S}, each process gets SIGTERM and SIGKILL after the drain limit. Applied when every
 * new instance is ready and every removed one has exited.
 */
async function scaleService(s: RunState, ev: Extract<PlanEvent, { action: 'scale' }>): Promise<Outcome> {
  const { how } = await setInstanceCount(s, ev.service, ev.instances, {
    graceS: DRAIN_GRACE_S,
    limitMs: drainLimitMs(s, ev.service),
  });
  return how.length > 0 ? { how: how.join('; ') } : { note: 'nothing to change' };
}

/**
 * Stops a process or container at once, as a crash (the simulator's `stop` is a failure: the requests in
 * progress fail): SIGKILL to the process group, or to the container's first process (the container is kept,
 * for its logs and a restart; `docker kill` when it has none running). The process's spans and counters not yet written are lost; the clients' request spans are not.
 */
async function stopInstance(s: RunState, id: string): Promise<Outcome> {
  if (s.stopped.has(id)) return { note: 'already stopped' };
  const r = s.running.find((x) => x.proc.id === id);
  if (!r) throw new LiveError(LiveErrorCode.SERVICE, `${id} is not running`);
  // Marked first: the drive loop's watch must not take the stop for a crash.
  s.stopped.set(id, r);
  if (r.container) {
    const short = r.container.slice(0, 12);
    // The container's first process killed on its host, as a process service's is: `docker kill` goes
    // through dockerd, containerd and its shim and returns once they have seen the exit — 0.2 s on a quiet
    // machine, 1.3 s on a loaded one, where the service stopped answering at the kill. The engine's
    // bookkeeping is still awaited (a restart must find the container stopped) but not counted as the stop.
    // Its process id is asked now (dockerd answers from memory), not kept from its start: a container
    // that ended by itself leaves a number the system may have given to another process since.
    const pid = await s.guard(r.engine!.pid(r.container));
    if (pid > 0) {
      await s.guard(r.host.stop(pid, 0));
      const inPlaceS = nowS();
      await s.guard(r.engine!.waitStopped(r.container));
      const seenMs = (nowS() - inPlaceS) * 1000;
      return {
        how: `SIGKILL to container ${short} (pid ${pid}), its engine saw the exit +${seenMs.toFixed(0)} ms`,
        inPlaceS,
      };
    }
    await s.guard(r.engine!.kill(r.container));
    return { how: `docker kill ${short}` };
  }
  await s.guard(r.host.stop(r.pid!, 0));
  s.running.splice(s.running.indexOf(r), 1);
  return { how: `SIGKILL to process group ${r.pid}` };
}

/** Starts a stopped process again (a new process; its files are appended to) or its container, until ready. */
async function restartInstance(s: RunState, id: string): Promise<Outcome> {
  const r = s.stopped.get(id);
  if (!r) return { note: 'not stopped' };
  let how: string;
  if (r.container) {
    await s.guard(r.engine!.start(r.container));
    await s.guard(waitReady(s, r));
    how = `docker start ${r.container.slice(0, 12)}, ready`;
  } else {
    const again = await startProcess(s, r.proc);
    how = `started again (pid ${again.pid}), ready`;
  }
  // An engine starts with the scenario's pool sizes: those timed events set since, again.
  await reapplyPoolSizes(s, id);
  s.stopped.delete(id);
  return { how };
}

/** Runs a link change in the form the run shapes with. */
async function changeLink(s: RunState, c: LinkChangeCommands): Promise<string | undefined> {
  const mode = s.emulation.mode;
  if (mode === 'none') return 'network emulation off: nothing changed';
  await runOnHosts(s, mode === 'netem' ? c.netem : c.fallback.kernel);
  if (mode === 'fallback' && c.fallback.delays) {
    if (!s.userspaceDelay) return 'delay not emulated on this provider (no userspace path)';
    await s.guard(s.target!.setDelays(correctedDelays(s, c.fallback.delays)));
    if (s.emulation.delay === 'none') s.emulation.delay = 'userspace switch';
  }
  return undefined;
}

/**
 * Each host's commands in order, the hosts at once (the change lands on all of them together). A host's
 * commands go in one remote execution of one script (hostScript: each run of tc or nft commands read by
 * one process, nft's as one transaction), not one execution and one process per command, which a loaded
 * machine pays hundreds of milliseconds each for.
 */
async function runOnHosts(s: RunState, cmds: HostCommands): Promise<void> {
  await Promise.all(
    Object.entries(cmds).map(async ([host, list]) => {
      if (list.length === 0) return;
      const h = s.hosts.get(host)!;
      journalNetworkUndo(s, host);
      const argvs = [];
      for (const c of list) argvs.push(await withAddresses(s, host, c));
      await s.guard(h.check(argvs.length === 1 ? argvs[0]! : ['sh', '-c', hostScript(argvs)]));
    }),
  );
}

/**
 * Puts the testbed back as the scenario describes it before the next repetition: stopped instances
 * started again, changed constraints given their own conditions, resized pools their own sizes.
 */
export async function resetEvents(s: RunState): Promise<void> {
  const restarted = s.stopped.size;
  for (const id of [...s.stopped.keys()]) await restartInstance(s, id);
  // Scaled services back to their quantity: the processes deployed dormant are dormant again, the others up.
  let rescaled = 0;
  const scaled = new Set(s.plan.processes.filter((p) => p.dormant).map((p) => p.service));
  for (const service of scaled) {
    const quantity = s.input.scenario.services.find((x) => x.id === service)!.quantity;
    const c = await setInstanceCount(s, service, quantity, { graceS: 0, limitMs: 5000 });
    rescaled += c.started.length + c.stopped.length;
  }
  const changed = new Map<number, LinkConditions>();
  for (const ev of s.plan.events) if ('conditions' in ev) changed.set(ev.constraint, ev.conditions);
  const base = new Map<number, LinkConditions>();
  for (const [constraint, before] of changed) {
    const c = s.input.scenario.network[constraint]!;
    const own = {
      delayMs: c.delayMs,
      rateMbps: c.rateMbps >= UNSHAPED_MBPS ? Infinity : c.rateMbps,
      lossPercent: c.lossPercent,
      cut: false,
    };
    base.set(constraint, own);
    await changeLink(
      s,
      linkChangeCommands({
        rules: s.plan.network.rules,
        conditions: base,
        constraint,
        before,
        nftTable: s.plan.network.nftTable,
      }),
    );
  }
  const pools = await resetPoolSizes(s);
  if (changed.size > 0 || restarted > 0 || rescaled > 0 || pools > 0)
    s.log('events: testbed reset for the next repetition');
}

/** Whether a service process is up, or down because an event stopped it. */
export async function upOrStopped(s: RunState, r: Parameters<typeof isAlive>[0]): Promise<boolean> {
  return s.stopped.has(r.proc.id) || s.dormant.has(r.proc.id) || (await isAlive(r));
}

/**
 * Records the load steps of repetition `rep` as the drivers applied them (their summaries' `loadSteps`):
 * one entry per event, with the latest of its drivers. A driver reports its lateness on its own clock
 * (its timer against the due time it computed from the common start), so hosts whose clocks differ from
 * the controller's do not shift the record. A step no driver reports (a driver that sent nothing?) gets a note.
 */
export function recordLoadSteps(
  s: RunState,
  rep: number,
  startAtMs: number,
  summaries: ReadonlyMap<string, unknown>,
): void {
  for (const ev of s.plan.events) {
    if (ev.action !== 'load') continue;
    const late = ev.drivers.flatMap((id) => {
      const steps = (summaries.get(id) as { loadSteps?: { index: number; lateS: number }[] } | undefined)
        ?.loadSteps;
      return (steps ?? []).filter((x) => x.index === ev.index).map((x) => x.lateS);
    });
    const scheduledS = startAtMs / 1000 + ev.offsetS - s.t0;
    const lateS = late.length > 0 ? Math.max(...late) : 0;
    const rec: AppliedEvent = {
      index: ev.index,
      action: 'load',
      label: ev.label,
      repetition: rep,
      scheduledS,
      startedS: scheduledS,
      appliedS: scheduledS + lateS,
      lateS,
      how: `by ${late.length} driver${late.length === 1 ? '' : 's'}`,
      ...(late.length < ev.drivers.length
        ? { note: `${ev.drivers.length - late.length} of ${ev.drivers.length} drivers did not report it` }
        : {}),
    };
    s.appliedEvents.push(rec);
    s.log(`event ${ev.label}: applied by the drivers +${(lateS * 1000).toFixed(0)} ms from its time`);
  }
  s.appliedEvents.sort((a, b) => a.repetition - b.repetition || a.index - b.index);
}
