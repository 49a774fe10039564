// Which spans the timeline draws for the time it shows: the overview the server merged (drawn first, and
// whenever most of the run is shown), else the spans of a window around what is shown, fetched when a zoom
// or pan ends. A window is asked with a margin of half its width each side, so that a pan stays inside it.

/**
 * @param o.overview the first answer (GET …/trace?maxSpans=): {spans, extent, detail, window, …}, or a
 *   whole trace ({header, spans}: nothing more to fetch)
 * @param o.fetchWindow ({from, to, maxSpans}) → promise of a window's answer
 * @param o.maxSpans the most spans a window may bring (more are merged by the server)
 * @returns {{ current: () => object, need: (domain: [number, number]) => Promise<object | null> | null }}
 *   need(domain): null when the spans drawn serve the domain, else a promise of the spans to draw (null if
 *   a later need() overtook it)
 */
export function traceWindows({ overview, fetchWindow, maxSpans }) {
  let current = overview;
  let asked = 0;
  const whole = overview.detail !== 'merged' || !overview.extent;
  const { from: lo, to: hi } = overview.extent ?? { from: 0, to: 0 };
  return {
    current: () => current,
    need([d0, d1]) {
      if (whole) return null;
      const w = d1 - d0;
      if (w >= 0.9 * (hi - lo)) {
        if (current === overview) return null;
        asked++;
        current = overview;
        return Promise.resolve(overview);
      }
      const win = current.window;
      const covers = win && win.from <= Math.max(d0, lo) && win.to >= Math.min(d1, hi);
      // Spans as they are, or merged finely enough still (at most twice the width shown).
      if (covers && (current.detail === 'spans' || win.to - win.from <= 2 * w)) return null;
      const mine = ++asked;
      const from = Math.max(lo, d0 - w / 2);
      const to = Math.min(hi, d1 + w / 2);
      return fetchWindow({ from, to, maxSpans }).then((data) => {
        if (mine !== asked) return null;
        current = data;
        return data;
      });
    },
  };
}
