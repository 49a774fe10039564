// `e2ctwin capacity` alone, bundled to dist/verbs/capacity-<hash>.cjs (scripts/build.mjs, bin/e2ctwin.js).
import { registerCapacity } from '../commands/capacity.js';
import { oneVerb } from './one-verb.js';

export const run = oneVerb(registerCapacity);
// bin/e2ctwin.js hands the presets parsed at build time to the bundle (the `shipped-yaml` start-up path).
export { preparse } from '../../scenario/yaml-source.js';
