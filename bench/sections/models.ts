import { cpuProbe, e2ctwin, fmt, printTable } from '../measure.js';

interface Metrics {
  completed: number;
  events: number;
  responseTime: { mean: number };
  throughput: number;
  measuredSeconds: number;
}

/** The edge-to-cloud scenarios at scale. */
export async function modelBench(quick: boolean): Promise<void> {
  const requests = quick ? 100_000 : 1_000_000;
  console.log(`## Models: Pl@ntNet baseline, ${fmt(requests)} requests in one replication`);
  const p = e2ctwin([
    'simulate',
    'scenarios/plantnet.yaml',
    '-r',
    '1',
    '--json',
    '--set',
    'run.duration=10000000',
    '--set',
    `run.requests=${requests}`,
  ]);
  const pm = JSON.parse(p.stdout) as Metrics;
  printTable([
    ['requests', 'wall s', 'events', 'events/s', 'peak MiB', 'mean response s'],
    [
      fmt(pm.completed),
      p.wallSeconds.toFixed(2),
      fmt(pm.events),
      fmt(pm.events / p.wallSeconds),
      p.peakMiB.toFixed(0),
      pm.responseTime.mean.toFixed(3),
    ],
  ]);
  if (!quick)
    console.log(
      `  target: ≤ 10 s wall ${p.wallSeconds <= 10 ? 'MET' : 'MISSED'}, ≤ 300 MB peak ${p.peakMiB * 1.048576 <= 300 ? 'MET' : 'MISSED'}`,
    );

  const scale = quick ? 1 : 10;
  const horizon = quick ? 300 : 3600;
  console.log(
    `\n## Models: iot-camera-fog-cloud scaled to ${1000 * scale} cameras, ${10 * scale} gateways, ${scale} cloud servers, ${horizon} simulated s`,
  );
  const probeBefore = await cpuProbe(1);
  const i = e2ctwin([
    'simulate',
    'scenarios/iot-camera-fog-cloud.yaml',
    '-r',
    '1',
    '--json',
    '--set',
    `edge.camera.quantity=${1000 * scale}`,
    '--set',
    `fog.gateway.quantity=${10 * scale}`,
    '--set',
    `cloud.detector.quantity=${scale}`,
    // The shared fog → cloud uplink scales with the system (one 200 Mbit/s link for 10 gateways).
    '--set',
    `network.1.rateMbps=${200 * scale}`,
    '--set',
    `run.duration=${horizon}`,
    '--set',
    'run.warmup=60',
  ]);
  const im = JSON.parse(i.stdout) as Metrics;
  const probeAfter = await cpuProbe(1);
  printTable([
    ['frames answered', 'wall s', 'events', 'events/s', 'peak MiB', 'mean response s'],
    [
      fmt(im.completed),
      i.wallSeconds.toFixed(2),
      fmt(im.events),
      fmt(im.events / i.wallSeconds),
      i.peakMiB.toFixed(0),
      im.responseTime.mean.toFixed(4),
    ],
  ]);
  if (!quick) console.log(`  target: ≤ 60 s wall ${i.wallSeconds <= 60 ? 'MET' : 'MISSED'}`);
  console.log(
    `  CPU probe (one thread, a fixed loop): ${probeBefore.toFixed(2)} s before, ${probeAfter.toFixed(2)} s after (a slower probe: a loaded host)`,
  );
  console.log('');
}
