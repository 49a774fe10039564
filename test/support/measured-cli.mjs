// Runs the e2ctwin command inside this process, as bin/e2ctwin.js would, and when the process exits writes
// its peak resident memory and CPU time to the file named by the first argument (a spawned child's usage
// is not otherwise known to its parent). A V8 crash leaves no file: the caller reports that.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [report, ...args] = process.argv.slice(2);
const bin = path.join(import.meta.dirname, '../../bin/e2ctwin.js');
process.argv = [process.argv[0], bin, ...args];
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(
    report,
    JSON.stringify({ maxRssKiB: u.maxRSS, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 }),
  );
});
await import(pathToFileURL(bin).href);
