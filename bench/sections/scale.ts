import { cpuProbe, e2ctwin, fmt, printTable } from '../measure.js';

interface Metrics {
  completed: number;
  events: number;
}

/** Cameras, gateways and detectors of the IoT scenario scaled ×`scale` (the shipped one is ×1). */
const devices = (scale: number) => ({ cameras: 1000 * scale, gateways: 10 * scale, detectors: scale });

/** The IoT scenario scaled ×`scale` for `horizon` simulated seconds, as users run it. */
function runIot(scale: number, horizon: number) {
  const d = devices(scale);
  const r = e2ctwin([
    'simulate',
    'scenarios/iot-camera-fog-cloud.yaml',
    '-r',
    '1',
    '--json',
    '--set',
    `edge.camera.quantity=${d.cameras}`,
    '--set',
    `fog.gateway.quantity=${d.gateways}`,
    '--set',
    `cloud.detector.quantity=${d.detectors}`,
    // The shared fog → cloud uplink scales with the system (one 200 Mbit/s link for 10 gateways).
    '--set',
    `network.1.rateMbps=${200 * scale}`,
    '--set',
    `run.duration=${horizon}`,
    '--set',
    'run.warmup=60',
  ]);
  const m = JSON.parse(r.stdout) as Metrics;
  const n = d.cameras + d.gateways + d.detectors;
  return { ...r, m, n, framesPerS: m.completed / r.wallSeconds };
}

/**
 * Cost per frame and memory as the number of devices grows: the IoT scenario ×10 and ×100 (100,000
 * cameras, 1,000 gateways, 100 detectors), 300 simulated seconds each. Targets: frames per second of
 * the ×100 run within 1.3× of the ×10 run's, peak memory ≤ 500 MB.
 */
export async function scaleBench(quick: boolean): Promise<void> {
  const scales = quick ? [1, 10] : [10, 100];
  const horizon = quick ? 120 : 300;
  console.log(
    `## Scale: iot-camera-fog-cloud ×${scales.join(' and ×')}, ${horizon} simulated s, one replication each (whole process)`,
  );
  const probeBefore = await cpuProbe(1);
  const runs = scales.map((s) => ({ scale: s, ...runIot(s, horizon) }));
  const probeAfter = await cpuProbe(1);
  printTable([
    ['scale', 'devices', 'frames answered', 'wall s', 'frames/s', 'peak MiB', 'KiB a device'],
    ...runs.map((r) => [
      `×${r.scale}`,
      fmt(r.n),
      fmt(r.m.completed),
      r.wallSeconds.toFixed(1),
      fmt(r.framesPerS),
      r.peakMiB.toFixed(0),
      ((1024 * r.peakMiB) / r.n).toFixed(2),
    ]),
  ]);
  const [small, large] = runs as [(typeof runs)[0], (typeof runs)[0]];
  const ratio = small.framesPerS / large.framesPerS;
  const mb = large.peakMiB * 1.048576;
  const verdict = quick
    ? ''
    : ` (targets: ≤ 1.3× ${ratio <= 1.3 ? 'MET' : 'MISSED'}, ≤ 500 MB ${mb <= 500 ? 'MET' : 'MISSED'})`;
  console.log(
    `  frames/s ×${small.scale} ÷ ×${large.scale}: ${ratio.toFixed(2)}×; peak of ×${large.scale}: ${mb.toFixed(0)} MB${verdict}`,
  );
  console.log(
    `  CPU probe (one thread, a fixed loop): ${probeBefore.toFixed(2)} s before, ${probeAfter.toFixed(2)} s after (a slower probe: a loaded host)`,
  );
  console.log('');
}
