// Chart widths that fit the page's cards (.chart-card: 6 px padding and 1 px border on each side).
const CARD_INSET = 14;
const GRID_GAP = 16;
/** Narrowest chart of a two-column grid; below it the grid has one column (style.css .chart-grid: 420 + 14 px). */
export const MIN_COLUMN_CHART = 420;

/**
 * Inner width of a chart card in a grid of `columns` columns spanning element `el`: at least `min` when the
 * element is that wide, never wider than the element. A grid whose columns would be narrower than `min`
 * has one column (style.css), and its charts are as wide as the element.
 */
export function cardWidth(el, columns = 1, min = MIN_COLUMN_CHART) {
  const outer = (el.clientWidth - GRID_GAP * (columns - 1)) / columns;
  if (columns > 1 && outer - CARD_INSET < min) return cardWidth(el, 1, min);
  // An element not laid out (clientWidth 0, e.g. a view hidden while the window resizes) gets `min`.
  const widest = el.clientWidth > CARD_INSET ? Math.floor(el.clientWidth - CARD_INSET) : min;
  return Math.max(Math.min(min, widest), Math.floor(outer - CARD_INSET));
}
