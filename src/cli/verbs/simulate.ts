// `e2ctwin simulate` alone, bundled to dist/verbs/simulate-<hash>.cjs (scripts/build.mjs, bin/e2ctwin.js).
import { registerSimulate } from '../commands/simulate.js';
import { oneVerb } from './one-verb.js';

export const run = oneVerb(registerSimulate);
