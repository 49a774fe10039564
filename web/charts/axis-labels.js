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
