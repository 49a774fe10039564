import net from 'node:net';

/** A connection whose first byte is 'C', handed over with what followed that byte. */
export type ControlHandler = (sock: net.Socket, rest: Buffer) => void;

/**
 * A tiny TCP probe for checking emulated links, run on the testbed hosts (`e2ctwin probe …`). The first
 * byte of a connection says what it is: 'R' an echo (round-trip times); 'T' a bulk transfer the server
 * times (see {@link probeThroughput}); 'C' a control connection (probes asked of this host, answered by
 * `control`), accepted from loopback only: the controller reaches it through the host's SSH server, the
 * other testbed hosts never can.
 */
export function probeServe(port: number, host = '0.0.0.0', control?: ControlHandler): Promise<net.Server> {
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    let mode: 'R' | 'T' | 'C' | undefined;
    let header = '';
    let receiver: BulkReceiver | undefined;
    sock.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (mode === undefined) {
        mode = data.subarray(0, 1).toString() as 'R' | 'T' | 'C';
        data = data.subarray(1);
        if (mode === 'C') {
          sock.removeAllListeners('data');
          if (!control || !isLoopback(sock.remoteAddress)) return void sock.destroy();
          return control(sock, data);
        }
      }
      if (mode === 'R') {
        if (data.length > 0) sock.write(data);
        return;
      }
      if (!receiver) {
        // The header: the seconds to measure, up to a newline (split across chunks if TCP splits it).
        const nl = data.indexOf(0x0a);
        if (nl < 0 && header.length + data.length > 32) return void sock.destroy();
        header += data.subarray(0, nl < 0 ? data.length : nl).toString();
        if (nl < 0) return;
        receiver = new BulkReceiver(sock, Number(header));
        data = data.subarray(nl + 1);
      }
      receiver.add(data.length);
    });
    sock.on('end', () => {
      // A sender that stops before the server's answer gets the rate of what it sent.
      if (receiver) receiver.answer();
      else if (mode !== 'C') sock.end();
    });
    sock.on('error', () => sock.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

const isLoopback = (a: string | undefined) =>
  a !== undefined && (a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.'));

/**
 * The receiving end of a throughput probe: counts the bytes as they arrive for the probe's seconds
 * (from its first byte), then answers the rate and ignores the rest (the sender stops at the answer and
 * drops what its socket buffers still hold: waiting for them to drain at the shaped rate, as the probe
 * did when the sender timed it, cost up to a second and measured nothing new).
 */
class BulkReceiver {
  readonly #first = performance.now();
  readonly #marks: [number, number][] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #answered = false;

  constructor(
    private readonly sock: net.Socket,
    seconds: number,
  ) {
    if (Number.isFinite(seconds) && seconds > 0)
      this.#timer = setTimeout(() => this.answer(), seconds * 1000);
  }

  add(n: number): void {
    if (this.#answered || n === 0) return;
    this.#bytes += n;
    this.#marks.push([performance.now(), this.#bytes]);
  }

  answer(): void {
    if (this.#answered) return;
    this.#answered = true;
    clearTimeout(this.#timer);
    this.sock.end(JSON.stringify(bulkRate(this.#first, this.#marks)));
  }
}

/**
 * The rate of a transfer from its arrival marks ([time ms, bytes so far]): over the part after its first
 * quarter (TCP's slow start excluded).
 */
export function bulkRate(first: number, marks: readonly [number, number][]): ThroughputResult {
  const last = marks[marks.length - 1] ?? [first, 0];
  const from = marks.find(([t]) => t >= first + (last[0] - first) / 4) ?? [first, 0];
  const seconds = (last[0] - from[0]) / 1000;
  const mbps = seconds > 0 ? ((last[1] - from[1]) * 8) / seconds / 1e6 : NaN;
  return { bytes: last[1], seconds: (last[0] - first) / 1000, mbps };
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

/**
 * Sends as fast as TCP allows until the receiver, after `seconds` from the first byte, answers the rate
 * it received (goodput, Mbit/s); then resets the connection, which drops what the sender's socket still
 * buffered (up to megabytes: draining it at the shaped rate, as the probe did when the sender timed it and
 * closed, cost up to a second and measured nothing new), and returns once the path is empty again: what
 * the shaper's queue still held must not be sent alongside the next probe or the workload.
 */
export async function probeThroughput(address: string, port: number, seconds = 3): Promise<ThroughputResult> {
  const sock = await connect(address, port);
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let reply = '';
  let answered = false;
  let wake: () => void = () => {};
  const closed = new Promise<void>((resolve, reject) => {
    sock.on('data', (d: Buffer) => {
      reply += d.toString();
      answered = true;
      wake();
    });
    // The answer is whole when the receiver ends its side.
    sock.once('end', () => resolve());
    sock.once('close', () => resolve());
    sock.once('error', reject);
  });
  closed
    .catch(() => {})
    .finally(() => {
      answered = true;
      wake();
    });
  // A receiver that never answers (gone, or an older one that waits for the end) fails the probe.
  const limit = setTimeout(
    () => sock.destroy(new Error(`probe: no answer from ${address}:${port} within ${seconds + 30} s`)),
    (seconds + 30) * 1000,
  );
  try {
    sock.write(`T${seconds}\n`);
    while (!answered) {
      if (!sock.write(chunk))
        await new Promise<void>((r) => {
          wake = () => {
            sock.off('drain', wake);
            wake = () => {};
            r();
          };
          sock.once('drain', wake);
        });
    }
    await closed;
  } finally {
    clearTimeout(limit);
    // A reset, not a close: a closed socket would still send all it buffered.
    if (!sock.destroyed) sock.resetAndDestroy();
  }
  await pathEmptied(address, port);
  return JSON.parse(reply) as ThroughputResult;
}

/**
 * Waits until the packets queued towards `address` before this call have arrived: a new connection's
 * handshake and one round trip queue behind them (the shaper's queue per destination is one FIFO: htb's
 * leaf, netem's, the userspace switch's lane per host pair), so they complete only once those are through.
 */
async function pathEmptied(address: string, port: number): Promise<void> {
  const sock = await connect(address, port);
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('data', () => resolve());
      sock.once('error', reject);
      sock.write('Rx');
    });
  } finally {
    sock.destroy();
  }
}
