// A worker thread of the reference engine (bundled as dist/live/compute-worker.js): one thread of a
// compute pool. Runs feature extraction or nearest-neighbour search for the number of rounds/vectors
// the engine asks (the stage's sampled demand × the calibrated rate).
import { parentPort, workerData } from 'node:worker_threads';
import { extractFeatures, nearest, weights } from './kernels.js';

interface Task {
  id: number;
  kind: 'extract' | 'search';
  bytes?: Uint8Array;
  rounds?: number;
  query?: Float32Array;
  scan?: number;
  start?: number;
}

const { vectors } = workerData as { vectors: SharedArrayBuffer };
const set = new Float32Array(vectors);
const w = weights();
parentPort!.on('message', (t: Task) => {
  if (t.kind === 'extract') {
    const f = extractFeatures(t.bytes ?? new Uint8Array(0), t.rounds ?? 1, w);
    parentPort!.postMessage({ id: t.id, features: f }, [f.buffer as ArrayBuffer]);
  } else {
    const best = nearest(set, t.query!, t.scan ?? 1, t.start ?? 0);
    parentPort!.postMessage({ id: t.id, best });
  }
});
