import { runCommand } from './run.js';

// The process edge: the command line of this process (see run.ts for exit statuses and error reports).
await runCommand(process.argv.slice(2));
