// The server's JSON API (src/server/): one function per call. Errors come back as thrown ApiError
// carrying the server's body ({statusCode, code, message, issues?}).

import { withSpans } from './lib/span-columns.js';

export class ApiError extends Error {
  constructor(body) {
    super(body.message ?? `HTTP ${body.statusCode}`);
    this.body = body;
    this.code = body.code;
    this.issues = body.issues ?? null;
  }
}

async function call(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({ statusCode: res.status, message: res.statusText }));
  if (!res.ok) throw new ApiError(data);
  return data;
}

/** A query string of the defined values. */
const query = (params) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');

export const api = {
  scenarios: () => call('GET', '/api/scenarios'),
  scenarioText: (name) => call('GET', `/api/scenarios/text?name=${encodeURIComponent(name)}`),
  checkScenario: (body) => call('POST', '/api/scenarios/check', body),
  runs: () => call('GET', '/api/runs'),
  run: (id) => call('GET', `/api/runs/${encodeURIComponent(id)}`),
  trace: (id) => call('GET', `/api/runs/${encodeURIComponent(id)}/trace`),
  /** Spans of [from, to] (default: the whole run), merged by the server past maxSpans. */
  traceWindow: (id, { from, to, maxSpans } = {}) =>
    call('GET', `/api/runs/${encodeURIComponent(id)}/trace?${query({ from, to, maxSpans })}`),
  /**
   * What the timeline asks for first: the whole trace when it is small, else the server's overview of it
   * (merged per track and time bucket; the server says how many spans an overview holds), its spans
   * sent as columns.
   */
  traceOverview: (id) => call('GET', `/api/runs/${encodeURIComponent(id)}/trace?overview=1`).then(withSpans),
  traceRequest: (id, request) =>
    call('GET', `/api/runs/${encodeURIComponent(id)}/trace?${query({ request })}`),
  traceStats: (id, from, to) =>
    call('GET', `/api/runs/${encodeURIComponent(id)}/trace/stats?${query({ from, to })}`),
  chromeTraceUrl: (id) => `/api/runs/${encodeURIComponent(id)}/chrome-trace`,
  fileUrl: (id, file) => `/api/runs/${encodeURIComponent(id)}/files/${file}`,
  startSimulation: (body) => call('POST', '/api/simulations', body),
  cancelSimulation: (id) => call('DELETE', `/api/simulations/${encodeURIComponent(id)}`),
  studies: () => call('GET', '/api/studies'),
  study: (id) => call('GET', `/api/studies/${encodeURIComponent(id)}`),
  /** A running study's result document so far (an optimizer's history and Pareto front, from progress.json). */
  studySoFar: (id) => call('GET', `/api/studies/${encodeURIComponent(id)}/so-far`),
  /** Trials of a study finished so far (from its store), after row `after`; `next` continues. */
  studyTrials: (id, after = 0) =>
    call('GET', `/api/studies/${encodeURIComponent(id)}/trials?${query({ after })}`),

  /** Follows a simulation's server-sent events; returns a function that stops listening. */
  followSimulation(eventsUrl, { onProgress, onDone, onFailed }) {
    const source = new EventSource(eventsUrl);
    const parse = (e) => JSON.parse(e.data);
    source.addEventListener('state', (e) => onProgress(parse(e)));
    source.addEventListener('progress', (e) => onProgress(parse(e)));
    source.addEventListener('done', (e) => {
      source.close();
      onDone(parse(e));
    });
    source.addEventListener('failed', (e) => {
      source.close();
      onFailed(parse(e));
    });
    source.addEventListener('cancelled', (e) => {
      source.close();
      onFailed(parse(e));
    });
    source.onerror = () => {
      // The stream ends after done/failed (closed above); any other error is a lost connection.
      if (source.readyState === EventSource.CLOSED) return;
      source.close();
      onFailed({ error: { message: 'lost the connection to the server' } });
    };
    return () => source.close();
  },
};
