import { endQuietlyOnClosedPipe } from './closed-pipe.js';
import { runCommand } from './run.js';

// The process edge: the command line of this process (see run-program.ts for exit statuses and error
// reports). bin/e2ctwin.js runs `validate` and `simulate` from their own bundles instead (src/cli/verbs/).
endQuietlyOnClosedPipe();
await runCommand(process.argv.slice(2));
