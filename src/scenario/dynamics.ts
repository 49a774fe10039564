import { suggest } from './did-you-mean.js';
import { ScenarioErrorCode, type ScenarioIssue } from './errors.js';
import type { Origin } from './presets.js';
import type { ResolvedEvent, ResolvedService } from './resolved.js';
import type { App, ScenarioDoc } from './schema/index.js';
import { TIME_OF_DAY } from './schema/index.js';

/** Seconds after midnight of "HH:MM[:SS]". */
function secondsOfDay(t: string): number {
  const m = TIME_OF_DAY.exec(t)!;
  const [h, mm, ss] = t.split(':').map(Number);
  void m;
  return h! * 3600 + mm! * 60 + (ss ?? 0);
}

/** An event's time in simulated seconds: a number as is, a time of day as the next one from `clock.startsAt`. */
export function eventSeconds(at: number | string, startsAt: string | undefined): number {
  if (typeof at === 'number') return at;
  const start = secondsOfDay(startsAt ?? '00:00');
  const t = secondsOfDay(at);
  return t >= start ? t - start : t + 86_400 - start;
}

/** The events by time (a stable sort: file order at equal times), their times in seconds. */
export function resolveEvents(doc: ScenarioDoc): ResolvedEvent[] {
  return doc.events
    .map((e) => ({ ...e, at: eventSeconds(e.at, doc.clock?.startsAt) }))
    .sort((a, b) => a.at - b.at);
}

/** Whether events or an autoscaler change the number of instances of `id` (they get round-robin by default). */
function scaled(doc: ScenarioDoc, id: string, autoscaled: boolean): boolean {
  return autoscaled || doc.events.some((e) => e.action === 'scale' && e.service === id);
}

/** The dynamic fields of a resolved service: balance, autoscale and the most instances it may have. */
export function resolveServiceDynamics(
  doc: ScenarioDoc,
  id: string,
  s: ScenarioDoc['layers'][number]['services'][number],
): Pick<ResolvedService, 'balance' | 'autoscale' | 'maxInstances'> {
  const out: Pick<ResolvedService, 'balance' | 'autoscale' | 'maxInstances'> = {};
  const b = s.balance;
  if (b !== undefined) {
    out.balance =
      typeof b === 'string'
        ? { policy: b }
        : { policy: b.policy, ...(b.weights !== undefined ? { weights: b.weights } : {}) };
  } else if (scaled(doc, id, s.autoscale !== undefined)) out.balance = { policy: 'round-robin' };
  if (s.autoscale) out.autoscale = s.autoscale;
  let most = s.quantity;
  let dynamic = s.autoscale !== undefined;
  if (s.autoscale) most = Math.max(most, s.autoscale.max);
  for (const e of doc.events) {
    if (!('service' in e) || e.service !== id || e.action === 'load') continue;
    dynamic = true;
    if (e.action === 'scale') most = Math.max(most, e.instances);
  }
  if (dynamic || out.balance !== undefined) out.maxInstances = most;
  return out;
}

/**
 * Checks of the timed events, autoscalers and balances against the rest of the scenario: services that
 * exist (with an app, or a workload for `load`), instances and pools that exist, scaling within the
 * autoscaler's bounds, times of day only with a clock, and no two events that contradict each other at
 * the same instant (stop and restart of one instance, two different scales or pool sizes, two load steps).
 */
