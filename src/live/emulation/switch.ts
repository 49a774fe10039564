// The userspace wire of the local testbed, for kernels without sch_netem: an Ethernet switch whose
// ports are the hosts' TAP devices (opened by socat, frames carried over UDP on 127.0.0.1). It adds the
// one-way delay of each (source host, destination host) pair; rate and loss stay in the kernel (htb,
// nftables) inside the namespaces. Run as `node dist/live/switch.js CONFIG.json`; prints "ready" once
// bound. A JSON datagram {"delays": [[ms …] …]} on the control port replaces the delays and is answered "ok".
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';

interface Config {
  ports: { listen: number; peer: number }[];
  control: number;
  delays: number[][];
}

const cfg = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;
const n = cfg.ports.length;
let delays = cfg.delays;
const macs = new Map<string, number>();
const socks = cfg.ports.map(() => dgram.createSocket('udp4'));

// One FIFO per (source, destination) pair with one timer: frames keep their order (TCP hates
// reordering). A frame never leaves before its due time: Node's timers have millisecond resolution and
// may fire early on the clock read here, so the timer is armed for the whole milliseconds up to the due
// time and re-armed if it fires before it. The wire only adds to the delay it is given (by the timer's
// lateness, ~0.3 ms median here), as netem does; the run's network check subtracts the path's least
// latency from that delay, in whole-millisecond steps (network-check.ts).
interface Lane {
  frames: Buffer[];
  due: number[];
  head: number;
  timer: NodeJS.Timeout | undefined;
}
const lanes = new Map<number, Lane>();
const send = (dst: number, frame: Buffer) => socks[dst]!.send(frame, cfg.ports[dst]!.peer, '127.0.0.1');

function flush(key: number, dst: number): void {
  const lane = lanes.get(key)!;
  lane.timer = undefined;
  const now = performance.now();
  while (lane.head < lane.frames.length && lane.due[lane.head]! <= now) {
    send(dst, lane.frames[lane.head]!);
    lane.head++;
  }
  if (lane.head === lane.frames.length) {
    lane.frames = [];
    lane.due = [];
    lane.head = 0;
    return;
  }
  lane.timer = setTimeout(flush, Math.max(0, Math.ceil(lane.due[lane.head]! - now)), key, dst);
}

function deliver(src: number, dst: number, frame: Buffer): void {
  const d = delays[src]?.[dst] ?? 0;
  const key = src * n + dst;
  let lane = lanes.get(key);
  if (d <= 0 && (!lane || lane.head === lane.frames.length)) return send(dst, frame);
  if (!lane) lanes.set(key, (lane = { frames: [], due: [], head: 0, timer: undefined }));
  lane.frames.push(frame);
  lane.due.push(performance.now() + d);
  if (lane.timer === undefined) lane.timer = setTimeout(flush, Math.max(0, Math.ceil(d)), key, dst);
}

let bound = 0;
const onBound = () => {
  if (++bound === n + 1) process.stdout.write('ready\n');
};
socks.forEach((sock, i) => {
  sock.on('message', (frame) => {
    if (frame.length < 14) return;
    macs.set(frame.subarray(6, 12).toString('hex'), i);
    const broadcast = (frame[0]! & 1) === 1;
    const to = broadcast ? undefined : macs.get(frame.subarray(0, 6).toString('hex'));
    if (to !== undefined) {
      if (to !== i) deliver(i, to, frame);
      return;
    }
    for (let j = 0; j < n; j++) if (j !== i) deliver(i, j, frame);
  });
  sock.on('error', (e) => {
    process.stderr.write(`port ${i}: ${e.message}\n`);
  });
  sock.bind(cfg.ports[i]!.listen, '127.0.0.1', onBound);
});

const control = dgram.createSocket('udp4');
control.on('message', (msg, rinfo) => {
  try {
    const m = JSON.parse(msg.toString()) as { delays?: number[][] };
    if (m.delays) delays = m.delays;
    control.send('ok', rinfo.port, rinfo.address);
  } catch (e) {
    control.send(`error: ${(e as Error).message}`, rinfo.port, rinfo.address);
  }
});
control.bind(cfg.control, '127.0.0.1', onBound);
process.on('SIGTERM', () => process.exit(0));
