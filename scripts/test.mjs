// `npm test`'s vitest part: the live-testbed files (vitest project "live", one file at a time: they share
// the testbed, liveTestLock) run in a vitest process of their own, beside a second one that runs every
// other file (project "main", a file per core). One vitest process would not overlap them: its projects
// share one pool of workers (a worker that took a live file while another held the testbed lock sat idle),
// and projects of different worker counts run one after the other (1330 s: main, then the live chain).
// Arguments go to both vitest runs (a file filter, -t …); a run that matches no file passes.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const root = path.join(import.meta.dirname, '..');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const args = process.argv.slice(2);

// dist/ once for both runs (their global setup skips it on this variable).
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
const env = { ...process.env, E2C_DIST_BUILT: '1' };

const children = [];
/** Runs one project; the live one's lines are prefixed, so that the two logs can be told apart. */
function run(project, prefix) {
  const child = spawn(process.execPath, [vitest, 'run', '--project', project, '--passWithNoTests', ...args], {
    cwd: root,
    env,
    stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  children.push(child);
  if (prefix)
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ])
      readline.createInterface({ input: from }).on('line', (line) => to.write(`${prefix}${line}\n`));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    for (const c of children) c.kill(sig);
  });

const [main, live] = await Promise.all([run('main'), run('live', 'live │ ')]);
process.stdout.write(
  `\nnpm test: main files ${main === 0 ? 'passed' : 'FAILED'}, live-testbed files ${live === 0 ? 'passed' : 'FAILED'}\n`,
);
process.exit(main === 0 && live === 0 ? 0 : 1);
