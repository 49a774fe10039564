import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { download, toCsv } from '../lib/export.js';

/**
 * A table of a study's trials (reusable chart): click a header to sort by its column (again to reverse);
 * `.rows(subset)` shows only some rows (those kept by a brush) in the same order; CSV exports what is
 * shown, in the order shown.
 *
 *   const t = trialTable().columns([{ key, label, num?, format?, value? }]).sortBy('responseTime.mean').csvName('sweep').onSort(fn)
 *   t(d3.select(el).datum(rows)); t.rows(kept)
 *
 * A column's `value(row)` reads the cell (default `row[key]`); `format(v)` writes it; rows missing a
 * value sort last whatever the direction.
 */
export function trialTable() {
  let columns = [];
  let sortKey = null;
  let ascending = true;
  let csvName = 'trials';
  let caption = '';
  let onSort = () => {};
  let root = null;
  let all = [];
  let shown = null;

  function chart(selection) {
    selection.each(function (rows) {
      root = d3.select(this);
      all = rows;
      shown = null;
      root.selectAll('*').remove();
      const bar = root.append('div').attr('class', 'table-bar');
      bar.append('span').attr('class', 'muted table-count');
      bar
        .append('button')
        .attr('type', 'button')
        .attr('class', 'link')
        .attr('data-export', 'table-csv')
        .attr('title', 'download the rows shown, in their order, as CSV')
        .text('CSV')
        .on('click', () => {
          const cols = columns;
          download(
            `${csvName}.csv`,
            new Blob(
              [
                toCsv(
                  cols.map((c) => c.label),
                  ordered().map((r) => cols.map((c) => cellOf(c, r))),
                ),
              ],
              { type: 'text/csv' },
            ),
          );
        });
      const table = root
        .append('div')
        .attr('class', 'table-scroll')
        .append('table')
        .attr('class', 'data trials');
      if (caption) table.append('caption').attr('class', 'muted').text(caption);
      table
        .append('thead')
        .append('tr')
        .selectAll('th')
        .data(columns)
        .join('th')
        .attr('class', (c) => (c.num === false ? '' : 'num'))
        .attr('data-key', (c) => c.key)
        .append('button')
        .attr('type', 'button')
        .attr('class', 'sort')
        .attr('title', (c) => `sort by ${c.label}`)
        .text((c) => c.label)
        .on('click', (_e, c) => {
          if (sortKey === c.key) ascending = !ascending;
          else {
            sortKey = c.key;
            ascending = c.ascending ?? true;
          }
          draw();
          onSort({ key: sortKey, ascending });
        });
      table.append('tbody');
      draw();
    });
  }

  const cellOf = (c, r) => (c.value ? c.value(r) : r[c.key]);
  function ordered() {
    const rows = [...(shown ?? all)];
    const c = columns.find((x) => x.key === sortKey);
    if (!c) return rows;
    const missing = (v) => v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v));
    return rows.sort((a, b) => {
      const va = cellOf(c, a);
      const vb = cellOf(c, b);
      if (missing(va) || missing(vb)) return missing(va) - missing(vb);
      const o =
        typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return ascending ? o : -o;
    });
  }

  function draw() {
    if (!root) return;
    const rows = ordered();
    root
      .selectAll('thead th')
      .attr('aria-sort', (c) => (c.key === sortKey ? (ascending ? 'ascending' : 'descending') : 'none'))
      .select('button')
      .text((c) => `${c.label}${c.key === sortKey ? (ascending ? ' ▲' : ' ▼') : ''}`);
    root.select('tbody').html(
      rows
        .map(
          (r) =>
            `<tr${r.__class ? ` class="${esc(r.__class)}"` : ''}>${columns
              .map((c) => {
                const v = cellOf(c, r);
                return `<td${c.num === false ? '' : ' class="num"'}>${esc(v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '—' : c.format ? c.format(v) : v)}</td>`;
              })
              .join('')}</tr>`,
        )
        .join(''),
    );
    root
      .select('.table-count')
      .text(
        shown && shown.length !== all.length
          ? `${rows.length} of ${all.length} rows (filtered on the parallel coordinates)`
          : `${all.length} rows`,
      );
    root
      .attr('data-rows', rows.length)
      .attr('data-sort', sortKey ? `${sortKey}:${ascending ? 'asc' : 'desc'}` : '');
  }

  chart.columns = function (_) {
    return arguments.length ? ((columns = _), chart) : columns;
  };
  chart.sortBy = function (key, asc = true) {
    if (!arguments.length) return sortKey;
    sortKey = key;
    ascending = asc;
    return chart;
  };
  chart.csvName = function (_) {
    return arguments.length ? ((csvName = _), chart) : csvName;
  };
  /** Told `{key, ascending}` when the user sorts by a header (not when `sortBy` is called). */
  chart.onSort = function (_) {
    return arguments.length ? ((onSort = _), chart) : onSort;
  };
  chart.caption = function (_) {
    return arguments.length ? ((caption = _), chart) : caption;
  };
  /** Shows only `subset` (rows of the datum), or every row when null. */
  chart.rows = (subset) => {
    shown = subset && subset.length !== all.length ? subset : null;
    draw();
    return chart;
  };
  /** The rows shown, in the order shown. */
  chart.shown = () => ordered();
  return chart;
}