export function checkDynamics(
  doc: ScenarioDoc,
  top: Origin,
  apps: ({ app: App } | undefined)[][],
): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (p: PropertyKey[], code: ScenarioIssue['code'], msg: string, hint?: string) =>
    issues.push(top.src.issue(code, [...top.base, ...p], msg, hint));
  const services = new Map<string, { s: ScenarioDoc['layers'][number]['services'][number]; app?: App }>();
  doc.layers.forEach((l, li) =>
    l.services.forEach((s, si) => {
      const app = apps[li]?.[si]?.app;
      services.set(`${l.name}.${s.name}`, app ? { s, app } : { s });
    }),
  );
  const ids = [...services.keys()];
  doc.layers.forEach((l, li) =>
    l.services.forEach((s, si) => {
      const sp = ['layers', li, 'services', si];
      const app = apps[li]?.[si]?.app;
      const a = s.autoscale;
      if (a) {
        if (!app)
          add(
            [...sp, 'autoscale'],
            ScenarioErrorCode.INVALID_VALUE,
            'only a service with an app can be autoscaled',
          );
        if (a.min > a.max)
          add(
            [...sp, 'autoscale', 'max'],
            ScenarioErrorCode.INVALID_VALUE,
            `max ${a.max} is below min ${a.min}`,
          );
        if (s.quantity < a.min || s.quantity > a.max)
          add(
            [...sp, 'quantity'],
            ScenarioErrorCode.INVALID_VALUE,
            `quantity ${s.quantity} is outside the autoscaler's [${a.min}, ${a.max}]`,
          );
        if (a.pool !== undefined && app && !(a.pool in app.pools))
          add(
            [...sp, 'autoscale', 'pool'],
            ScenarioErrorCode.DANGLING_REFERENCE,
            `app has no pool "${a.pool}"`,
            suggest(a.pool, Object.keys(app.pools)),
          );
      }
      const b = s.balance;
      if (b !== undefined && !app)
        add(
          [...sp, 'balance'],
          ScenarioErrorCode.INVALID_VALUE,
          'only a service with an app receives requests to balance',
        );
      if (typeof b === 'object' && b.weights !== undefined && b.policy !== 'weighted')
        add(
          [...sp, 'balance', 'weights'],
          ScenarioErrorCode.INVALID_VALUE,
          'weights are for the weighted policy',
        );
    }),
  );

  // Instants at which something was set, to find contradictions: key → [event index, value].
  const seen = new Map<string, [number, string]>();
  const contradicts = (key: string, value: string, ei: number, what: string) => {
    const before = seen.get(key);
    if (before && before[1] !== value)
      add(
        ['events', ei],
        ScenarioErrorCode.INVALID_VALUE,
        `${what} contradicts events[${before[0]}] at the same time`,
      );
    else if (!before) seen.set(key, [ei, value]);
  };
  const linkEvents: { at: number; ei: number; ni: number; cut: boolean; restore: boolean }[] = [];
  doc.events.forEach((e, ei) => {
    const ep = ['events', ei];
    if (typeof e.at === 'string' && doc.clock === undefined)
      add(
        [...ep, 'at'],
        ScenarioErrorCode.MISSING_FIELD,
        'a time of day needs clock.startsAt (the time of day at t = 0)',
      );
    const at = eventSeconds(e.at, doc.clock?.startsAt);
    if (e.action === 'link' || e.action === 'link-restore') {
      const ni = doc.network.findIndex((n) => n.src === e.src && n.dst === e.dst);
      if (ni < 0)
        add(
          [...ep, 'dst'],
          ScenarioErrorCode.DANGLING_REFERENCE,
          `no network constraint from "${e.src}" to "${e.dst}"`,
          suggest(
            `${e.src} ${e.dst}`,
            doc.network.map((n) => `${n.src} ${n.dst}`),
          ),
        );
      else if (e.action === 'link') {
        const changes = e.delayMs !== undefined || e.rateMbps !== undefined || e.lossPercent !== undefined;
        if (e.cut === true && changes)
          add(
            [...ep, 'cut'],
            ScenarioErrorCode.INVALID_VALUE,
            'a cut link carries nothing: give cut alone, or delayMs, rateMbps and lossPercent without cut',
          );
        else if (e.cut !== true && !changes)
          add(
            ep,
            ScenarioErrorCode.MISSING_FIELD,
            'a link event changes delayMs, rateMbps or lossPercent, or cuts the link: give one',
          );
      }
      const value =
        e.action === 'link'
          ? e.cut === true
            ? 'cut'
            : `${e.delayMs}|${e.rateMbps}|${e.lossPercent}`
          : 'restore';
      contradicts(`${at}|link|${ni}`, value, ei, 'this link change');
      if (ni >= 0)
        linkEvents.push({
          at,
          ei,
          ni,
          cut: e.action === 'link' && e.cut === true,
          restore: e.action === 'link-restore',
        });
      return;
    }
    const entry = services.get(e.service);
    if (!entry) {
      add(
        [...ep, 'service'],
        ScenarioErrorCode.DANGLING_REFERENCE,
        `no service "${e.service}"`,
        suggest(e.service, ids),
      );
      return;
    }
    const { s, app } = entry;
    if (e.action === 'load') {
      if (!s.workload)
        add(
          [...ep, 'service'],
          ScenarioErrorCode.DANGLING_REFERENCE,
          `service "${e.service}" has no workload to step`,
        );
      contradicts(`${at}|load|${e.service}`, String(e.factor), ei, 'this load step');
      return;
    }
    if (!app) {
      add(
        [...ep, 'service'],
        ScenarioErrorCode.DANGLING_REFERENCE,
        `service "${e.service}" has no app to run`,
      );
      return;
    }
    const most = Math.max(
      s.quantity,
      s.autoscale?.max ?? 0,
      ...doc.events.map((x) => (x.action === 'scale' && x.service === e.service ? x.instances : 0)),
    );
    switch (e.action) {
      case 'stop':
      case 'restart':
        if (e.instance >= most)
          add(
            [...ep, 'instance'],
            ScenarioErrorCode.INVALID_VALUE,
            `service "${e.service}" never has an instance ${e.instance} (it has at most ${most})`,
          );
        contradicts(`${at}|run|${e.service}#${e.instance}`, e.action, ei, `this ${e.action}`);
        return;
      case 'scale': {
        const a = s.autoscale;
        if (a && (e.instances > a.max || e.instances < a.min))
          add(
            [...ep, 'instances'],
            ScenarioErrorCode.INVALID_VALUE,
            `scaling to ${e.instances} is outside the autoscaler's [${a.min}, ${a.max}]`,
          );
        contradicts(`${at}|scale|${e.service}`, String(e.instances), ei, 'this scale');
        return;
      }
      case 'pool':
        if (!(e.pool in app.pools))
          add(
            [...ep, 'pool'],
            ScenarioErrorCode.DANGLING_REFERENCE,
            `app has no pool "${e.pool}"`,
            suggest(e.pool, Object.keys(app.pools)),
          );
        contradicts(`${at}|pool|${e.service}|${e.pool}`, String(e.size), ei, 'this pool size');
        return;
    }
  });
  // A cut link carries nothing, so degrading it means nothing: restore it first. Events apply in time
  // order (file order at equal times); a change at the cut's own time is reported as a contradiction above.
  const cutAt = new Map<number, number>();
  linkEvents.sort((a, b) => a.at - b.at || a.ei - b.ei);
  for (const l of linkEvents) {
    const since = cutAt.get(l.ni);
    if (l.restore) cutAt.delete(l.ni);
    else if (l.cut) {
      if (since === undefined) cutAt.set(l.ni, l.at);
    } else if (since !== undefined && since < l.at)
      add(
        ['events', l.ei],
        ScenarioErrorCode.INVALID_VALUE,
        `this link change degrades a link cut since ${since} s: restore it (link-restore) first`,
      );
  }
  return issues;
}
