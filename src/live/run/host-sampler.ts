import type { LiveHost } from '../target.js';

/** One sample of a host: machine CPU busy fraction since the previous sample, memory, and per-process CPU. */
export interface HostSample {
  t: number;
  cpuBusy: number;
  memUsedBytes: number;
  memTotalBytes: number;
  processes: Record<string, number>;
}

interface Raw {
  t: number;
  busy: number;
  total: number;
  memUsed: number;
  memTotal: number;
  proc: Map<number, number>;
  classes: Map<string, number>;
}

// Machine counters, then every process's stat: a process started by the run leads its own session,
// and its CPU is the sum over that session (a `sh -c` and the program it runs, worker threads included).
const SCRIPT =
  'cat /proc/stat /proc/meminfo; cd /proc && for f in [0-9]*/stat; do read -r l < "$f" && echo "PID $l"; done 2>/dev/null; [ -z "$1" ] || { echo TC; tc -s class show dev "$1"; }';
const TICKS = 100; // USER_HZ on Linux

function parse(text: string, t: number): Raw {
  let busy = 0,
    total = 0,
    memTotal = 0,
    memAvail = 0;
  const proc = new Map<number, number>();
  const classes = new Map<string, number>();
  let cls: string | undefined;
  for (const line of text.split('\n')) {
    // tc -s class show: "class htb 1:2 root …" then " Sent 123 bytes …"
    const c = /^class \w+ (\S+)/.exec(line);
    if (c) cls = c[1];
    const sent = /^\s*Sent (\d+) bytes/.exec(line);
    if (sent && cls) classes.set(cls, Number(sent[1]));
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1).map(Number);
      total = f.slice(0, 8).reduce((a, b) => a + b, 0);
      busy = total - (f[3] ?? 0) - (f[4] ?? 0);
    } else if (line.startsWith('MemTotal:')) memTotal = Number(line.split(/\s+/)[1]) * 1024;
    else if (line.startsWith('MemAvailable:')) memAvail = Number(line.split(/\s+/)[1]) * 1024;
    else if (line.startsWith('PID ')) {
      const close = line.lastIndexOf(')');
      if (close < 0) continue;
      const f = line.slice(close + 2).split(' ');
      const session = Number(f[3]);
      proc.set(session, (proc.get(session) ?? 0) + Number(f[11]) + Number(f[12]));
    }
  }
  return { t, busy, total, memUsed: memTotal - memAvail, memTotal, proc, classes };
}

/**
 * Samples CPU and memory of every host once a period over its SSH connection (/proc/stat,
 * /proc/meminfo, /proc/PID/stat of the processes the run started there).
 */
export class HostSampler {
  readonly samples = new Map<string, HostSample[]>();
  readonly #last = new Map<string, Raw>();
  /** CPU ticks of each process over time, by `<process id>\0<pid>` (see cpuBetween). */
  readonly #procTicks = new Map<string, { t: number; ticks: number }[]>();
  /** Bytes sent by each tc class, by `<host>\0<classid>`. */
  readonly #classBytes = new Map<string, { t: number; ticks: number }[]>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(
    readonly hosts: readonly LiveHost[],
    readonly pidsOf: (host: string) => { id: string; pid: number }[],
    readonly clock: () => number,
    readonly periodMs = 1000,
    readonly shapedDevice: (host: string) => string | undefined = () => undefined,
  ) {}

  start(): void {
    void this.tick();
    this.#timer = setInterval(() => void this.tick(), this.periodMs);
  }

  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await Promise.all(
        this.hosts.map(async (h) => {
          const procs = this.pidsOf(h.name);
          const r = await h
            .exec(['sh', '-c', SCRIPT, 'sh', this.shapedDevice(h.name) ?? ''], { timeoutMs: 5000 })
            .catch(() => undefined);
          if (r?.code !== 0) return;
          const raw = parse(r.stdout, this.clock());
          const prev = this.#last.get(h.name);
          this.#last.set(h.name, raw);
          for (const [cls, bytes] of raw.classes) {
            const key = `${h.name}\0${cls}`;
            const list = this.#classBytes.get(key) ?? [];
            list.push({ t: raw.t, ticks: bytes });
            this.#classBytes.set(key, list);
          }
          const processes: Record<string, number> = {};
          for (const p of procs) {
            const ticks = raw.proc.get(p.pid);
            if (ticks === undefined) continue;
            // One series per process (a service restarted, or a driver per repetition, gets a new one);
            // monotonic, as a session's processes that exit take their CPU time with them.
            const key = `${p.id}\0${p.pid}`;
            const list = this.#procTicks.get(key) ?? [];
            list.push({ t: raw.t, ticks: Math.max(ticks, list[list.length - 1]?.ticks ?? 0) });
            this.#procTicks.set(key, list);
            const before = prev?.proc.get(p.pid);
            if (prev && before !== undefined && raw.t > prev.t)
              processes[p.id] = (ticks - before) / TICKS / (raw.t - prev.t);
          }
          if (!prev) return;
          const list = this.samples.get(h.name) ?? [];
          list.push({
            t: raw.t,
            cpuBusy: raw.total > prev.total ? (raw.busy - prev.busy) / (raw.total - prev.total) : 0,
            memUsedBytes: raw.memUsed,
            memTotalBytes: raw.memTotal,
            processes,
          });
          this.samples.set(h.name, list);
        }),
      );
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Bytes a tc class of a host sent between two run-clock times (from the samples around them). */
  bytesBetween(host: string, classid: string, t0: number, t1: number): number | undefined {
    const list = this.#classBytes.get(`${host}\0${classid}`);
    if (!list || list.length < 2) return undefined;
    const a = [...list].reverse().find((x) => x.t <= t0) ?? list[0]!;
    const b = list.find((x) => x.t >= t1) ?? list[list.length - 1]!;
    return b.t > a.t ? ((b.ticks - a.ticks) * (t1 - t0)) / (b.t - a.t) : undefined;
  }

  /** CPU seconds a process used between two run-clock times (from the nearest samples). */
  cpuBetween(id: string, t0: number, t1: number): number | undefined {
    let total: number | undefined;
    for (const [key, list] of this.#procTicks) {
      if (!key.startsWith(`${id}\0`) || list.length < 2) continue;
      const a = [...list].reverse().find((x) => x.t <= t0) ?? list[0]!;
      const b = list.find((x) => x.t >= t1) ?? list[list.length - 1]!;
      if (b.t <= a.t || b.t < t0 || a.t > t1) continue;
      // Scaled to the window when the samples around it are wider than it.
      const span = Math.min(b.t, t1) - Math.max(a.t, t0);
      total = (total ?? 0) + (((b.ticks - a.ticks) / TICKS) * Math.max(0, span)) / (b.t - a.t);
    }
    return total;
  }
}
