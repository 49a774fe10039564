import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  autoThroughputSeconds,
  MAX_PROBE_S,
  MIN_PROBE_S,
  repeatSeconds,
} from '../../src/live/measure/probe-duration.js';
import { bulkRate, type RttResult, summarize } from '../../src/live/measure/probe.js';
import { probeServeWithControl } from '../../src/live/measure/probe-control.js';
import type { PairRule, VerifyPair } from '../../src/live/plan/types.js';
import { scheduleChecks } from '../../src/live/run/check-schedule.js';
import { switchStep, verifyNetwork } from '../../src/live/run/network-check.js';
import { RunState } from '../../src/live/run/state.js';
import type { LiveRunInput } from '../../src/live/run/types.js';
import type { LiveHost } from '../../src/live/target.js';

const ADDR: Record<string, string> = { 'cloud-1': '10.9.0.10', 'fog-1': '10.9.0.11', 'edge-1': '10.9.0.12' };
const hostOf = (address: string) => Object.keys(ADDR).find((h) => ADDR[h] === address)!;

const rule = (src: string, dst: string, constraint: number, delayMs: number, rateMbps: number): PairRule => ({
  src,
  dst,
  dstAddress: ADDR[dst]!,
  device: `tap-${src}`,
  constraint,
  forward: true,
  delayMs,
  rateMbps,
  lossPercent: 0,
});
const pair = (r: PairRule, back: PairRule | undefined, label: string): VerifyPair => ({
  constraint: r.constraint,
  label,
  src: r.src,
  dst: r.dst,
  dstAddress: r.dstAddress,
  expectedRttMs: r.delayMs + (back?.delayMs ?? 0),
  expectedMbps: Number.isFinite(r.rateMbps) ? r.rateMbps : null,
});

/** The plantnet-small shape: edge ↔ cloud (constraint 0) and fog ↔ cloud (constraint 1), symmetric. */
function symmetric() {
  const rules = [
    rule('edge-1', 'cloud-1', 0, 20, 20),
    rule('cloud-1', 'edge-1', 0, 20, 20),
    rule('fog-1', 'cloud-1', 1, 5, 50),
    rule('cloud-1', 'fog-1', 1, 5, 50),
  ];
  return {
    rules,
    verify: [pair(rules[0]!, rules[1], 'edge → cloud'), pair(rules[2]!, rules[3], 'fog → cloud')],
  };
}

/** Two one-way constraints on the same hosts: each link's round trip crosses the other's delay. */
function crossing() {
  const rules = [rule('edge-1', 'cloud-1', 0, 20, 20), rule('cloud-1', 'edge-1', 1, 5, Infinity)];
  return {
    rules,
    verify: [pair(rules[0]!, rules[1], 'edge → cloud'), pair(rules[1]!, rules[0], 'cloud → edge')],
  };
}

const shape = (waves: ReturnType<typeof scheduleChecks>) =>
  waves.map((w) => [w.kind, w.pairs.map((p) => p.label)]);

describe('which network-check probes run together (src/live/run/check-schedule.ts)', () => {
  it('links whose round trips share no constraint have their RTT probes together; throughput probes through the shared switch one at a time, after every RTT probe', () => {
    const { rules, verify } = symmetric();
    expect(shape(scheduleChecks(verify, rules, { parallel: true, sharedWire: true }))).toEqual([
      ['rtt', ['edge → cloud', 'fog → cloud']],
      ['throughput', ['edge → cloud']],
      ['throughput', ['fog → cloud']],
    ]);
  });

  it('throughput probes overlap only on links with no host in common and no shared userspace wire', () => {
    const rules = [
      rule('edge-1', 'cloud-1', 0, 20, 20),
      rule('fog-1', 'cloud-1', 1, 5, 50),
      rule('fog-1', 'edge-1', 2, 5, 50),
    ];
    const far = { ...rule('x-1', 'y-1', 3, 5, 10), dstAddress: '10.9.0.20' };
    const verify = [
      pair(rules[0]!, undefined, 'a'),
      pair(rules[1]!, undefined, 'b'),
      pair(far, undefined, 'c'),
    ];
    expect(shape(scheduleChecks(verify, [...rules, far], { parallel: true, sharedWire: false }))).toEqual([
      ['rtt', ['a', 'b', 'c']],
      ['throughput', ['a', 'c']],
      ['throughput', ['b']],
    ]);
    expect(
      shape(scheduleChecks(verify, [...rules, far], { parallel: true, sharedWire: true })).filter(
        ([k]) => k === 'throughput',
      ),
    ).toEqual([
      ['throughput', ['a']],
      ['throughput', ['b']],
      ['throughput', ['c']],
    ]);
  });

  it('links whose round trips cross the same constraint keep their order; an unrated link gets no throughput probe', () => {
    const { rules, verify } = crossing();
    expect(shape(scheduleChecks(verify, rules, { parallel: true, sharedWire: true }))).toEqual([
      ['rtt', ['edge → cloud']],
      ['rtt', ['cloud → edge']],
      ['throughput', ['edge → cloud']],
    ]);
  });

  it('verify.parallel: false checks link after link, RTT then throughput, as the check always did', () => {
    const { rules, verify } = symmetric();
    expect(shape(scheduleChecks(verify, rules, { parallel: false, sharedWire: false }))).toEqual([
      ['rtt', ['edge → cloud']],
      ['throughput', ['edge → cloud']],
      ['rtt', ['fog → cloud']],
      ['throughput', ['fog → cloud']],
    ]);
  });
});

