// `e2ctwin validate` alone, bundled to dist/verbs/validate-<hash>.cjs (scripts/build.mjs, bin/e2ctwin.js).
import { registerValidate } from '../commands/validate.js';
import { oneVerb } from './one-verb.js';

export const run = oneVerb(registerValidate);
