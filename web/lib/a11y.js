// Accessibility of the charts: every chart's <svg> is an image with a name that says what it shows
// (role="img", aria-label, and a <title> that browsers show on hover).

/** Marks a chart's svg (a d3 selection) as an image described by `label`; returns the selection. */
export function describeChart(svg, label) {
  svg.attr('role', 'img').attr('aria-label', label);
  svg.insert('title', ':first-child').text(label);
  return svg;
}
