import d3 from '../vendor-d3.js';

/**
 * A horizontal legend: legend().items([{label, color, shape: 'rect'|'line'|'dash'|'hatch'}]) applied to
 * a <g>; wraps to new lines at width().
 */
export function legend() {
  let items = [];
  let width = 600;
  let height = 0;
  const rowH = 18;

  function chart(g) {
    g.attr('class', 'legend');
    const sel = g
      .selectAll('g.item')
      .data(items, (d) => d.label)
      .join((enter) => {
        const e = enter.append('g').attr('class', 'item');
        e.append('path');
        e.append('text').attr('x', 20).attr('dy', '0.35em');
        return e;
      });
    sel.select('text').text((d) => d.label);
    sel
      .select('path')
      .attr('d', (d) => (d.shape === 'line' || d.shape === 'dash' ? 'M0,0H14' : 'M0,-5H14V5H0Z'))
      .attr('fill', (d) =>
        d.shape === 'line' || d.shape === 'dash' ? 'none' : d.shape === 'hatch' ? 'url(#hatch)' : d.color,
      )
      .attr('stroke', (d) => (d.shape === 'line' || d.shape === 'dash' ? d.color : (d.stroke ?? 'none')))
      .attr('stroke-width', (d) => (d.shape === 'line' || d.shape === 'dash' ? 2.5 : 1))
      .attr('stroke-dasharray', (d) => (d.shape === 'dash' ? '5,3' : null));
    let x = 0;
    let y = 0;
    sel.each(function () {
      const w = this.querySelector('text').getComputedTextLength() + 34;
      if (x > 0 && x + w > width) {
        x = 0;
        y += rowH;
      }
      d3.select(this).attr('transform', `translate(${x},${y})`);
      x += w;
    });
    height = items.length ? y + rowH : 0;
  }
  chart.items = function (_) {
    return arguments.length ? ((items = _), chart) : items;
  };
  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  /** Height drawn by the last call (read only). */
  chart.height = () => height;
  return chart;
}
