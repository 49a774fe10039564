import { api } from '../api.js';
import { esc } from '../format.js';
import { addExports } from '../lib/export.js';
import { renderStudies, renderStudy } from './studies-view.js';
import { liveStudy, pickedIn } from './study-live.js';
import { isRunning, renderStudyProgress, updateProgressCells } from './study-progress.js';

/**
 * The Studies page: the studies table, the open study (finished: its view; running: its progress and its
 * results so far, polled), the study's picks kept in the page's state and address. `page` gives what it
 * shares with the rest of the page: `state` (study, studyMetric, studySort, studyIndexSort,
 * studyContour, live, view), `show(view, push)`, `syncHash()`, `routeMessage(text)`, `beginDrawing()`.
 */
export function studiesPage(page) {
  const { state, show, syncHash, routeMessage, beginDrawing } = page;
  let studiesRender = 0;

  /** The Studies view drawn, with `rendering` set until the latest drawing is done (or failed). */
  async function drawStudies(el, drawing = beginDrawing()) {
    let latest = true;
    try {
      latest = await renderStudiesView(el);
      if (latest) addExports(el, '');
    } finally {
      if (latest) drawing.done();
    }
  }

  /**
   * The Studies view; a later render started while this one waited for the server wins (no mixed drawing).
   * Resolves to whether this drawing was the latest.
   */
  async function renderStudiesView(el) {
    const token = ++studiesRender;
    const { studies } = await api.studies();
    if (token !== studiesRender) return false;
    // A running study drawn from its results so far, about to be drawn again (its end, or another study
    // started): what the user picked in it and its height carry over, so its results replace it in place.
    const before = document.getElementById('study');
    const wasLive =
      before && state.live?.id === state.study && (before.dataset.liveTrials || before.dataset.liveEntries);
    const carried = wasLive ? pickedIn(before) : {};
    const height = wasLive ? before.offsetHeight : 0;
    renderStudies(el, {
      studies,
      onOpen: (id) => {
        state.study = id;
        state.studyMetric = null;
        state.studySort = null;
        state.studyIndexSort = null;
        state.studyContour = null;
        show('studies', true);
      },
    });
    const open = studies.find((s) => s.id === state.study);
    delete document.body.dataset.studyProgress; // set again by a progress card
    if (state.study) {
      const box = document.getElementById('study');
      if (height) box.style.minHeight = `${height}px`;
      try {
        // A running study without results yet: its progress and the trials so far; one with results (it resumes a finished
        // study): its progress above them.
        if (open?.progress && !open.results) {
          box.innerHTML = `<h2>${esc(open.kind)}: ${esc(open.id)}</h2>`;
          renderStudyProgress(box, open);
          // Its charts from the trials finished so far, drawn again as more finish (watchStudies).
          if (state.live?.id !== open.id)
            state.live = liveStudy(open.id, {
              ...studyAddress(),
              metric: () => state.studyMetric,
              sort: () => state.studySort,
              indexSort: () => state.studyIndexSort,
              contour: () => state.studyContour,
            });
          state.live.reset();
          await state.live.refresh(box, open, () => token === studiesRender);
          if (token !== studiesRender) return false;
        } else {
          const study = await api.study(state.study);
          if (token !== studiesRender) return false;
          renderStudy(box, study, {
            ...carried,
            metric: carried.metric ?? state.studyMetric,
            sort: carried.sort ?? state.studySort ?? undefined,
            indexSort: carried.indexSort ?? state.studyIndexSort ?? undefined,
            contour: carried.contour ?? state.studyContour ?? undefined,
            ...studyAddress(),
          });
          if (open?.progress && open.progress.state !== 'finished') renderStudyProgress(box, open);
          addExports(box, state.study);
        }
      } catch (err) {
        if (token !== studiesRender) return false;
        box.innerHTML = `<div class="card error">${esc(err.message)}</div>`;
      }
      box.style.minHeight = '';
    }
    document.body.dataset.studies = String(studies.length);
    watchStudies(el, token, studies);
    return true;
  }

  /**
   * What a study's drawing tells the address: the metric, the table's order and the contour's parameters
   * the user picks, and the values of the address it does not have (said above the views; the address is
   * rewritten to what is drawn).
   */
  function studyAddress() {
    const picked = (key) => (value) => {
      state[key] = value;
      syncHash();
    };
    const unknown = (key, what) => (value) => {
      state[key] = null;
      syncHash();
      routeMessage(`Cannot show the ${what} from the address: this study has no ${value}.`);
    };
    return {
      onMetric: picked('studyMetric'),
      onSort: picked('studySort'),
      onIndexSort: picked('studyIndexSort'),
      onContour: picked('studyContour'),
      onUnknownMetric: (metric) =>
        routeMessage(`Cannot show the metric "${metric}" from the address: this study has no such metric.`),
      onUnknownSort: unknown('studySort', 'table order'),
      onUnknownIndexSort: unknown('studyIndexSort', 'indices order'),
      onUnknownContour: unknown('studyContour', 'contour'),
    };
  }

  /** How often the Studies view asks for the progress of running studies. */
  const STUDY_POLL_MS = 1000;

  /**
   * While a study runs, its progress is asked for every second: the table's progress cells and the open
   * study's progress card follow it; when a study ends (or a new one appears) the view is drawn again, so its
   * results show up as soon as its coordinator writes them.
   */
  function watchStudies(el, token, studies) {
    if (!studies.some(isRunning)) return;
    setTimeout(async () => {
      if (token !== studiesRender || state.view !== 'studies') return;
      let fresh;
      try {
        ({ studies: fresh } = await api.studies());
      } catch {
        return watchStudies(el, token, studies); // the server restarting: try again
      }
      if (token !== studiesRender || state.view !== 'studies') return;
      const changed =
        fresh.length !== studies.length ||
        studies.some((s) => isRunning(s) && !isRunning(fresh.find((f) => f.id === s.id)));
      if (changed) return void drawStudies(el);
      updateProgressCells(el, fresh);
      const open = fresh.find((s) => s.id === state.study);
      const box = document.getElementById('study');
      if (open?.progress && box?.querySelector('#study-progress')) renderStudyProgress(box, open);
      if (box && open && isRunning(open) && !open.results && state.live?.id === open.id)
        await state.live.refresh(box, open, () => token === studiesRender && state.view === 'studies');
      if (token !== studiesRender || state.view !== 'studies') return;
      watchStudies(el, token, fresh);
    }, STUDY_POLL_MS);
  }

  return { draw: drawStudies };
}
