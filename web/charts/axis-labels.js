/**
 * The axis titles of a chart with x and y axes: the x title centred under the plot area, the y title turned
 * along the left axis, inside the left margin. Appended to `g`, the plot area's group (x first, then y).
 *
 *   axisLabels(g, { width: w, height, marginLeft: margin.left, x: 'time (s)', y: 'requests' })
 */
export function axisLabels(g, { width, height, marginLeft, x, y, below = 36, inset = 14 }) {
  g.append('text')
    .attr('class', 'axis-label')
    .attr('x', width / 2)
    .attr('y', height + below)
    .attr('text-anchor', 'middle')
    .text(x);
  g.append('text')
    .attr('class', 'axis-label')
    .attr('transform', 'rotate(-90)')
    .attr('x', -height / 2)
    .attr('y', -marginLeft + inset)
    .attr('text-anchor', 'middle')
    .text(y);
}

/**
 * The left margin a y axis needs: its longest tick label (about 6.5 px a character at the axis font), the
 * tick, and the turned title's line, but never less than `least`. A fixed margin let long labels (a
 * parameter's narrow range printed to six digits) run over the title.
 *
 *   const left = yAxisMargin(y.ticks(5).map(yFormat), 64)
 */
export function yAxisMargin(labels, least) {
  const longest = Math.max(0, ...labels.map((l) => String(l).length));
  return Math.max(least, Math.ceil(longest * 6.5 + 34));
}
