import d3 from '../vendor-d3.js';
import { dateTime, esc } from '../format.js';
import { renderCapacity } from './studies/capacity.js';
import { renderOptimize } from './studies/optimize.js';
import { renderSensitivity } from './studies/sensitivity.js';
import { renderSweep } from './studies/sweep.js';
import { renderValidation } from './studies/validation.js';
import { progressCell } from './study-progress.js';

export { metricLabel } from './studies/common.js';

/** Exploration studies found in the runs folder, and the one picked. */
export function renderStudies(el, { studies, onOpen }) {
  el.innerHTML = '';
  const head = d3.select(el).append('div').attr('class', 'view-head');
  head.append('h2').text('Exploration studies');
  head
    .append('p')
    .attr('class', 'muted')
    .text(
      studies.length
        ? 'Study folders of e2ctwin sweep, sensitivity, optimize, capacity and validate-twin in the runs folder (their result JSON). Running studies show their progress, on this machine or on a Redis queue alike. Click one to see it.'
        : 'No study folders in the runs folder yet: run e2ctwin sweep, sensitivity, optimize or validate-twin with --out inside it (e.g. --out runs/my-sweep).',
    );
  if (!studies.length) return;
  const card = d3.select(el).append('div').attr('class', 'card table-card');
  card
    .append('table')
    .attr('class', 'data')
    .attr('id', 'studies-table')
    .html(
      `<thead><tr><th>study</th><th>kind</th><th>design / method</th><th>scenario</th><th>parameters</th><th class="num">points</th><th>progress</th><th>written</th></tr></thead><tbody>${studies
        .map(
          (s) => `
    <tr data-study="${esc(s.id)}"><td><a href="#studies/${encodeURIComponent(s.id)}" class="study-link">${esc(s.id)}</a></td><td>${esc(s.kind)}</td><td>${esc(s.method)}</td><td>${esc(s.scenario)}</td>
    <td>${esc(s.params.join(', '))}</td><td class="num">${s.points ?? '—'}</td><td class="study-progress">${progressCell(s)}</td><td>${esc(dateTime(s.modifiedAt))}</td></tr>`,
        )
        .join('')}</tbody>`,
    );
  card.selectAll('a.study-link').on('click', function (event) {
    event.preventDefault();
    onOpen(this.closest('tr').dataset.study);
  });
  d3.select(el).append('div').attr('id', 'study');
}

/** One study, drawn by kind (`view`: what the user picked in an earlier drawing of it, see renderSweep). */
export function renderStudy(el, { id, file, study }, view = {}) {
  const box = d3.select(el);
  box.html('');
  box.append('h2').text(`${study.kind}: ${id}`);
  const meta = [
    study.scenario,
    study.design ?? study.method ?? study.algorithm,
    study.replications
      ? `${study.replications} replication${study.replications === 1 ? '' : 's'} per point`
      : null,
    study.seeds === 'crn' ? 'common random numbers' : study.seeds ? 'independent seeds' : null,
    `from ${file}`,
  ].filter(Boolean);
  box.append('p').attr('class', 'muted').text(meta.join(' · '));
  if (study.kind === 'sweep') renderSweep(el, box, study, id, view);
  else if (study.kind === 'sensitivity') renderSensitivity(el, box, study, id, view);
  else if (study.kind === 'optimize') renderOptimize(el, box, study, id, view);
  else if (study.kind === 'capacity') renderCapacity(el, box, study, id, view);
  else if (study.kind === 'validation') renderValidation(el, box, study, id);
  else
    box
      .append('div')
      .attr('class', 'card')
      .append('pre')
      .attr('class', 'summary')
      .text(JSON.stringify(study, null, 2).slice(0, 4000));
}
