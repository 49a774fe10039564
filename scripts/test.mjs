// `npm test`'s vitest part: the live-testbed files (vitest project "live", one file at a time: they share
// the testbed, liveTestLock) run in a vitest process of their own, beside a second one that runs every
// other file (project "main", a file per core). One vitest process would not overlap them: its projects
// share one pool of workers (a worker that took a live file while another held the testbed lock sat idle),
// and projects of different worker counts run one after the other (1330 s: main, then the live chain).
// Arguments go to both vitest runs (a file filter, -t …); a run that matches no file passes.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { stripVTControlCharacters } from 'node:util';

const root = path.join(import.meta.dirname, '..');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const args = process.argv.slice(2);

// dist/ once for both runs (their global setup skips it on this variable).
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
const env = { ...process.env, E2C_DIST_BUILT: '1', ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) };

// The two logs interleave, and a CI page shows only the tail of the whole: vitest's own list of the failures
// of the first run to end would be buried under the other's output. Each run's failure section (from vitest's
// "Failed Tests"/"Failed Suites" line on) is kept and printed again after both end.
const FAILURE_HEADER = /Failed (Tests|Suites) \d+/;
const MAX_KEPT = 300;

const children = [];
/**
 * Runs one project; the live one's lines are prefixed, so that the two logs can be told apart.
 * Resolves to its exit code and its failure section (empty when it printed none).
 */
function run(project, prefix) {
  const child = spawn(process.execPath, [vitest, 'run', '--project', project, '--passWithNoTests', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const failures = [];
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ])
    readline.createInterface({ input: from }).on('line', (line) => {
      to.write(`${prefix}${line}\n`);
      if (failures.length === 0 && !FAILURE_HEADER.test(stripVTControlCharacters(line))) return;
      if (failures.length < MAX_KEPT) failures.push(line);
    });
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), failures })),
  );
}

for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    for (const c of children) c.kill(sig);
  });

const [main, live] = await Promise.all([run('main', ''), run('live', 'live │ ')]);
const results = { main, live };
for (const [name, { code, failures }] of Object.entries(results)) {
  if (code === 0) continue;
  process.stdout.write(`\n===== npm test: what failed in the ${name} files (printed above too) =====\n`);
  process.stdout.write(
    failures.length > 0
      ? `${failures.join('\n')}\n`
      : `(vitest exited with ${code} and listed no failed test)\n`,
  );
}
const verdict = (r) => (r.code === 0 ? 'passed' : 'FAILED');
process.stdout.write(
  `\nnpm test: main files ${verdict(results.main)}, live-testbed files ${verdict(results.live)}\n`,
);
process.exit(results.main.code === 0 && results.live.code === 0 ? 0 : 1);
