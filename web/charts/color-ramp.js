import d3 from '../vendor-d3.js';

/**
 * A vertical colour-ramp legend drawn into `lg` (a group placed by the caller): the gradient of
 * `interpolator` over [0, 1] as a 12-px bar of `height`, an axis of `domain` on its right, and `label`
 * turned along it. The gradient goes into the svg's <defs> (made when it has none).
 */
export function colorRamp(svg, lg, { height, domain, interpolator, tickFormat, label }) {
  const ls = d3.scaleLinear().domain(domain).range([height, 0]);
  const id = `ramp-${Math.random().toString(36).slice(2, 8)}`;
  let defs = svg.select('defs');
  if (defs.empty()) defs = svg.append('defs');
  const grad = defs
    .append('linearGradient')
    .attr('id', id)
    .attr('x1', 0)
    .attr('x2', 0)
    .attr('y1', 1)
    .attr('y2', 0);
  d3.range(0, 1.01, 0.1).forEach((t) =>
    grad.append('stop').attr('offset', t).attr('stop-color', interpolator(t)),
  );
  lg.append('rect').attr('width', 12).attr('height', height).attr('fill', `url(#${id})`);
  lg.append('g')
    .attr('class', 'axis')
    .attr('transform', 'translate(12,0)')
    .call(d3.axisRight(ls).ticks(5).tickFormat(tickFormat));
  lg.append('text')
    .attr('class', 'axis-label')
    .attr('transform', 'rotate(90)')
    .attr('x', height / 2)
    .attr('y', -56)
    .attr('text-anchor', 'middle')
    .text(label);
}
