import { describe } from 'vitest';
import { itValidatesAlikeBothWays, runBin } from '../support/start-up-path.js';

// A scenario written in the subset of YAML that src/scenario/plain-yaml.ts reads skips the yaml package
// (the plain-yaml shortcut, decided in src/scenario/yaml-source.ts); E2CTWIN_PLAIN_YAML=0 parses it with
// the yaml package. The command must print the same bytes and exit alike both ways, issues included.

const run = (args: string[], plain: boolean) => runBin(args, { E2CTWIN_PLAIN_YAML: plain ? '1' : '0' });

describe('validate with scenarios read as plain YAML', () => {
  itValidatesAlikeBothWays(run);
});
