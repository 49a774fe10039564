// The critical path of one request and the flow between its spans, from the spans alone: the trace
// records no parent links, so causality is read from time (a span follows the one that ended last
// before it started), as the spans of a request are a chain of stages with parallel items in between.

/** Times closer than this (relative) are equal: a stage starts at the very instant its input ends. */
const EPS = 1e-9;
const near = (a, b) => a <= b + EPS * Math.max(1, Math.abs(b));

/**
 * The chain of spans that determines a request's end-to-end time: from the span that ends last, back
 * through the span that ended last before each one started, to the first. Spans of kind `request` (the
 * request as a whole) are not part of it. Ties (two spans ending at once) go to the one that started
 * first (the longer). Returns the spans in time order; [] when there are none.
 *
 * @param spans the spans of one request ({kind, start, end, …})
 */
export function criticalPath(spans) {
  const parts = spans.filter((s) => s.kind !== 'request');
  if (!parts.length) return [];
  const later = (a, b) => a.end > b.end || (a.end === b.end && a.start < b.start);
  let current = parts[0];
  for (const s of parts) if (later(s, current)) current = s;
  const path = [current];
  const used = new Set(path);
  for (;;) {
    let before = null;
    for (const s of parts) {
      if (used.has(s) || !near(s.end, current.start) || s.start > current.start) continue;
      if (!before || later(s, before)) before = s;
    }
    if (!before) break;
    path.push(before);
    used.add(before);
    current = before;
  }
  return path.reverse();
}

/**
 * The flow of a request: for each of its spans, a link from the span it follows (the one that ended
 * last before it started; none for the first) and a last link from the span ending last to the end of the
 * request span (the answer reaching the client). `crossHost` is true when the two spans ran on
 * different hosts: the arrows the timeline draws between hosts.
 *
 * @param spans the spans of one request
 * @returns {{from: object, to: object, toEnd: boolean, crossHost: boolean}[]} `toEnd`: the link ends at
 *   the end of `to` (the request span), else at its start
 */
export function flowLinks(spans) {
  const parts = spans.filter((s) => s.kind !== 'request');
  const whole = spans.find((s) => s.kind === 'request');
  const links = [];
  for (const b of parts) {
    let a = null;
    for (const s of parts) {
      if (s === b || !near(s.end, b.start) || s.start > b.start) continue;
      // Not a span that starts at b's start and is b's equal: zero-length spans would link both ways.
      if (s.start === b.start && s.end === b.end) continue;
      if (!a || s.end > a.end || (s.end === a.end && s.start < a.start)) a = s;
    }
    if (a) links.push({ from: a, to: b, toEnd: false, crossHost: a.host !== b.host });
  }
  const path = criticalPath(spans);
  const last = path.at(-1);
  if (whole && last) links.push({ from: last, to: whole, toEnd: true, crossHost: last.host !== whole.host });
  return links;
}
