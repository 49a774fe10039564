// Number formats shared by the views: every value shown carries its unit.

/** Seconds as "2.648 s", "35.2 ms" or "410 µs". */
export function seconds(v) {
  if (v == null || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${(v * 1e6).toPrecision(3)} µs`;
  if (a < 1) return `${(v * 1e3).toPrecision(3)} ms`;
  if (a < 100) return `${v.toFixed(3)} s`;
  return `${v.toFixed(1)} s`;
}

/** A fraction as a percentage, "93.4 %". */
export function percent(v, digits = 1) {
  return v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)} %`;
}

/** A count or a measure with thousands separators and at most `digits` decimals. */
export function number(v, digits = 3) {
  if (v == null || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** A value with its unit: number(v) + ' ' + unit. */
export function withUnit(v, unit, digits = 3) {
  return v == null || !Number.isFinite(v) ? '—' : `${number(v, digits)} ${unit}`;
}

/** "± 0.11 s" from a 95 % interval, or '' when there is none. */
export function ci(c, fmt = seconds) {
  return c && Number.isFinite(c.halfWidth) && c.halfWidth > 0 ? `± ${fmt(c.halfWidth)}` : '';
}

/** A date-time as "2025-03-01 14:02:11" (local time). */
export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Escapes text for innerHTML. */
export function esc(s) {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

/** A time left as the command line prints it: "40 s", "12 min", "3.5 h". */
export function timeLeft(s) {
  if (s == null || !Number.isFinite(s)) return '–';
  const r = Math.round(s);
  if (r < 120) return `${r} s`;
  if (r < 7200) return `${Math.round(r / 60)} min`;
  return `${(r / 3600).toFixed(1)} h`;
}
