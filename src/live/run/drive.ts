import { posix } from 'node:path';
import { LiveError, LiveErrorCode } from '../errors.js';
import { scheduleAutoscalers } from './autoscale.js';
import { recordLoadSteps, resetEvents, scheduleEvents, upOrStopped } from './events.js';
import { runFinalize, runLaunch } from './phases.js';
import { errorTail, isAlive, startProcess } from './services.js';
import { sleep, type RunState } from './state.js';

/**
 * The drive phase: the workload's repetitions, one after the other. Each starts the workload drivers
 * at a common instant (1.5 s ahead, so that all hosts start together), records its window, watches the
 * services while the drivers run (a dead service fails the run), and keeps each driver's summary line.
 */
export async function driveWorkload(s: RunState): Promise<void> {
  const plan = s.plan;
  const workloads = plan.processes.filter((p) => p.kind === 'workload');
  if (workloads.length === 0)
    throw new LiveError(LiveErrorCode.PLAN, 'the scenario has no workload to drive');
  for (let rep = 0; rep < plan.repeat; rep++) {
    await runLaunch(s, rep + 1);
    const startAt = Date.now() + 1500;
    if (rep === 0) {
      s.t0 = startAt / 1000;
      s.sampler!.start();
    }
    const t = startAt / 1000 - s.t0;
    s.windows.push({
      start: t,
      warmupEnd: t + plan.warmupS,
      end: t + plan.durationS,
      plannedEnd: t + plan.durationS,
    });
    const env = {
      E2CTWIN_START_AT_MS: String(startAt),
      E2CTWIN_DURATION_S: String(plan.durationS),
      E2CTWIN_REPETITION: String(rep),
    };
    const started = [];
    for (const p of workloads) started.push(await startProcess(s, p, env));
    s.workloadStarted = true;
    s.log(
      `workload${plan.repeat > 1 ? ` ${rep + 1}/${plan.repeat}` : ''}: ${workloads.map((p) => `${p.id} (${p.instances.length} instance${p.instances.length === 1 ? '' : 's'})`).join(', ')} for ${plan.durationS} s (warm-up ${plan.warmupS.toFixed(1)} s)`,
    );
    if (rep === 0)
      await s.input.onWorkloadStarted?.({
        hosts: s.hosts,
        pids: new Map(s.running.filter((r) => r.pid).map((r) => [r.proc.id, r.pid!])),
      });
    const patience = Math.max(0, ...s.input.scenario.services.map((x) => x.workload?.patienceS ?? 30));
    const deadline = startAt + (plan.durationS + patience + 30) * 1000;
    const events = plan.events.length > 0 ? scheduleEvents(s, rep + 1, startAt) : undefined;
    const autoscalers = plan.autoscalers.length > 0 ? scheduleAutoscalers(s, rep + 1, startAt) : undefined;
    // The services and drivers are checked every 500 ms during the workload (each check runs a command on
    // its host: fewer of them disturb the measurement less), the drivers' end every 100 ms past the
    // planned end (the run goes on as soon as they are done).
    const plannedEnd = startAt + plan.durationS * 1000;
    let servicesCheckedAt = 0;
    try {
      for (;;) {
        s.check();
        events?.check();
        autoscalers?.check();
        await s.guard(sleep(Date.now() < plannedEnd ? 500 : 100));
        const checkServices = Date.now() - servicesCheckedAt >= 500;
        if (checkServices) servicesCheckedAt = Date.now();
        for (const r of checkServices ? s.running.filter((x) => x.proc.kind === 'service') : []) {
          // A process a timed event stopped is down on purpose.
          if (!(await upOrStopped(s, r)))
            throw new LiveError(
              LiveErrorCode.SERVICE,
              `${r.proc.id} died during the run: ${(await errorTail(r)) || 'no output'}`,
              { service: r.proc.service, host: r.proc.host },
            );
        }
        const alive = await Promise.all(started.map((r) => isAlive(r)));
        if (alive.every((a) => !a)) break;
        if (Date.now() > deadline)
          throw new LiveError(
            LiveErrorCode.SERVICE,
            `workload still running ${Math.round((Date.now() - startAt) / 1000)} s after its start`,
          );
      }
      await events?.finish();
      await autoscalers?.finish();
    } finally {
      await events?.stop();
      await autoscalers?.stop();
    }
    const summaries = new Map<string, unknown>();
    for (const r of started) {
      const early = Date.now() < startAt + plan.durationS * 1000 - 1000;
      const out = await r.host
        .readFile(posix.join(r.host.workDir, r.proc.dir, 'out.log'))
        .then((b) => b.toString())
        .catch(() => '');
      const summary = out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      if (!summary || early)
        throw new LiveError(
          LiveErrorCode.SERVICE,
          `${r.proc.id} ended ${early ? 'early' : 'without a summary'}: ${(await errorTail(r)) || 'no output'}`,
          { service: r.proc.service, host: r.proc.host },
        );
      s.drivers.push({ proc: r.proc, summary: JSON.parse(summary) });
      summaries.set(r.proc.id, s.drivers.at(-1)!.summary);
      s.running.splice(s.running.indexOf(r), 1);
    }
    recordLoadSteps(s, rep + 1, startAt, summaries);
    await runFinalize(s, rep + 1);
    if (rep + 1 < plan.repeat && (plan.events.length > 0 || plan.autoscalers.length > 0))
      await resetEvents(s);
  }
}
