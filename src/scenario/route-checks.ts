import type { CheckContext } from './checks.js';
import { ScenarioErrorCode, type ScenarioIssue } from './errors.js';
import { LIMITS, limitText } from './limits.js';
import type { Origin } from './presets.js';
import type { App } from './schema/index.js';

/**
 * Routes that never end: inside an app, stages from which no route leads to the exit (a loop taken with
 * probability 1) or that a request visits more than {@link LIMITS.stageVisits} times on average; between
 * services, forward stages that lead back to the service they start from (each forwarded request spawns
 * another, without end). Each is placed at the route or target that closes the loop.
 */
export function checkRoutes(ctx: CheckContext): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (o: Origin, p: PropertyKey[], msg: string) =>
    issues.push(o.src.issue(ScenarioErrorCode.INVALID_VALUE, [...o.base, ...p], msg));
  const seen = new Set<string>();
  for (const entry of ctx.apps.flat()) {
    if (!entry) continue;
    const key = `${entry.origin.src.file}:${entry.origin.base.join('.')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    checkStageRoutes(entry.app, (ti, msg) => add(entry.origin, ['stages', ti, 'next'], msg));
  }
  checkForwardCycles(ctx, add);
  return issues;
}

/** Transitions of an app's stages: [to stage index, probability][], and the probability of leaving. */
function transitions(app: App): { to: [number, number][]; exit: number }[] | undefined {
  const index = new Map(app.stages.map((st, i) => [st.name, i]));
  const out: { to: [number, number][]; exit: number }[] = [];
  for (const [i, st] of app.stages.entries()) {
    if (st.next === undefined) {
      out.push(i + 1 < app.stages.length ? { to: [[i + 1, 1]], exit: 0 } : { to: [], exit: 1 });
      continue;
    }
    const to: [number, number][] = [];
    let total = 0;
    let exit = 0;
    for (const r of st.next) {
      total += r.probability;
      if (r.to === 'exit') {
        exit += r.probability;
        continue;
      }
      const j = index.get(r.to);
      if (j === undefined) return undefined; // a dangling route: reported by the reference checks
      if (r.probability > 0) to.push([j, r.probability]);
    }
    if (total > 1 + 1e-9) return undefined; // reported by the reference checks
    out.push({ to, exit: exit + Math.max(0, 1 - total) });
  }
  return out;
}

function checkStageRoutes(app: App, report: (stage: number, msg: string) => void): void {
  const t = transitions(app);
  if (!t || t.length === 0) return;
  const n = t.length;
  // Stages a request can reach from the first one, and those from which it can leave.
  const reached = new Set<number>([0]);
  for (const queue = [0]; queue.length > 0; )
    for (const [j] of t[queue.pop()!]!.to)
      if (!reached.has(j)) {
        reached.add(j);
        queue.push(j);
      }
  const leaves = new Set<number>(t.flatMap((s, i) => (s.exit > 0 ? [i] : [])));
  for (let grew = true; grew; ) {
    grew = false;
    for (let i = 0; i < n; i++)
      if (!leaves.has(i) && t[i]!.to.some(([j]) => leaves.has(j))) {
        leaves.add(i);
        grew = true;
      }
  }
  const trapped = [...reached].filter((i) => !leaves.has(i)).sort((a, b) => a - b);
  if (trapped.length > 0) {
    const names = trapped.map((i) => `"${app.stages[i]!.name}"`).join(', ');
    for (const i of trapped) {
      if (app.stages[i]!.next === undefined) continue;
      report(
        i,
        `requests that reach stage "${app.stages[i]!.name}" never leave: its routes lead only back into ${names}, with no way to the exit (give a route to "exit", or probabilities summing below 1)`,
      );
    }
    return;
  }
  // Expected visits v solve v = e₀ + Pᵀv (every reached stage leads out, so I − Pᵀ is invertible on them).
  const visits = expectedVisits(t, reached);
  let worst = -1;
  for (let i = 0; i < n; i++)
    if (app.stages[i]!.next !== undefined && (worst < 0 || visits[i]! > visits[worst]!)) worst = i;
  const most = Math.max(...visits);
  if (worst >= 0 && !(most <= LIMITS.stageVisits)) {
    report(
      worst,
      `a request visits stage "${app.stages[visits.indexOf(most)]!.name}" ${Number.isFinite(most) ? Math.round(most).toLocaleString('en-US') : 'without end'} times on average through these routes, more than e2ctwin's limit of ${limitText(LIMITS.stageVisits)} (make the routes back less likely)`,
    );
  }
}

function expectedVisits(t: { to: [number, number][] }[], reached: ReadonlySet<number>): number[] {
  const n = t.length;
  // A = I − Pᵀ, b = e₀; Gaussian elimination with partial pivoting (apps have a handful of stages).
  const a = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n + 1 }, (_, j) => (i === j ? 1 : 0) + (j === n && i === 0 ? 1 : 0)),
  );
  t.forEach((s, i) => {
    if (reached.has(i)) for (const [j, p] of s.to) a[j]![i]! -= p;
  });
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    const d = a[c]![c]!;
    if (Math.abs(d) < 1e-300) return t.map(() => Infinity);
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / d;
      if (f !== 0) for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => Math.abs(row[n]! / row[i]!));
}

/** Forward stages whose targets lead back to where they started (a service forwarding to itself included). */
function checkForwardCycles(
  ctx: CheckContext,
  add: (o: Origin, p: PropertyKey[], msg: string) => void,
): void {
  interface Edge {
    to: string;
    origin: Origin;
    stage: number;
  }
  const edges = new Map<string, Edge[]>();
  ctx.doc.layers.forEach((layer, li) =>
    layer.services.forEach((s, si) => {
      const entry = ctx.apps[li]?.[si];
      if (!entry) return;
      const id = `${layer.name}.${s.name}`;
      const list: Edge[] = [];
      entry.app.stages.forEach((st, ti) => {
        if (st.resource === 'forward' && st.target !== undefined)
          list.push({ to: st.target, origin: entry.origin, stage: ti });
      });
      edges.set(id, list);
    }),
  );
  // Depth-first search; an edge into a service on the current path closes a cycle.
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    path.push(id);
    for (const e of edges.get(id) ?? []) {
      const s = state.get(e.to);
      if (s === 'open') {
        const cycle = [...path.slice(path.indexOf(e.to)), e.to].join(' → ');
        const where = `${e.origin.src.file}:${e.origin.base.join('.')}:${e.stage}`;
        if (!reported.has(where)) {
          reported.add(where);
          add(
            e.origin,
            ['stages', e.stage, 'target'],
            e.to === id
              ? `service "${id}" forwards to itself: every forwarded request would spawn another, without end`
              : `forward cycle ${cycle}: every forwarded request would spawn another, without end`,
          );
        }
      } else if (s === undefined && edges.has(e.to)) visit(e.to);
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const id of edges.keys()) if (!state.has(id)) visit(id);
}
