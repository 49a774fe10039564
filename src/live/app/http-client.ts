import http from 'node:http';

/**
 * The driver's HTTP client: node:http on an explicit keep-alive agent rather than `fetch`, because the
 * twin models connections (workload `keepAliveS`): a request on a connection closed since the last one
 * pays a TCP handshake and slow start, and the live run must make the same choice the twin does. One
 * agent per closed-loop user (one connection, as a phone app holds), closing its connection after
 * `keepAliveS` idle seconds; every answer says whether its connection was new, so a run shows how many
 * requests paid the set-up.
 */
export interface Connections {
  readonly agent: http.Agent;
}

/**
 * A user's connection: keep-alive, one socket at most, closed after `keepAliveS` idle seconds
 * (undefined: kept while the server keeps it).
 */
export function userConnection(keepAliveS: number | undefined): Connections {
  return {
    agent: new http.Agent({
      keepAlive: true,
      maxSockets: 1,
      // The agent destroys a free socket when this timer fires (the timer restarts with any traffic).
      ...(keepAliveS !== undefined ? { timeout: Math.max(1, Math.round(keepAliveS * 1000)) } : {}),
    }),
  };
}

export interface Answer {
  status: number;
  /** The request went out on a connection opened for it (a TCP handshake first). */
  newConnection: boolean;
  /** Body bytes received. */
  bytes: number;
}

export interface Ask {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Sends one request and reads its whole answer. Rejects like fetch: network errors, and `AbortError` on the signal. */
export function httpAsk(url: string, ask: Ask, conn: Connections): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: ask.method ?? 'GET',
      agent: conn.agent,
      headers: {
        ...ask.headers,
        ...(ask.body !== undefined ? { 'content-length': String(Buffer.byteLength(ask.body)) } : {}),
      },
      ...(ask.signal ? { signal: ask.signal } : {}),
    });
    req.on('error', (e) => {
      // http.request reports an abort as AbortError; a timeout signal's reason names it.
      if (ask.signal?.aborted) {
        const r = ask.signal.reason as Error | undefined;
        const err = new Error(r?.message ?? 'aborted');
        err.name = r?.name === 'TimeoutError' ? 'TimeoutError' : 'AbortError';
        reject(err);
      } else reject(e);
    });
    req.on('response', (res) => {
      const newConnection = !req.reusedSocket;
      res.on('error', reject);
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, newConnection, bytes }));
    });
    req.end(ask.body);
  });
}
