// `e2ctwin optimize` alone, bundled to dist/verbs/optimize-<hash>.cjs (scripts/build.mjs, bin/e2ctwin.js).
import { registerOptimize } from '../commands/optimize.js';
import { oneVerb } from './one-verb.js';

export const run = oneVerb(registerOptimize);
// bin/e2ctwin.js hands the presets parsed at build time to the bundle (the `shipped-yaml` start-up path).
export { preparse } from '../../scenario/yaml-source.js';
