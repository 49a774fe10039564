import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { toYaml } from '../../interop/e2clab/emit.js';
import { EXPORT_LOSSES, exportE2clab } from '../../interop/e2clab/export.js';
import { SIDECAR } from '../../interop/e2clab/sidecar.js';
import { checkOutFolder, fileHead, type OutKind, replaceFolder } from '../../run-folder/index.js';
import { loadScenario, YamlSource } from '../../scenario/index.js';
import { formatIssues } from '../format-issues.js';
import { fileRoots } from '../options.js';

/** First line of every file `export` writes. */
export const EXPORT_HEADER = 'Written by `e2ctwin export e2clab`';

const exportFolder: OutKind = {
  what: 'folder written by e2ctwin export e2clab',
  mode: 'replace',
  recognize: (dir) =>
    fileHead(path.join(dir, SIDECAR)).startsWith(`# ${EXPORT_HEADER}`)
      ? true
      : `it has no ${SIDECAR} written by e2ctwin export e2clab`,
};

const HEADERS: Record<string, string> = {
  'layers_services.yaml': 'E2Clab layers and services. Set the environment block for your testbed.',
  'network.yaml': 'E2Clab network emulation (EnOSlib NetemHTB): explicit names and numbers.',
  'workflow.yaml':
    'E2Clab workflow: the live sections as plays (command and launch, prepare, finalize with fetch, depends_on); add copy tasks for your artifacts.',
  [SIDECAR]:
    "The twin's own fields, which E2Clab's files cannot hold; E2Clab ignores this file, `e2ctwin import e2clab` reads it back.",
};

/** Runs the export; false when the scenario does not validate (nothing written then). */
export function runExport(file: string, opts: { out: string; allowDir: string[] }): boolean {
  const out = checkOutFolder(opts.out, { option: '--out', kind: exportFolder });
  const r = loadScenario(file, fileRoots(opts));
  if (!r.ok) {
    process.stderr.write(`${file}: ${formatIssues(r.issues)}\n`);
    return false;
  }
  // The scenario as written (presets by name, selectors as written); it validated just above.
  const src = YamlSource.read(file);
  const raw = src instanceof YamlSource ? (src.toJS() as Record<string, unknown>) : {};
  const { files } = exportE2clab(raw, r.scenario, path.dirname(path.resolve(file)), out.path);
  replaceFolder(out.path, (tmp) => {
    for (const [name, data] of Object.entries(files))
      writeFileSync(
        path.join(tmp, name),
        toYaml(data, `${EXPORT_HEADER} from ${file}.\n${HEADERS[name] ?? ''}`),
      );
  });
  process.stdout.write(`wrote ${opts.out}/: ${Object.keys(files).join(', ')}\n`);
  process.stdout.write(
    `${["not carried by E2Clab's files (stated losses):", ...EXPORT_LOSSES.map((l) => `  - ${l}`)].join('\n')}\n`,
  );
  return true;
}
