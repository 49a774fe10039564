import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { LiveHost } from '../target.js';
import type { RunState } from './state.js';

// One HTTP exchange of the controller with a process on a testbed host (an engine's /pools or /stats,
// a driver's /scale), through the host's own connection (a namespace, an SSH tunnel): the controller
// does not need a route into the testbed.

/** One request to a process on a testbed host. */
export interface HostRequest {
  host: LiveHost;
  port: number;
  method: 'GET' | 'POST';
  path: string;
  /** JSON text (POST). */
  body?: string;
}

/** `method path` (with `body`) to `port` on `host`'s testbed address; the answer's status and text. */
export async function askHost(s: RunState, r: HostRequest): Promise<{ status: number; body: string }> {
  const stream = await s.guard(r.host.connect(r.port, r.host.address));
  return s.guard(exchange(stream, r.host.address, r.method, r.path, r.body));
}

function exchange(
  stream: Duplex,
  host: string,
  method: 'GET' | 'POST',
  path: string,
  body: string | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        method,
        path,
        headers: {
          host,
          ...(body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
            : {}),
        },
        createConnection: () => stream as never,
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          stream.destroy();
          resolve({ status: res.statusCode ?? 0, body: text });
        });
      },
    );
    req.on('error', (e) => {
      stream.destroy();
      reject(e);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}
