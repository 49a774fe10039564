// `e2ctwin sweep` alone, bundled to dist/verbs/sweep-<hash>.cjs (scripts/build.mjs, bin/e2ctwin.js).
import { registerSweep } from '../commands/sweep.js';
import { oneVerb } from './one-verb.js';

export const run = oneVerb(registerSweep);
// bin/e2ctwin.js hands the presets parsed at build time to the bundle (the `shipped-yaml` start-up path).
export { preparse } from '../../scenario/yaml-source.js';
