import d3 from '../vendor-d3.js';
import { topology } from '../charts/topology.js';
import { esc } from '../format.js';
import { cardWidth } from '../lib/layout.js';

/** Scenario topology: the scenario checked in the sidebar, or the selected run's resolved scenario. */
export function renderTopology(el, { scenario, sourceLabel, summary, problems }) {
  el.innerHTML = '';
  const head = d3.select(el).append('div').attr('class', 'view-head');
  head.append('h2').text('Scenario topology');
  if (problems) {
    const card = d3.select(el).append('div').attr('class', 'card error').attr('id', 'scenario-problems');
    card
      .append('h3')
      .attr('class', 'chart-title')
      .text(
        `The scenario in the editor has ${problems.issues.length} problem${problems.issues.length === 1 ? '' : 's'}: nothing ran. Fix ${problems.issues.length === 1 ? 'it' : 'them'} and press Check.`,
      );
    card
      .append('table')
      .attr('class', 'data')
      .html(
        `<thead><tr><th>where</th><th>field</th><th>problem</th><th>code</th></tr></thead><tbody>${problems.issues
          .map(
            (i) =>
              `<tr><td><code>${esc(i.file)}${i.line > 0 ? `:${i.line}:${i.column}` : ''}</code></td><td><code>${esc(i.path || '—')}</code></td><td>${esc(i.message)}${i.hint ? `<div class="muted">${esc(i.hint)}</div>` : ''}</td><td class="muted small">${esc(i.code)}</td></tr>`,
          )
          .join('')}</tbody>`,
      );
    if (scenario) card.append('p').attr('class', 'muted').text('Below: the last version that checked OK.');
  }
  if (!scenario) {
    head.append('p').attr('class', 'muted').text('Pick a scenario and press Check or Run, or open a run.');
    return;
  }
  head
    .append('p')
    .attr('class', 'muted')
    .html(`${esc(scenario.name)} — ${esc(sourceLabel)}. Hover a service or a link for its details.`);
  const box = d3.select(el).append('div').attr('class', 'card chart-card').attr('id', 'topology');
  topology().width(cardWidth(el, 1, 640))(box.datum(scenario));
  const info = d3.select(el).append('div').attr('class', 'card');
  const run = scenario.run;
  info.append('h3').attr('class', 'chart-title').text('Run settings');
  info
    .append('p')
    .text(
      `seed ${scenario.seed} · ${run.duration !== undefined ? `${run.duration} s simulated` : `${run.requests} requests`} · warm-up ${run.warmup} s · ${run.replications} replication${run.replications === 1 ? '' : 's'} · ${run.spanSample} requests traced`,
    );
  if (scenario.description) info.append('p').attr('class', 'muted').text(scenario.description.trim());
  if (summary) info.append('pre').attr('class', 'summary').text(summary);
}
