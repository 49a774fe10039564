import { checkBudgets } from './budget-checks.js';
import { suggest } from './did-you-mean.js';
import { checkDynamics } from './dynamics.js';
import { ScenarioErrorCode, type ScenarioIssue } from './errors.js';
import { resolveFieldPath } from './overrides.js';
import type { Origin } from './presets.js';
import { checkRoutes } from './route-checks.js';
import type { App, Hardware, ScenarioDoc } from './schema/index.js';
import type { ResolvedSelectors } from './selectors.js';

/** What the cross-reference checks need besides the document: the resolved presets and where they were written. */
export interface CheckContext {
  doc: ScenarioDoc;
  raw: unknown;
  at: (path: PropertyKey[]) => Origin;
  hosts: (Hardware | undefined)[][];
  apps: ({ app: App; origin: Origin } | undefined)[][];
  /** The scenario's folder. (Files it names are read by the loader, under the file policy.) */
  scenarioDir: string;
  /** The E2Clab-style selectors resolved (selectors.ts); their problems are reported here. */
  selectors: ResolvedSelectors;
}

/**
 * Checks that names point at things that exist: targets, selectors, pools, stages, routes, explore paths,
 * files; then routes without an exit and the resource budget (route-checks.ts, budget-checks.ts). Every
 * problem becomes a located issue.
 */
