import { api } from '../api.js';
import { t975 } from '../lib/difference-ci.js';
import { addExports } from '../lib/export.js';
import { renderStudy } from './studies-view.js';
import { renderStudyProgress } from './study-progress.js';

// A running study drawn from its results so far, drawn again as more arrive — like its results will be
// once its coordinator writes them — while keeping what the user picked: the metric, the table's order,
// the contour's parameters. An optimizer's results so far are the document its coordinator keeps in
// progress.json (served by /api/studies/:id/so-far: history, Pareto front, best so far), drawn by its own
// view; so are a Morris study's (its indices over the trajectories complete so far), a one-at-a-time
// study's (its curves over their points simulated so far), a capacity search's (its steps decided so far,
// the configuration under way with the bracket they give) and a Sobol study's
// (how far its design is: its indices need all of it; its points so far are its store's trials); a sweep's (or a study written by an older e2ctwin) are its store's trials (/api/studies/:id/trials),
// drawn as a sweep. While the user filters the parallel coordinates (a brush is set) the drawing is held,
// and the page says how many results wait.

/** Metrics left out of a running study's charts: per pool, service and link (the results keep the headline ones). */
const DETAIL = /^(pools|services|links)\./;

/**
 * The trials so far as a sweep's results: per configuration (at the highest fidelity it reached), the
 * mean of each metric over its replications and the half-width of its 95 % confidence interval.
 */
export function resultsOf(trials, params) {
  const byConfig = new Map();
  for (const t of trials) {
    const key = JSON.stringify(params.map((p) => t.config[p.name]));
    const g = byConfig.get(key);
    if (!g || t.fidelity > g.fidelity)
      byConfig.set(key, { config: t.config, fidelity: t.fidelity, reps: [t] });
    else if (t.fidelity === g.fidelity) g.reps.push(t);
  }
  return [...byConfig.values()].map(({ config, reps }) => {
    const keys = Object.keys(reps[0].metrics).filter((k) => !DETAIL.test(k));
    const mean = {};
    const ci95 = {};
    for (const k of keys) {
      const v = reps.map((r) => r.metrics[k]).filter(Number.isFinite);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      mean[k] = m;
      if (v.length >= 2) {
        const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
        ci95[k] = (t975(v.length - 1) * sd) / Math.sqrt(v.length);
      }
    }
    return { config, replications: reps.length, mean, ci95 };
  });
}

/** What the user picked in the drawing in `box`: kept when it is drawn again. */
export function pickedIn(box) {
  const value = (sel) => box.querySelector(sel)?.value;
  const orderOf = (sel) => {
    const order = box.querySelector(`${sel} [data-sort]`)?.getAttribute('data-sort') ?? '';
    const cut = order.lastIndexOf(':');
    return cut > 0 ? { key: order.slice(0, cut), ascending: order.slice(cut + 1) === 'asc' } : undefined;
  };
  return {
    metric: value('#study-metric'),
    sort: orderOf('#study-trials'),
    indexSort: orderOf('#study-indices'),
    contour: value('#contour-x') ? [value('#contour-x'), value('#contour-y')] : undefined,
  };
}

/** Whether the user is filtering the parallel coordinates (fewer lines shown than drawn). */
function filtering(box) {
  const svg = box.querySelector('#study-parallel svg.pc-chart');
  if (!svg) return false;
  return Number(svg.getAttribute('data-shown')) < svg.querySelectorAll('path.pc-line').length;
}

/**
 * The results so far of running study `id`, fetched as they arrive; `refresh(box, study)` fetches and
 * draws them (`study`: its line of the studies list, with its progress). `address` ties the view to the
 * page's address: `metric()`, `sort()`, `contour()` are the ones it names (drawn until the user picks
 * others), the callbacks of renderStudy's `view` (`onMetric`, `onSort`, …) are told of the user's picks.
 */