describe('calibration steps of the userspace switch (switchStep in src/live/run/network-check.ts)', () => {
  it('moves the delay to the middle of the 1 ms step nearest to the error below the current one', () => {
    expect(switchStep(20, 0, 1.1)).toBe(1.5); // 20 → 18.5: the timer's 19 ms step
    expect(switchStep(20, 0, 0.4)).toBe(0.5); // the same step, off its edge: 19.5
    expect(switchStep(20, 1.5, 0.2)).toBe(1.5); // no nearer step: the one already set
    expect(switchStep(20, 1.5, -0.6)).toBe(0.5); // one step back up
    expect(switchStep(2.5, 0, 0.6)).toBe(1); // 2.5 (the 3 ms step) → 1.5
    expect(switchStep(3, 0, 9)).toBe(3); // nothing left
    expect(switchStep(0, 0, 1)).toBe(0);
  });
});

describe('the automatic throughput probe length (src/live/measure/probe-duration.ts)', () => {
  it('covers slow start in its first quarter: longer on a long fat path, the floor on short ones, the cap on huge ones', () => {
    // 20 Mbit/s over 40 ms: 100 KB in flight, 3 doublings from 14.5 KB + 1 round = 0.16 s; × 4.
    expect(autoThroughputSeconds(20, 40)).toBe(0.7);
    expect(autoThroughputSeconds(50, 10)).toBe(MIN_PROBE_S);
    // 100 Mbit/s over 80 ms: 1 MB in flight, 7 doublings + 1 = 0.64 s; × 4.
    expect(autoThroughputSeconds(100, 80)).toBe(2.6);
    expect(autoThroughputSeconds(10_000, 300)).toBe(MAX_PROBE_S);
  });

  it('carries at least 200 segments in its measured part on a slow link', () => {
    // 1 Mbit/s: 289,600 B take 2.3 s; the measured part is three quarters of the probe.
    expect(autoThroughputSeconds(1, 10)).toBe(3.1);
  });
});

describe('the probe server and its control connections (src/live/measure/probe.ts, probe-control.ts)', () => {
  const servers: net.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  async function control(port: number): Promise<(line: string) => Promise<Record<string, unknown>>> {
    const sock = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => sock.once('connect', r));
    sock.write('C');
    let buffered = '';
    const waiting: ((a: Record<string, unknown>) => void)[] = [];
    sock.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        waiting.shift()!(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
    });
    servers.push({ close: () => sock.destroy() } as unknown as net.Server);
    return (line) =>
      new Promise((r) => {
        waiting.push(r);
        sock.write(`${line}\n`);
      });
  }

  it('runs the RTT and throughput probes asked on one loopback control connection, in order, and answers a bad request with its error', async () => {
    const server = await probeServeWithControl(0, '127.0.0.1');
    servers.push(server);
    const port = (server.address() as net.AddressInfo).port;
    const ask = await control(port);
    const [rtt, throughput, bad] = await Promise.all([
      ask(JSON.stringify({ kind: 'rtt', address: '127.0.0.1', port, count: 4 })),
      ask(JSON.stringify({ kind: 'throughput', address: '127.0.0.1', port, seconds: 0.3 })),
      ask(JSON.stringify({ kind: 'ping', address: '127.0.0.1', port })),
    ]);
    expect((rtt.result as RttResult).samplesMs).toHaveLength(4);
    const t = throughput.result as { bytes: number; seconds: number; mbps: number };
    // Timed by the receiver: it answers after the probe's seconds, not when the sender stops.
    expect(t.seconds).toBeGreaterThanOrEqual(0.25);
    expect(t.bytes).toBeGreaterThan(0);
    expect(t.mbps).toBeGreaterThan(0);
    expect(bad).toEqual({ error: expect.stringContaining('not a probe request') });
  });

  it('a plain probe server (no --control) closes a control connection', async () => {
    const { probeServe } = await import('../../src/live/measure/probe.js');
    const server = await probeServe(0, '127.0.0.1');
    servers.push(server);
    const sock = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    await new Promise((r) => sock.once('connect', r));
    sock.write('C{}\n');
    await new Promise((r) => sock.once('close', r));
  });

  it('the bulk rate leaves out the first quarter of the transfer', () => {
    // 1 MB/s for the first 250 ms, then 2 MB/s: only the second part counts.
    const marks: [number, number][] = [];
    for (let t = 10; t <= 250; t += 10) marks.push([t, t * 1000]);
    for (let t = 260; t <= 1000; t += 10) marks.push([t, 250_000 + (t - 250) * 2000]);
    const r = bulkRate(0, marks);
    expect(r.mbps).toBeCloseTo(16, 6);
    expect(r.bytes).toBe(1_750_000);
    expect(r.seconds).toBe(1);
    expect(summarize([3, 1, 2]).medianMs).toBe(2);
  });
});