export function checkReferences(ctx: CheckContext): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const { doc } = ctx;
  const add = (o: Origin, p: PropertyKey[], code: ScenarioIssue['code'], msg: string, hint?: string) =>
    issues.push(o.src.issue(code, [...o.base, ...p], msg, hint));
  // A name that refers to nothing: the issue points at the key itself, not at its value.
  const addAtKey = (o: Origin, p: PropertyKey[], code: ScenarioIssue['code'], msg: string, hint?: string) =>
    issues.push(o.src.issue(code, [...o.base, ...p], msg, hint, true));
  const top = ctx.at([]);

  const serviceIds: string[] = [];
  const appServices = new Set<string>();
  const seenLayers = new Set<string>();
  doc.layers.forEach((layer, li) => {
    if (seenLayers.has(layer.name))
      add(
        top,
        ['layers', li, 'name'],
        ScenarioErrorCode.DUPLICATE_NAME,
        `layer "${layer.name}" is defined twice`,
      );
    seenLayers.add(layer.name);
    const seen = new Set<string>();
    layer.services.forEach((s, si) => {
      if (seen.has(s.name))
        add(
          top,
          ['layers', li, 'services', si, 'name'],
          ScenarioErrorCode.DUPLICATE_NAME,
          `service "${s.name}" is defined twice in layer "${layer.name}"`,
        );
      seen.add(s.name);
      serviceIds.push(`${layer.name}.${s.name}`);
      if (s.app !== undefined) appServices.add(`${layer.name}.${s.name}`);
    });
  });
  const checkTarget = (o: Origin, p: PropertyKey[], target: string) => {
    if (!serviceIds.includes(target))
      add(o, p, ScenarioErrorCode.DANGLING_REFERENCE, `no service "${target}"`, suggest(target, serviceIds));
    else if (!appServices.has(target))
      add(o, p, ScenarioErrorCode.DANGLING_REFERENCE, `service "${target}" has no app to serve requests`);
  };

  doc.layers.forEach((layer, li) =>
    layer.services.forEach((s, si) => {
      const sp = ['layers', li, 'services', si];
      if (s.workload) {
        const target = ctx.selectors.targets.get(`${layer.name}.${s.name}`);
        if (target !== undefined) checkTarget(top, [...sp, 'workload', 'target'], target);
      }
      const entry = ctx.apps[li]?.[si];
      if (!entry) return;
      const { app, origin } = entry;
      const pools = Object.keys(app.pools);
      const stages = app.stages.map((st) => st.name);
      for (const name of Object.keys(s.pools)) {
        if (!pools.includes(name))
          addAtKey(
            top,
            [...sp, 'pools', name],
            ScenarioErrorCode.DANGLING_REFERENCE,
            `app has no pool "${name}"`,
            suggest(name, pools),
          );
      }
      for (const name of Object.keys(s.stages)) {
        if (!stages.includes(name))
          addAtKey(
            top,
            [...sp, 'stages', name],
            ScenarioErrorCode.DANGLING_REFERENCE,
            `app has no stage "${name}"`,
            suggest(name, stages),
          );
      }
      const host = ctx.hosts[li]?.[si];
      const seenStages = new Set<string>();
      app.stages.forEach((st, ti) => {
        const tp = ['stages', ti];
        if (seenStages.has(st.name))
          add(
            origin,
            [...tp, 'name'],
            ScenarioErrorCode.DUPLICATE_NAME,
            `stage "${st.name}" is defined twice`,
          );
        seenStages.add(st.name);
        if (st.pool !== undefined && !pools.includes(st.pool))
          add(
            origin,
            [...tp, 'pool'],
            ScenarioErrorCode.DANGLING_REFERENCE,
            `no pool "${st.pool}" in the app`,
            suggest(st.pool, pools),
          );
        if (st.resource === 'network' && st.sizeBytes === undefined)
          add(origin, tp, ScenarioErrorCode.MISSING_FIELD, `network stage "${st.name}" needs sizeBytes`);
        if (st.newConnection && st.resource !== 'network')
          add(
            origin,
            [...tp, 'newConnection'],
            ScenarioErrorCode.INVALID_VALUE,
            `stage "${st.name}" is not a network stage: only network stages open connections`,
          );
        if (
          st.resource !== 'network' &&
          st.resource !== 'forward' &&
          st.demand === undefined &&
          s.stages[st.name]?.demand === undefined
        ) {
          add(origin, tp, ScenarioErrorCode.MISSING_FIELD, `stage "${st.name}" needs a demand (seconds)`);
        }
        if (st.resource === 'forward') {
          if (st.target === undefined)
            add(origin, tp, ScenarioErrorCode.MISSING_FIELD, `forward stage "${st.name}" needs a target`);
          else checkTarget(origin, [...tp, 'target'], st.target);
        }
        if (st.resource === 'gpu' && host && !host.gpu) {
          add(
            top,
            [...sp, 'host'],
            ScenarioErrorCode.DANGLING_REFERENCE,
            `stage "${st.name}" runs on a GPU but the host has none`,
          );
        }
        let total = 0;
        st.next?.forEach((r, ri) => {
          total += r.probability;
          if (r.to !== 'exit' && !stages.includes(r.to))
            add(
              origin,
              [...tp, 'next', ri, 'to'],
              ScenarioErrorCode.DANGLING_REFERENCE,
              `no stage "${r.to}"`,
              suggest(r.to, [...stages, 'exit']),
            );
        });
        if (total > 1 + 1e-9)
          add(
            origin,
            [...tp, 'next'],
            ScenarioErrorCode.INVALID_VALUE,
            `route probabilities sum to ${total}, more than 1`,
          );
      });
      const lock = app.interpreterLock;
      for (const key of ['pool', 'threads'] as const) {
        if (lock && !pools.includes(lock[key]))
          add(
            origin,
            ['interpreterLock', key],
            ScenarioErrorCode.DANGLING_REFERENCE,
            `no pool "${lock[key]}" in the app`,
            suggest(lock[key], pools),
          );
      }
      if (app.gpuMemory && !pools.includes(app.gpuMemory.pool)) {
        add(
          origin,
          ['gpuMemory', 'pool'],
          ScenarioErrorCode.DANGLING_REFERENCE,
          `no pool "${app.gpuMemory.pool}" in the app`,
          suggest(app.gpuMemory.pool, pools),
        );
      }
    }),
  );

  for (const i of ctx.selectors.issues)
    add(top, i.path, ScenarioErrorCode.DANGLING_REFERENCE, i.message, i.hint);

  if (doc.explore) {
    for (const key of Object.keys(doc.explore.params)) {
      const r = resolveFieldPath(ctx.raw, key);
      if ('error' in r)
        addAtKey(
          top,
          ['explore', 'params', key],
          ScenarioErrorCode.DANGLING_REFERENCE,
          `parameter path ${key}: ${r.error}`,
          r.hint,
        );
    }
  }
  if (doc.calibrate) {
    for (const [key, r] of Object.entries(doc.calibrate.params)) {
      const res = resolveFieldPath(ctx.raw, key);
      if ('error' in res)
        addAtKey(
          top,
          ['calibrate', 'params', key],
          ScenarioErrorCode.DANGLING_REFERENCE,
          `parameter path ${key}: ${res.error}`,
          res.hint,
        );
      if (r.max <= r.min)
        add(top, ['calibrate', 'params', key, 'max'], ScenarioErrorCode.INVALID_VALUE, 'max must be > min');
      if (r.log && r.min <= 0)
        add(
          top,
          ['calibrate', 'params', key, 'min'],
          ScenarioErrorCode.INVALID_VALUE,
          'a log-scale range needs min > 0',
        );
    }
  }
  issues.push(...checkRoutes(ctx), ...checkBudgets(ctx), ...checkDynamics(doc, top, ctx.apps));
  return issues;
}
