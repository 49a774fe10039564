/**
 * e2ctwin benchmarks (`npm run bench`). Each section prints figures and ratios against a peer or a
 * target measured in the same run; nothing here fails a build. `--quick` uses smaller sizes; `--against=<git ref>`
 * makes the models and start-up sections alternate their runs with that commit's build.
 */
import { kernelBench } from './sections/kernel.js';
import { modelBench } from './sections/models.js';
import { exploreBench } from './sections/explore.js';
import { calibrateBench } from './sections/calibrate.js';
import { dynamicsBench } from './sections/dynamics.js';
import { queueBench } from './sections/queue.js';
import { scaleBench } from './sections/scale.js';
import { startupBench } from './sections/startup.js';
import { againstArg } from './against.js';
import { benchArgs } from './args.js';

const args = benchArgs(process.argv.slice(2));
if ('exit' in args) {
  (args.exit === 0 ? console.log : console.error)(args.text);
  process.exit(args.exit);
}
const { quick, only } = args;

console.log(
  `e2ctwin benchmarks — ${new Date().toISOString()} — node ${process.version}${quick ? ' (quick sizes)' : ''}\n`,
);
if (!only || only === 'kernel') await kernelBench(quick);
if (!only || only === 'models') await modelBench(quick, againstArg());
if (!only || only === 'dynamics') dynamicsBench(quick);
if (!only || only === 'explore') await exploreBench(quick);
if (!only || only === 'calibrate') await calibrateBench(quick);
if (!only || only === 'queue') await queueBench(quick);
if (!only || only === 'scale') await scaleBench(quick);
if (!only || only === 'startup') startupBench(quick, againstArg());
