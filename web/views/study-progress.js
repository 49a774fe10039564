import d3 from '../vendor-d3.js';
import { dateTime, esc, timeLeft } from '../format.js';

// A study's progress as its coordinator writes it (progress.json in the study folder, the same file for
// the local and the Redis backend): trials done of planned, the workers taking them, the time left.

/**
 * Whether the page should keep polling a study: running, stalled ones too (no update for a while: a busy or
 * paused coordinator may go on, and the same command resumes it); polling stops once it has ended.
 */
export const isRunning = (s) => s?.progress?.state === 'running';

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The line the command line prints, e.g. "running · trial 12/64 · 3 workers · ETA 40 s". */
export function progressText(p, results = true) {
  if (!p) return results ? 'done' : '—';
  const trials = `trial ${p.done}/${p.total}`;
  if (p.state === 'running' && p.stalled)
    return `stalled at ${trials} (no update for ${timeLeft(p.ageSeconds)}; the same command resumes it)`;
  if (p.state === 'running')
    return `running · ${trials} · ${plural(p.workers, 'worker')} · ETA ${timeLeft(p.etaSeconds)}`;
  if (p.state === 'finished') return `done · ${plural(p.done, 'trial')}`;
  if (p.state === 'interrupted') return `interrupted at ${trials} (the same command resumes it)`;
  return `failed at ${trials}`;
}

/** The cell of the studies table: a bar while running, and the line. */
export function progressCell(s) {
  const p = s.progress;
  const bar =
    p && p.state === 'running' && p.total > 0
      ? `<progress max="${p.total}" value="${p.done}" aria-hidden="true"></progress> `
      : '';
  return `${bar}<span class="study-progress-text">${esc(progressText(p, s.results))}</span>`;
}

/**
 * The progress card of an open study (the line, a bar, where its trials run, when it started), after the
 * heading of `el`; drawn again in place when it is already there.
 */
export function renderStudyProgress(el, s) {
  const p = s.progress;
  const old = el.querySelector('#study-progress');
  const node = document.createElement('div');
  if (old) old.replaceWith(node);
  else {
    const heading = el.querySelector(':scope > h2');
    if (heading) heading.after(node);
    else el.prepend(node);
  }
  const card = d3.select(node).attr('class', 'card').attr('id', 'study-progress');
  card.append('h3').attr('class', 'chart-title').text(progressText(p, s.results));
  if (p.total > 0)
    card
      .append('progress')
      .attr('max', p.total)
      .attr('value', p.done)
      .attr('aria-label', `${p.done} of ${p.total} trials done`);
  const where =
    p.backend === 'local'
      ? `on this machine, ${plural(p.workers, 'worker thread')}`
      : `on the Redis queue ${p.backend}, ${plural(p.workers, 'e2ctwin worker')} taking trials`;
  card
    .append('p')
    .attr('class', 'muted')
    .text(
      [
        `${p.kind} of ${p.scenario}`,
        where,
        p.reused > 0 ? `${p.reused} trials resumed from the store` : null,
        `started ${dateTime(p.startedAt)}`,
        `updated ${dateTime(p.updatedAt)}`,
      ]
        .filter(Boolean)
        .join(' · '),
    );
  latestTable(card, p.latest ?? []);
  document.body.dataset.studyProgress = `${p.state}:${p.done}/${p.total}:${p.workers}`;
}

const fmt = d3.format('.4~g');

/** The trials simulated last, newest first: results as they arrive (the study's own charts come at its end). */
function latestTable(card, latest) {
  if (!latest.length) return;
  const params = Object.keys(latest[0].config);
  const metrics = [...new Set(latest.flatMap((t) => Object.keys(t.metrics)))];
  card.append('h3').attr('class', 'chart-title').text('Latest trials (newest first)');
  card
    .append('table')
    .attr('class', 'data')
    .attr('id', 'study-latest')
    .html(
      `<thead><tr>${params.map((k) => `<th class="num">${esc(k)}</th>`).join('')}<th class="num">replication</th>${metrics
        .map((m) => `<th class="num">${esc(m)}</th>`)
        .join('')}</tr></thead><tbody>${latest
        .map(
          (t) =>
            `<tr>${params.map((k) => `<td class="num">${esc(t.config[k])}</td>`).join('')}<td class="num">${esc(t.replication)}</td>${metrics
              .map((m) => `<td class="num">${t.metrics[m] === undefined ? '—' : esc(fmt(t.metrics[m]))}</td>`)
              .join('')}</tr>`,
        )
        .join('')}</tbody>`,
    );
}

/** Updates the progress cells of the studies table in place (no redraw of the open study's charts). */
export function updateProgressCells(el, studies) {
  const byId = new Map(studies.map((s) => [s.id, s]));
  d3.select(el)
    .selectAll('#studies-table tbody tr')
    .each(function () {
      const s = byId.get(this.dataset.study);
      const cell = this.querySelector('td.study-progress');
      if (s && cell) cell.innerHTML = progressCell(s);
    });
}
