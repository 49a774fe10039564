import type http from 'node:http';

/**
 * The live controller's channel into a driver, for a target whose instance count is decided at run time
 * (an autoscaler): `POST /scale {"instances": k}` on the driver's image server. The driver applies it as
 * a timed scale step (its balance keeps the first k instances; one brought in is probed until it
 * answers) and answers once it is applied, so the controller drains a removed instance only after the
 * drivers stopped sending to it. A count that comes before the workload's start is kept until then.
 */
export class DriverControl {
  #pending: number | undefined;
  #apply: ((k: number) => void) | undefined;
  /** The counts received, with the driver's wall-clock time (seconds since the epoch). */
  readonly received: { t: number; instances: number }[] = [];

  /** A new count from the controller. */
  scale(k: number, t: number): void {
    this.received.push({ t, instances: k });
    if (this.#apply) this.#apply(k);
    else this.#pending = k;
  }

  /** The driver's balance is ready: counts go to `fn` from now on (the last one received before, at once). */
  attach(fn: (k: number) => void): void {
    this.#apply = fn;
    if (this.#pending !== undefined) fn(this.#pending);
    this.#pending = undefined;
  }
}

/** Handles `POST /scale` for `control`; false when the request is something else. */
export function handleControl(
  control: DriverControl,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  now: () => number,
): boolean {
  if (req.method !== 'POST' || req.url !== '/scale') return false;
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => {
    body += c;
  });
  req.on('end', () => {
    let k: unknown;
    try {
      k = (JSON.parse(body) as { instances?: unknown }).instances;
    } catch {
      k = undefined;
    }
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"error":"instances must be an integer ≥ 0"}');
      return;
    }
    control.scale(k, now());
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ instances: k }));
  });
  return true;
}
