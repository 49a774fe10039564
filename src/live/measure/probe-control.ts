import type net from 'node:net';
import { onLines } from './lines.js';
import { probeRtt, probeServe, probeThroughput, type RttResult, type ThroughputResult } from './probe.js';

// The probe server's control connections: the live run's network check asks each source host for its
// probes over one connection per checked link (forwarded by the host's SSH server) instead of starting
// an `e2ctwin probe` process over SSH for each probe (a Node start-up and an SSH exchange each: about
// 0.4 s per probe on the 2-core test machine, ten probes or more per run).

/** A probe the controller asks a host to run (one JSON line). */
export type ProbeRequest =
  | { kind: 'rtt'; address: string; port: number; count: number }
  | { kind: 'throughput'; address: string; port: number; seconds: number };

/** The answer to one request (one JSON line): the probe's result, or why it failed. */
export type ProbeAnswer = { result: RttResult | ThroughputResult } | { error: string };

/** `e2ctwin probe serve` with control connections: see {@link probeServe}. */
export function probeServeWithControl(port: number, host: string): Promise<net.Server> {
  return probeServe(port, host, serveRequests);
}

/** Answers the connection's requests one after another, in order, until it closes. */
function serveRequests(sock: net.Socket, rest: Buffer): void {
  let queue = Promise.resolve();
  onLines(
    sock,
    (line) => {
      queue = queue.then(async () => {
        const answer = await run(line);
        if (!sock.destroyed) sock.write(`${JSON.stringify(answer)}\n`);
      });
    },
    rest,
  );
}

async function run(line: string): Promise<ProbeAnswer> {
  try {
    const r = JSON.parse(line) as Partial<ProbeRequest>;
    if (typeof r.address !== 'string' || !Number.isInteger(r.port))
      throw new Error('a request needs address and port');
    if (r.kind === 'rtt' && Number.isInteger(r.count) && r.count! >= 1)
      return { result: await probeRtt(r.address, r.port!, r.count) };
    if (r.kind === 'throughput' && typeof r.seconds === 'number' && r.seconds > 0)
      return { result: await probeThroughput(r.address, r.port!, r.seconds) };
    throw new Error(`not a probe request: ${line.slice(0, 80)}`);
  } catch (e) {
    return { error: (e as Error).message };
  }
}
