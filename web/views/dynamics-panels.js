import d3 from '../vendor-d3.js';
import { esc, number } from '../format.js';
import { countByCategory, EVENT_CATEGORIES, markerTime, stepPoints } from '../lib/event-markers.js';

/**
 * The panels of a run whose conditions change (metrics.json `dynamics`, issue 18): instances up per
 * service as a step line, failed requests per window (when any failed), and the list of the run's events
 * (the markers every panel over time draws), for reading them without a pointer. A run without
 * `dynamics` gets none of them (the view does not call this).
 *
 * @param o.timeChart () => a lineChart of the view (synced, over the whole run, the events marked)
 * @param o.card (id) => a new chart card in the grid
 * @param o.dynamics metrics.json `dynamics`
 * @param o.timeline metrics.json `timeline` (the windows the dynamics' series are per)
 * @param o.events the described markers (lib/event-markers.js describeMarkers)
 * @param o.scenario scenario.resolved.json (each service's autoscaler bounds), or null
 * @param o.bands the warm-up band of the other panels
 * @param o.reps replications (repetitions of a live run) the series average
 * @param o.perRep metrics.json `perReplication` (each one's markers), or undefined
 * @param o.live whether the run is a live one
 */
export function dynamicsPanels({
  timeChart,
  card,
  dynamics,
  timeline,
  events,
  scenario,
  bands,
  reps,
  live,
  perRep,
}) {
  const { start, windowS } = timeline;
  const per = reps > 1 ? ` (mean over ${reps} ${live ? 'repetitions' : 'replications'})` : '';
  const services = Object.entries(dynamics.timeline.instances ?? {}).filter(([, v]) => v.length > 0);
  if (services.length && start.length) {
    const bounds = (id) => scenario?.services?.find((s) => s.id === id)?.autoscale;
    const top = d3.max(services, ([id, v]) => Math.max(d3.max(v) ?? 0, bounds(id)?.max ?? 0)) ?? 1;
    const c = card('chart-instances');
    timeChart()
      .title(`Instances up per window${per}`)
      .yLabel('instances serving')
      .yFormat(d3.format('.3~f'))
      // Whole instances on the axis (a window's mean may be a fraction: the tooltip says it).
      .yTickFormat((v) => (Number.isInteger(v) ? String(v) : ''))
      .yDomain([0, Math.max(1, Math.ceil(top)) + 0.5])
      // Not the blue, green, orange or red of the event rules (style.css .event-*), for the line to stand apart.
      .color(d3.scaleOrdinal(['#8b5cf6', '#0d9488', '#a16207', '#db2777', '#64748b']))
      .curve(d3.curveStep)(
      c.datum({
        series: services.map(([id, v]) => ({
          key: id,
          label: `${id} instances serving`,
          points: stepPoints(start, windowS, v),
        })),
        refs: services.flatMap(([id]) => {
          const b = bounds(id);
          return b ? [{ y: b.max, label: `${id}: autoscaler max ${b.max}`, color: '#64748b' }] : [];
        }),
        bands,
      }),
    );
    c.attr('data-services', services.length);
    c.append('p')
      .attr('class', 'note')
      .text(
        services
          .map(([id]) => {
            const s = dynamics.instances?.[id];
            return s
              ? `${id}: ${number(s.mean, 2)} serving on average, at most ${number(s.max)} at once, ${number(s.provisioned, 2)} paid for (launching, serving or draining)`
              : id;
          })
          .join('; ') +
          '. Time-weighted mean per window: a window where an instance came or went shows a fraction.',
      );
  }
  const failed = dynamics.timeline.failed ?? [];
  const anyFailed = failed.some((v) => v > 0);
  if (anyFailed && start.length) {
    timeChart()
      .title(`Failed requests per window${per}`)
      .yLabel('requests failed (no answer)')
      .yFormat(d3.format('~g'))(
      card('chart-failed').datum({
        series: [
          {
            key: 'failed',
            label: 'failed (their instance stopped, their link cut)',
            color: '#dc2626',
            points: failed.map((v, i) => ({ x: start[i] + windowS / 2, y: v ?? NaN })),
          },
        ],
        bands,
      }),
    );
  }
  // The markers are the first replication's: the same in all of them for scheduled events alone, not
  // when an autoscaler decides or a recovery time is drawn.
  const mine = JSON.stringify(dynamics.markers);
  const same = (perRep ?? []).every((r) => JSON.stringify(r?.dynamics?.markers) === mine);
  eventList({ card, events, dynamics, anyFailed, reps, live, same });
}

/** The run's events as a table (time, kind, what), folded: what the rules and flags of the panels show. */
function eventList({ card, events, dynamics, anyFailed, reps, live, same }) {
  const c = card('event-list').classed('wide', true).attr('data-events', events.length);
  c.append('h3').attr('class', 'chart-title').text(`Events of this run (${events.length})`);
  const source = live
    ? `as applied (run.json), on the ${reps > 1 ? 'first repetition’s' : 'repetition’s'} clock (0 at its workload start)`
    : `on the simulated clock (the warm-up included)${reps > 1 ? (same ? `, the same in all ${reps} replications` : `, those of replication 1 of ${reps} (the others differ: their own autoscaling decisions or recovery draws)`) : ''}`;
  const legend = c.append('p').attr('class', 'note event-legend');
  legend.append('span').text(`Marked on every panel over time, ${source}: `);
  for (const k of EVENT_CATEGORIES) {
    const item = legend.append('span').attr('class', 'event-key');
    item.append('span').attr('class', `event-swatch event-${k.key}`).attr('aria-hidden', 'true');
    item.append('span').text(k.label);
  }
  c.append('p')
    .attr('class', 'note')
    .text(
      `${events.length ? countByCategory(events).join(', ') : 'No events'}${dynamics.markersDropped ? `; ${dynamics.markersDropped} more not kept (a bound on memory)` : ''}; ${dynamics.retries ? `${number(dynamics.retries)} retries; ` : ''}${anyFailed ? 'failed requests per window beside the instances.' : 'no request failed.'}`,
    );
  if (!events.length) return;
  const details = c.append('details');
  details.append('summary').text('List every event (time, kind, what)');
  const table = details.append('table').attr('class', 'event-table');
  table
    .append('thead')
    .html('<tr><th scope="col">time</th><th scope="col">kind</th><th scope="col">what</th></tr>');
  table
    .append('tbody')
    .selectAll('tr')
    .data(events)
    .join('tr')
    .html(
      (m) =>
        `<td class="num">${esc(markerTime(m.t))}</td><td><span class="event-swatch event-${m.category}" aria-hidden="true"></span>${esc(m.kind)}</td><td>${esc(m.what)}</td>`,
    );
}
