// Runs several e2ctwin command lines one after the other in this one process, each as bin/e2ctwin.js would
// run it (dist/cli/run.js: exit status in process.exitCode, output on process.stdout and process.stderr),
// and writes to the file named by the first argument, as each command ends, its status, what it printed and
// the CPU time it took; when the process exits, its peak resident memory. The second argument is a JSON
// array of argument lists. A Node.js start-up and the loading of the command's modules cost more CPU than
// most commands of the fuzz corpus: one process for a batch pays for them once.
//
// A command that crashes the process, or leaves it running (a handle never closed), leaves a report without
// `maxRssKiB` (or none): the caller runs that batch's commands again one per process to tell which it was.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [report, commandsFile] = process.argv.slice(2);
const commands = JSON.parse(readFileSync(commandsFile, 'utf8'));
const { runCommand } = await import(
  pathToFileURL(path.join(import.meta.dirname, '../../dist/cli/run.js')).href
);

const runs = [];
const save = (extra = {}) => writeFileSync(report, JSON.stringify({ runs, ...extra }));
process.on('exit', () => {
  const u = process.resourceUsage();
  save({ maxRssKiB: u.maxRSS });
});

const { stdout, stderr } = process;
const write = { out: stdout.write, err: stderr.write };
for (const args of commands) {
  const out = [];
  const err = [];
  const capture = (into) => (chunk, encoding, done) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = typeof encoding === 'function' ? encoding : done;
    if (typeof callback === 'function') callback();
    return true;
  };
  stdout.write = capture(out);
  stderr.write = capture(err);
  process.exitCode = undefined;
  const cpu0 = process.cpuUsage();
  try {
    await runCommand(args);
  } finally {
    const cpu = process.cpuUsage(cpu0);
    stdout.write = write.out;
    stderr.write = write.err;
    runs.push({
      status: Number(process.exitCode ?? 0),
      stdout: out.join(''),
      stderr: err.join(''),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    });
    save();
  }
}
process.exitCode = 0;
