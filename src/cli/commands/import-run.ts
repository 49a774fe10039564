import path from 'node:path';
import { importE2clab } from '../../interop/e2clab/import.js';
import { toYaml } from '../../interop/e2clab/emit.js';
import type { InteropIssue } from '../../interop/errors.js';
import { checkOutFile, fileHead, type OutKind, replaceFile } from '../../run-folder/index.js';
import { loadScenario } from '../../scenario/index.js';
import { formatIssues } from '../format-issues.js';
import { IMPORT_HEADER } from './import.js';

const written = (what: string): OutKind => ({
  what,
  mode: 'replace',
  recognize: (file) =>
    fileHead(file).startsWith(`# ${IMPORT_HEADER}`)
      ? true
      : `its first line is not the "# ${IMPORT_HEADER}" header`,
});

/** `file:line:col path: message (hint)  [code]`, sorted by file and position. */
export function formatInterop(issues: readonly InteropIssue[]): string[] {
  return [...issues]
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
    .map((i) => {
      const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
      return `  ${where}${i.path ? ` ${i.path}:` : ''} ${i.message}${i.hint ? ` (${i.hint})` : ''}  [${i.code}]`;
    });
}

/** Runs the import; false when the input is bad (nothing written then) or the result does not validate. */
export function runImport(dir: string, opts: { out: string; testbedOut?: string }): boolean {
  const out = checkOutFile(opts.out, {
    option: '--out',
    kind: written('scenario written by e2ctwin import'),
  });
  const tbOut = opts.testbedOut
    ? checkOutFile(opts.testbedOut, {
        option: '--testbed-out',
        kind: written('testbed written by e2ctwin import'),
      })
    : undefined;
  const r = importE2clab({ dir, outDir: path.dirname(out.path) });
  const warnLines = formatInterop(r.warnings);
  if (!r.ok) {
    process.stderr.write(
      `${[
        `error: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'} in the E2Clab scenario ${dir}:`,
        ...formatInterop(r.issues),
      ].join('\n')}\n`,
    );
    if (warnLines.length > 0)
      process.stderr.write(`${[`${warnLines.length} warning(s):`, ...warnLines].join('\n')}\n`);
    return false;
  }
  const header = [
    `${IMPORT_HEADER} from ${dir}.`,
    r.placeholders.length > 0
      ? 'PLACEHOLDER marks what E2Clab does not say and the twin needs: fill each before trusting a result.'
      : 'The twin-only fields come from the e2ctwin.yaml that `e2ctwin export e2clab` wrote beside the files.',
  ].join('\n');
  replaceFile(out.path, toYaml(r.scenario, header, r.placeholders));
  process.stdout.write(`wrote ${opts.out}\n`);
  const checklist = [...r.checklist];
  if (r.testbed && tbOut) {
    replaceFile(
      tbOut.path,
      toYaml(r.testbed, `${IMPORT_HEADER} from ${dir}: the hosts E2Clab's servers: name.`),
    );
    process.stdout.write(`wrote ${opts.testbedOut}\n`);
  } else if (r.testbed)
    checklist.push(
      'testbed: services name their hosts (servers:); pass --testbed-out to write them as a testbed file.',
    );
  else if (tbOut) process.stdout.write(`no testbed written: no service names its hosts (servers:)\n`);

  if (warnLines.length > 0)
    process.stdout.write(
      [`${warnLines.length} warning(s): not mapped, or kept only as metadata:`, ...warnLines].join('\n') +
        '\n',
    );
  if (checklist.length > 0)
    process.stdout.write(
      `${['checklist (fill before trusting the twin):', ...checklist.map((c) => `  [ ] ${c}`)].join('\n')}\n`,
    );

  // The promise of the command: what it wrote validates like any scenario.
  const v = loadScenario(opts.out);
  if (!v.ok) {
    process.stderr.write(`${opts.out}: ${formatIssues(v.issues)}\n`);
    return false;
  }
  process.stdout.write(
    `${opts.out}: validates (${v.scenario.services.length} services, ${v.scenario.network.length} network rules)\n`,
  );
  return true;
}
