import type { SpanRecord } from './record.js';

/** One event of the Chrome trace event format (what Perfetto and chrome://tracing open). */
export interface ChromeTraceEvent {
  name: string;
  cat: string;
  ph: 'X' | 'M';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

/**
 * Converts spans to Chrome trace events: one process per host, one thread per pool lane (plus one for
 * requests and one for the network), complete events ('X') in microseconds, with metadata events naming
 * processes and threads.
 */
export function toChromeTrace(spans: readonly SpanRecord[]): {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
} {
  const pids = new Map<string, number>();
  const tids = new Map<string, number>();
  const events: ChromeTraceEvent[] = [];
  const pidOf = (host: string) => {
    let pid = pids.get(host);
    if (pid === undefined) {
      pid = pids.size + 1;
      pids.set(host, pid);
      events.push({
        name: 'process_name',
        cat: '__metadata',
        ph: 'M',
        ts: 0,
        pid,
        tid: 0,
        args: { name: host },
      });
    }
    return pid;
  };
  const tidOf = (pid: number, lane: string) => {
    const key = `${pid}/${lane}`;
    let tid = tids.get(key);
    if (tid === undefined) {
      tid = tids.size + 1;
      tids.set(key, tid);
      events.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid, args: { name: lane } });
    }
    return tid;
  };
  for (const s of spans) {
    const pid = pidOf(s.host);
    const lane =
      s.kind === 'stage' && s.pool !== undefined
        ? `${s.pool} #${s.lane ?? 0}`
        : s.kind === 'wait'
          ? `${s.pool ?? ''} queue`
          : s.kind === 'network'
            ? 'network'
            : 'requests';
    events.push({
      name: s.kind === 'request' ? `request ${s.request}` : s.name,
      cat: s.kind,
      ph: 'X',
      ts: s.start * 1e6,
      dur: Math.max(0, (s.end - s.start) * 1e6),
      pid,
      tid: tidOf(pid, lane),
      args: {
        request: s.request,
        ...(s.item !== undefined ? { item: s.item } : {}),
        ...(s.status ? { status: s.status } : {}),
      },
    });
  }
  return { traceEvents: events, displayTimeUnit: 'ms' };
}