/**
 * A fake testbed for verifyNetwork: one control server per host answering probes from a model of the
 * userspace switch (each one-way delay d comes out as ceil(d) + 0.7 ms: it only adds, in 1 ms timer
 * steps, so calibrating takes several rounds), and throughput at 95.65 % of the configured rate.
 */
async function fakeTestbed(o: {
  rules: PairRule[];
  verify: VerifyPair[];
  parallel: boolean;
  meet: boolean;
  /** The share of the rate probes under 3 s read (a loaded machine's stalls in a short probe). */
  shortShare?: number;
}) {
  let delays = new Map<string, number>(o.rules.map((r) => [`${r.src}>${r.dst}`, r.delayMs]));
  const oneWay = (src: string, dst: string) => Math.ceil(delays.get(`${src}>${dst}`) ?? 0) + 0.7;
  const inFlight = { rtt: 0, throughput: 0 };
  const seen = { rttTogether: 0, throughputTogether: 0, throughputBesideRtt: 0, rttProbes: 0 };
  const rttMeet: (() => void)[] = [];
  const probe = async (
    host: string,
    req: { kind: 'rtt' | 'throughput'; address: string; seconds?: number },
  ) => {
    inFlight[req.kind]++;
    if (req.kind === 'rtt') seen.rttProbes++;
    seen.rttTogether = Math.max(seen.rttTogether, inFlight.rtt);
    seen.throughputTogether = Math.max(seen.throughputTogether, inFlight.throughput);
    if (inFlight.throughput > 0 && inFlight.rtt > 0) seen.throughputBesideRtt++;
    try {
      const dst = hostOf(req.address);
      if (req.kind === 'throughput') {
        await new Promise((r) => setTimeout(r, 5));
        const rate = o.rules.find((r) => r.src === host && r.dst === dst)!.rateMbps;
        const share = req.seconds! < 3 ? (o.shortShare ?? 0.9565) : 0.9565;
        return { bytes: 1, seconds: req.seconds, mbps: rate * share };
      }
      const rtt = oneWay(host, dst) + oneWay(dst, host);
      // With `meet`, the first RTT probes wait for each other, however long the other takes to come (no
      // timer: on a busy machine a fixed wait could run out first). A check that probed the links one
      // after the other would never send the second: the test then fails at its timeout.
      if (o.meet) {
        await new Promise<void>((r) => {
          rttMeet.push(r);
          if (rttMeet.length >= 2) for (const f of rttMeet.splice(0)) f();
        });
        o.meet = false;
      }
      return summarize([rtt + 0.4, rtt, rtt + 1.5]);
    } finally {
      inFlight[req.kind]--;
    }
  };
  const servers = await Promise.all(
    Object.keys(ADDR).map(
      (name) =>
        new Promise<net.Server>((resolve) => {
          const server = net.createServer((sock) => {
            let buffered = '';
            let queue = Promise.resolve();
            sock.on('data', (d: Buffer) => {
              buffered += d.toString().replace(/^C/, '');
              for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
                const req = JSON.parse(buffered.slice(0, nl));
                buffered = buffered.slice(nl + 1);
                queue = queue.then(
                  async () => void sock.write(`${JSON.stringify({ result: await probe(name, req) })}\n`),
                );
              }
            });
          });
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const hosts = Object.keys(ADDR).map((name, i) => {
    const port = (servers[i]!.address() as net.AddressInfo).port;
    return {
      name,
      address: ADDR[name],
      workDir: `/fake/${name}`,
      start: async () => 1000 + i,
      exec: async () => ({ code: 0, stdout: '', stderr: '' }),
      stop: async () => {},
      connect: () =>
        new Promise((resolve, reject) => {
          const sock = net.connect({ host: '127.0.0.1', port }, () => resolve(sock));
          sock.once('error', reject);
        }),
    } as unknown as LiveHost;
  });
  const delaysIn = o.rules
    .filter((r) => r.delayMs > 0)
    .map((r) => ({ src: r.src, dst: r.dst, delayMs: r.delayMs }));
  const s = new RunState({
    plan: {
      hosts: [],
      network: { rules: o.rules, verify: o.verify, probePort: 47800, fallback: { delays: delaysIn } },
    },
    testbed: { testbed: { verify: { rttCount: 3, throughputSeconds: 'auto', parallel: o.parallel } } },
    log: () => {},
  } as unknown as LiveRunInput);
  for (const h of hosts) s.hosts.set(h.name, h);
  s.emulation.mode = 'fallback';
  s.emulation.delay = 'userspace switch';
  s.userspaceDelay = true;
  s.target = {
    setDelays: async (list: { src: string; dst: string; delayMs: number }[]) => {
      delays = new Map(list.map((d) => [`${d.src}>${d.dst}`, d.delayMs]));
    },
  } as unknown as RunState['target'];
  return { s, seen, close: () => servers.forEach((x) => x.close()) };
}

describe('the network check on a fake testbed (src/live/run/network-check.ts)', () => {
  for (const [name, links] of [
    ['symmetric links', symmetric],
    ['links crossing each other’s constraint', crossing],
  ] as const) {
    it(`${name}: probing links together gives the same measurements and corrections as link after link`, async () => {
      const results = [];
      for (const parallel of [false, true]) {
        const { rules, verify } = links();
        const t = await fakeTestbed({
          rules,
          verify,
          parallel,
          meet: parallel && name === 'symmetric links',
        });
        try {
          await verifyNetwork(t.s);
        } finally {
          t.close();
        }
        results.push({
          emulation: t.s.emulation,
          corrections: [...t.s.delayCorrections].sort((a, b) => a[0] - b[0]),
          seen: t.seen,
        });
      }
      const [sequential, together] = results;
      expect(together!.emulation).toEqual(sequential!.emulation);
      expect(together!.corrections).toEqual(sequential!.corrections);
      // Calibrated in the switch's 1 ms steps: one step each (to 18.5 and 3.5 ms), then the links are
      // within their tolerance or the next step would be no closer (fog: -0.6 ms with 0.3 allowed, a step
      // back +1.4): two RTT probes per calibrated link, none wasted on corrections the switch cannot apply.
      expect(sequential!.corrections).toEqual(
        name === 'symmetric links'
          ? [
              [0, 1.5],
              [1, 1.5],
            ]
          : [[0, 1.5]],
      );
      expect(sequential!.seen).toEqual({
        rttTogether: 1,
        throughputTogether: 1,
        throughputBesideRtt: 0,
        rttProbes: name === 'symmetric links' ? 4 : 3,
      });
      expect(together!.seen.throughputTogether).toBe(1);
      expect(together!.seen.throughputBesideRtt).toBe(0);
      expect(together!.seen.rttTogether).toBe(name === 'symmetric links' ? 2 : 1);
      expect(together!.seen.rttProbes).toBe(sequential!.seen.rttProbes);
    });
  }
});

describe('a short automatic throughput probe read outside the tolerance (checkThroughput)', () => {
  it('is measured again once with a probe of at least 3 s, and the longer reading counts; within the tolerance, no repeat', async () => {
    for (const shortShare of [0.3, 0.95]) {
      const { rules, verify } = symmetric();
      const t = await fakeTestbed({ rules, verify, parallel: true, meet: false, shortShare });
      try {
        await verifyNetwork(t.s);
      } finally {
        t.close();
      }
      const rated = t.s.emulation.measurements.filter((m) => m.expectedMbps !== null);
      expect(rated.length).toBeGreaterThan(0);
      for (const m of rated) {
        const first = autoThroughputSeconds(m.expectedMbps!, m.rtt!.medianMs);
        expect(first).toBeLessThan(3);
        if (shortShare === 0.3) {
          expect(m.throughputShortProbe).toMatchObject({ seconds: first, mbps: m.expectedMbps! * 0.3 });
          expect(m.throughput!.seconds).toBe(repeatSeconds(first));
          expect(m.throughput!.seconds).toBeGreaterThanOrEqual(3);
        } else {
          expect(m.throughputShortProbe).toBeUndefined();
          expect(m.throughput!.seconds).toBe(first);
        }
        expect(m.throughput!.mbps).toBeCloseTo(m.expectedMbps! * (shortShare === 0.3 ? 0.9565 : 0.95), 6);
      }
      expect(t.s.emulation.warnings.filter((w) => w.includes('throughput'))).toEqual([]);
    }
  });
});
