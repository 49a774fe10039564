// Chart widths that fit the page's cards (.chart-card: 6 px padding and 1 px border on each side).
const CARD_INSET = 14;
const GRID_GAP = 16;

/** Inner width of a chart card in a grid of `columns` columns spanning element `el`. */
export function cardWidth(el, columns = 1, min = 420) {
  const outer = (el.clientWidth - GRID_GAP * (columns - 1)) / columns;
  return Math.max(min, Math.floor(outer - CARD_INSET));
}
