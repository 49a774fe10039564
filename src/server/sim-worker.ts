// Worker-thread entry of a simulation started from the page: the server's event loop keeps serving
// (and streaming progress) while the simulation, which is synchronous, runs here.
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type JobSpec } from './run-job.js';

runJob(workerData as JobSpec, (m) => parentPort!.postMessage(m));
