// `e2ctwin sensitivity` alone, bundled to dist/verbs/sensitivity-<hash>.cjs (scripts/build.mjs, bin/e2ctwin.js).
import { registerSensitivity } from '../commands/sensitivity.js';
import { oneVerb } from './one-verb.js';

export const run = oneVerb(registerSensitivity);
// bin/e2ctwin.js hands the presets parsed at build time to the bundle (the `shipped-yaml` start-up path).
export { preparse } from '../../scenario/yaml-source.js';
