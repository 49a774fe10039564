// `e2ctwin simulate` alone, bundled to dist/verbs/simulate-<hash>.cjs (scripts/build.mjs, bin/e2ctwin.js).
import { registerSimulate } from '../commands/simulate.js';
import { oneVerb } from './one-verb.js';

export const run = oneVerb(registerSimulate);
// bin/e2ctwin.js hands the presets parsed at build time to the bundle (the `shipped-yaml` start-up path);
// scripts/build.mjs makes them with preparsedEntry.
export { preparse, preparsedEntry } from '../../scenario/yaml-source.js';
