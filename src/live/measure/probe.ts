import net from 'node:net';

/**
 * A tiny TCP probe for checking emulated links, run on the testbed hosts (`e2ctwin probe …`): the
 * server echoes bytes (round-trip times) or sinks a bulk transfer and reports the rate it received.
 */
export function probeServe(port: number, host = '0.0.0.0'): Promise<net.Server> {
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    let mode: 'R' | 'T' | undefined;
    let bytes = 0;
    let first = 0;
    const marks: [number, number][] = [];
    sock.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (mode === undefined) {
        mode = data.subarray(0, 1).toString() as 'R' | 'T';
        data = data.subarray(1);
        first = performance.now();
      }
      if (mode === 'R') {
        if (data.length > 0) sock.write(data);
        return;
      }
      bytes += data.length;
      marks.push([performance.now(), bytes]);
    });
    sock.on('end', () => {
      if (mode !== 'T') return sock.end();
      // The rate over the transfer after its first quarter (TCP's slow start excluded).
      const last = marks[marks.length - 1] ?? [first, 0];
      const from = marks.find(([t]) => t >= first + (last[0] - first) / 4) ?? [first, 0];
      const seconds = (last[0] - from[0]) / 1000;
      const mbps = seconds > 0 ? ((last[1] - from[1]) * 8) / seconds / 1e6 : NaN;
      sock.end(JSON.stringify({ bytes, seconds: (last[0] - first) / 1000, mbps }));
    });
    sock.on('error', () => sock.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function connect(address: string, port: number, timeoutMs = 10_000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`probe: no connection to ${address}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.setNoDelay(true);
      resolve(sock);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface RttResult {
  samplesMs: number[];
  minMs: number;
  medianMs: number;
  meanMs: number;
  maxMs: number;
}

/** Round-trip times of one-byte messages on a TCP connection (after `warmup` unrecorded ones). */
export async function probeRtt(
  address: string,
  port: number,
  count = 20,
  warmup = 3,
  gapMs = 20,
): Promise<RttResult> {
  const sock = await connect(address, port);
  sock.write('R');
  const samples: number[] = [];
  try {
    for (let i = 0; i < count + warmup; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        sock.once('data', () => resolve());
        sock.once('error', reject);
        sock.write('x');
      });
      if (i >= warmup) samples.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  } finally {
    sock.destroy();
  }
  return summarize(samples);
}

export function summarize(samples: number[]): RttResult {
  const s = [...samples].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return {
    samplesMs: samples.map((x) => Math.round(x * 1000) / 1000),
    minMs: s[0]!,
    medianMs: median,
    meanMs: s.reduce((a, b) => a + b, 0) / s.length,
    maxMs: s[s.length - 1]!,
  };
}

export interface ThroughputResult {
  bytes: number;
  seconds: number;
  mbps: number;
}

/** Sends as fast as TCP allows for `seconds`; the receiver reports the rate (goodput, Mbit/s). */
export async function probeThroughput(address: string, port: number, seconds = 3): Promise<ThroughputResult> {
  const sock = await connect(address, port);
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  sock.write('T');
  const end = performance.now() + seconds * 1000;
  let reply = '';
  sock.on('data', (d: Buffer) => (reply += d.toString()));
  const closed = new Promise<void>((resolve, reject) => {
    sock.once('close', () => resolve());
    sock.once('error', reject);
  });
  while (performance.now() < end) {
    if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
  }
  sock.end();
  await closed;
  return JSON.parse(reply) as ThroughputResult;
}