export function liveStudy(id, address = {}) {
  const trials = [];
  let params = null;
  let after = 0;
  let drawn = -1;
  let fetching = null;
  let unavailable = false;
  // The result document so far (progress.json's), and its entries.
  let soFar = null;
  let soFarEntries = -1;
  // One fetch at a time: two overlapping ones would ask after the same row and count its trials twice.
  const fetchNew = () => {
    fetching ??= fetchAll().finally(() => {
      fetching = null;
    });
    return fetching;
  };
  async function fetchAll() {
    for (;;) {
      const r = await api.studyTrials(id, after);
      params = r.params;
      trials.push(...r.trials);
      if (r.next === after || r.trials.length === 0) return;
      after = r.next;
    }
  }
  // Entries of a document so far: an optimizer's evaluations, else what its `partial` counts (a
  // sensitivity study's complete Morris trajectories or Sobol points), as the server counts them.
  const entriesOf = (doc) => (doc.history ?? doc.results)?.length ?? doc.partial?.done ?? 0;
  // A running Sobol study's document has no indices yet: its points so far are its store's trials.
  const needsTrials = (doc) => doc?.kind === 'sensitivity' && doc.method === 'sobol';
  /** What is drawn: the document so far, else the trials as a sweep's results. */
  function drawing(study) {
    if (soFar) {
      const n = soFarEntries;
      const noun = soFar.kind === 'optimize' ? 'evaluation' : 'result';
      const { partial } = soFar;
      return {
        // A document whose `partial` says none yet is drawn too (what the study waits for is said).
        count: partial ? `${n}:${trials.length}` : n,
        noun,
        doc: {
          id,
          file: partial
            ? `its progress.json: ${partial.done}${partial.of === undefined ? '' : ` of ${partial.of}`} ${partial.unit} so far (drawn again as ${partial.of === undefined ? 'more are decided' : 'they complete'})`
            : `its progress.json: ${n} ${noun}${n === 1 ? '' : 's'} so far (drawn again as they finish)`,
          study: { ...soFar, live: true, ...(needsTrials(soFar) ? { trials: [...trials] } : {}) },
        },
      };
    }
    if (!params) return undefined;
    const results = resultsOf(trials, params);
    return {
      count: trials.length,
      noun: 'trial',
      doc: {
        id,
        file: `its store: ${trials.length} trial${trials.length === 1 ? '' : 's'} finished so far, ${results.length} configuration${results.length === 1 ? '' : 's'} (drawn again as trials finish)`,
        study: { kind: 'sweep', scenario: study.scenario, params, results, live: true },
      },
    };
  }
  function draw(box, study, force = false) {
    const d = drawing(study);
    if (!d || d.count === drawn || d.count === 0) return;
    if (!force && filtering(box)) {
      heldNote(box, study, Number(d.count) - Number(drawn), d.noun);
      return;
    }
    const picked = pickedIn(box);
    const { metric, sort, indexSort, contour, ...told } = address;
    const view = {
      ...told,
      ...picked,
      metric: picked.metric ?? metric?.(),
      sort: picked.sort ?? sort?.() ?? undefined,
      indexSort: picked.indexSort ?? indexSort?.() ?? undefined,
      contour: picked.contour ?? contour?.() ?? undefined,
    };
    // The box keeps its height while drawn again: the page does not jump under the reader.
    box.style.minHeight = `${box.offsetHeight}px`;
    renderStudy(box, d.doc, view);
    box.querySelector(':scope > h2').textContent = `${study.kind}: ${id}`;
    renderStudyProgress(box, study);
    addExports(box, id);
    drawn = d.count;
    const key = soFar ? 'liveEntries' : 'liveTrials';
    const shown = soFar ? soFarEntries : trials.length;
    box.dataset[key] = String(shown);
    document.body.dataset[key] = String(shown);
    requestAnimationFrame(() => {
      box.style.minHeight = '';
    });
  }
  function heldNote(box, study, waiting, noun) {
    let note = box.querySelector('#study-live-held');
    if (!note) {
      note = document.createElement('p');
      note.id = 'study-live-held';
      note.className = 'note';
      box.querySelector('#study-progress')?.after(note);
    }
    note.innerHTML = '';
    note.append(
      `${waiting} more ${noun}${waiting === 1 ? '' : 's'} finished while you filter the lines: drawn when you clear the filter, or `,
    );
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.textContent = 'draw them now';
    button.addEventListener('click', () => draw(box, study, true));
    note.append(button);
  }
  return {
    id,
    /** The view was drawn anew (its box emptied): the next refresh draws the results again. */
    reset() {
      drawn = -1;
    },
    /**
     * Fetches the results that arrived since the last call and draws them, unless `current()` says the
     * page moved on meanwhile; resolves false when it could not fetch them.
     */
    async refresh(box, study, current = () => true) {
      const entries = study.progress?.resultsSoFar;
      if (entries !== null && entries !== undefined) {
        // Its coordinator keeps its results so far in progress.json: fetched when they changed.
        if (entries !== soFarEntries) {
          try {
            const r = await api.studySoFar(id);
            soFar = r.study;
            soFarEntries = entriesOf(r.study);
            if (needsTrials(soFar)) await fetchNew();
          } catch {
            return false; // ended meanwhile, or the server restarting: the next poll tells
          }
        }
        if (current()) draw(box, study);
        return true;
      }
      if (unavailable) return false;
      try {
        await fetchNew();
      } catch (err) {
        // A study written by an older e2ctwin (its progress.json names no parameters): its progress only,
        // and no more asking. Anything else (the server restarting) is tried again at the next poll.
        if (err.code === 'E2C_ERR_SERVER_STUDY_NOT_FOUND') unavailable = true;
        return false;
      }
      if (current()) draw(box, study);
      return true;
    },
  };
}
