// One floating tooltip for every chart: show(event, html) near the pointer, hide().
const el = () => document.getElementById('tooltip');

export function showTooltip(event, html) {
  const t = el();
  if (!t) return;
  t.innerHTML = html;
  t.hidden = false;
  const pad = 14;
  const { innerWidth: w, innerHeight: h } = window;
  const r = t.getBoundingClientRect();
  let x = event.clientX + pad;
  let y = event.clientY + pad;
  if (x + r.width > w - 4) x = event.clientX - r.width - pad;
  if (y + r.height > h - 4) y = event.clientY - r.height - pad;
  t.style.left = `${Math.max(4, x)}px`;
  t.style.top = `${Math.max(4, y)}px`;
}

export function hideTooltip() {
  const t = el();
  if (t) t.hidden = true;
}
