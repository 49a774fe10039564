import { describe, expect, it } from 'vitest';

// Which spans the timeline asks the server for as it zooms (web/lib/span-windows.js).

type Answer = {
  spans: unknown[];
  detail?: string;
  extent?: { from: number; to: number };
  window?: { from: number; to: number };
};
type Windows = {
  current: () => Answer;
  need: (domain: [number, number]) => Promise<Answer | null> | null;
};
// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const WEB_MODULE = '../../web/lib/span-windows.js';
const { traceWindows } = (await import(WEB_MODULE)) as {
  traceWindows: (o: {
    overview: Answer;
    fetchWindow: (q: { from: number; to: number; maxSpans: number }) => Promise<Answer>;
    maxSpans: number;
  }) => Windows;
};

const overview: Answer = {
  spans: [],
  detail: 'merged',
  extent: { from: 0, to: 1000 },
  window: { from: 0, to: 1000 },
};

function windowsAsked(detail = 'spans') {
  const asked: { from: number; to: number; maxSpans: number }[] = [];
  const w = traceWindows({
    overview,
    maxSpans: 500,
    fetchWindow: async (q) => {
      asked.push(q);
      return { spans: [], detail, window: { from: q.from, to: q.to } };
    },
  });
  return { w, asked };
}

describe('traceWindows({overview, fetchWindow, maxSpans})', () => {
  it('need(domain) asks for nothing when the trace came whole', () => {
    const w = traceWindows({
      overview: { spans: [] },
      maxSpans: 5,
      fetchWindow: () => Promise.reject(new Error('no')),
    });
    expect(w.need([10, 20])).toBeNull();
  });

  it('need(domain) keeps the overview while most of the run is shown, then asks for the domain with half its width each side', async () => {
    const { w, asked } = windowsAsked();
    expect(w.need([0, 1000])).toBeNull();
    expect(w.need([20, 950])).toBeNull();
    const got = await w.need([400, 500]);
    expect(asked).toEqual([{ from: 350, to: 550, maxSpans: 500 }]);
    expect(got?.window).toEqual({ from: 350, to: 550 });
    expect(w.current()).toBe(got);
    // Inside the window fetched (spans, not merged): nothing more; out of it: the next window.
    expect(w.need([360, 540])).toBeNull();
    await w.need([560, 600]);
    expect(asked.at(-1)).toEqual({ from: 540, to: 620, maxSpans: 500 });
    // Near the start: the window is cut at the trace's extent.
    await w.need([0, 10]);
    expect(asked.at(-1)).toEqual({ from: 0, to: 15, maxSpans: 500 });
    // Back to the whole run: the overview again, without asking.
    expect(await w.need([0, 1000])).toBe(overview);
    expect(asked).toHaveLength(3);
  });

  it('need(domain) asks again inside a merged window once zoomed in past twice its width', async () => {
    const { w, asked } = windowsAsked('merged');
    await w.need([400, 500]);
    expect(w.need([390, 490])).toBeNull(); // a pan inside the window, at the same zoom
    await w.need([440, 460]);
    expect(asked).toHaveLength(2);
  });

  it('need(domain) drops an answer overtaken by a later need', async () => {
    const { w } = windowsAsked();
    const first = w.need([100, 200]);
    const second = w.need([700, 800]);
    expect(await first).toBeNull();
    expect((await second)?.window).toEqual({ from: 650, to: 850 });
    expect(w.current().window).toEqual({ from: 650, to: 850 });
  });
});
