import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { scenarioJsonSchemaText, suggest } from '../scenario/index.js';

// `e2ctwin init`: a starter folder a new user edits instead of the package's own files. The shipped
// scenario names its presets by name (resolved from the package's models/); the copy names them by path
// (models/<kind>/<name>.yaml beside it), so the folder is self-contained and every preset is editable.

/** e2ctwin's package root (this file is src/cli/ or a bundle under dist/: two levels down alike). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCENARIOS_DIR = path.join(PACKAGE_ROOT, 'scenarios');
const MODELS_DIR = path.join(PACKAGE_ROOT, 'models');

/** The scenario `init` writes when none is named: the headline case, a few seconds to simulate. */
export const DEFAULT_STARTER = 'plantnet';
const SCHEMA_FILE = 'scenario.schema.json';

/** The shipped scenarios by name: their path under scenarios/ without `.yaml` (`plantnet`, `validation/mm1`). */
export function shippedScenarios(): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(path.join(dir, e.name), `${prefix}${e.name}/`);
      else if (e.name.endsWith('.yaml')) out.push(`${prefix}${e.name.slice(0, -'.yaml'.length)}`);
    }
  };
  walk(SCENARIOS_DIR, '');
  return out;
}

/** Why a starter folder was not written: bad input (exit 2), with a hint when there is one. */
export class StarterError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface StarterOptions {
  /** The folder to write (created when missing). */
  dir: string;
  /** A shipped scenario's name (see {@link shippedScenarios}). */
  scenario: string;
  /** Write into a non-empty folder, replacing the files the starter writes (others are left alone). */
  force?: boolean;
}

export interface Starter {
  /** The scenario file written. */
  scenarioFile: string;
  /** Every file written, relative to the folder. */
  files: string[];
}

const PRESET_KINDS = ['hardware', 'apps', 'links'] as const;
type Kind = (typeof PRESET_KINDS)[number];
const isPathRef = (ref: string) => ref.includes('/') || ref.includes('\\') || /\.ya?ml$/.test(ref);

/** Writes the starter folder: the scenario, its schema, the presets and files it uses, a README. */
export function writeStarter(opts: StarterOptions): Starter {
  const names = shippedScenarios();
  if (!names.includes(opts.scenario)) {
    throw new StarterError(
      `no shipped scenario "${opts.scenario}" (shipped: ${names.join(', ')})`,
      suggest(opts.scenario, names),
    );
  }
  const dir = path.resolve(opts.dir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new StarterError(`${opts.dir} exists and is not a folder`);
    if (readdirSync(dir).length > 0 && !opts.force)
      throw new StarterError(
        `${opts.dir} is not empty; init writes only into a new or empty folder`,
        'name another folder, or pass --force to write the starter files into it (other files are left alone)',
      );
  }
  const source = path.join(SCENARIOS_DIR, `${opts.scenario}.yaml`);
  const text = readFileSync(source, 'utf8');
  const doc = parseDocument(text);
  const files = new Map<string, string | { copyOf: string }>();
  /** Values to rewrite, by their path in the document. */
  const edits = new Map<(string | number)[], string>();

  // Presets named in the scenario, and the `extends` chains of the preset files themselves.
  const refs: [Kind, (string | number)[]][] = [];
  const layers = doc.get('layers');
  if (isSeq(layers))
    layers.items.forEach((layer, li) => {
      const services = isMap(layer) ? layer.get('services') : undefined;
      if (!isSeq(services)) return;
      services.items.forEach((_svc, si) => {
        refs.push(['hardware', ['layers', li, 'services', si, 'host']]);
        refs.push(['apps', ['layers', li, 'services', si, 'app']]);
        // An inline refinement (`app: { extends: nginx-static, … }`) names its preset one level down.
        refs.push(['apps', ['layers', li, 'services', si, 'app', 'extends']]);
      });
    });
  const network = doc.get('network');
  if (isSeq(network)) network.items.forEach((_n, ni) => refs.push(['links', ['network', ni, 'class']]));
  for (const [kind, at] of refs) {
    const ref = doc.getIn(at);
    if (typeof ref !== 'string') continue;
    edits.set(at, addPreset(kind, ref, path.dirname(source), files));
  }

  // Files named by path relative to the scenario: copied beside it, the path rewritten.
  const copyNamed = (at: string[], folder: string) => {
    const ref = doc.getIn(at);
    if (typeof ref !== 'string') return;
    const rel = `${folder}/${path.basename(ref)}`;
    files.set(rel, { copyOf: path.resolve(path.dirname(source), ref) });
    edits.set(at, rel);
  };
  copyNamed(['calibration'], 'calibration');
  copyNamed(['calibrate', 'measurements'], 'calibration');
  if (isSeq(layers))
    layers.items.forEach((layer, li) => {
      const services = isMap(layer) ? layer.get('services') : undefined;
      if (isSeq(services))
        services.items.forEach((_s, si) => {
          const w = ['layers', li, 'services', si, 'workload'];
          if (doc.getIn([...w, 'kind']) === 'trace') copyNamed([...w, 'file'] as string[], 'traces');
        });
    });

  const base = path.basename(opts.scenario);
  const scenarioRel = `${base}.yaml`;
  files.set(scenarioRel, withSchemaLine(splice(text, doc, edits), `./${SCHEMA_FILE}`));
  files.set(SCHEMA_FILE, scenarioJsonSchemaText());
  files.set('README.md', readme(opts.scenario, scenarioRel));

  for (const [rel, content] of files) {
    const to = path.join(dir, rel);
    mkdirSync(path.dirname(to), { recursive: true });
    if (typeof content === 'string') writeFileSync(to, content);
    else copyFileSync(content.copyOf, to);
  }
  return { scenarioFile: path.join(dir, scenarioRel), files: [...files.keys()].sort() };
}

/**
 * Records a preset (and its `extends` chain) to copy into models/<kind>/ and returns the path the
 * scenario names it by from the starter folder.
 */
function addPreset(
  kind: Kind,
  ref: string,
  fromDir: string,
  files: Map<string, string | { copyOf: string }>,
): string {
  const file = isPathRef(ref) ? path.resolve(fromDir, ref) : path.join(MODELS_DIR, kind, `${ref}.yaml`);
  const rel = `models/${kind}/${path.basename(file)}`;
  if (files.has(rel)) return rel;
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text);
  files.set(rel, text); // reserved before following `extends`, so a cycle stops here (validate reports it)
  const parent = doc.get('extends');
  // Presets of one kind sit in one folder of the starter: the parent is named by its file name.
  if (typeof parent === 'string') {
    const named = path.basename(addPreset(kind, parent, path.dirname(file), files));
    files.set(rel, splice(text, doc, new Map([[['extends'], named]])));
  }
  return rel;
}

/**
 * The text with the scalar values at the given paths replaced (as plain scalars: file paths). Only those
 * bytes change, so comments, folded descriptions and flow maps stay as the shipped file wrote them.
 */
function splice(text: string, doc: Document, edits: Map<(string | number)[], string>): string {
  const spans = [...edits].map(([at, value]) => {
    const node = doc.getIn(at, true);
    if (!isScalar(node) || !node.range) throw new Error(`no scalar at ${at.join('.')}`);
    return { from: node.range[0], to: node.range[1], value };
  });
  let out = text;
  for (const s of spans.sort((a, b) => b.from - a.from))
    out = out.slice(0, s.from) + s.value + out.slice(s.to);
  return out;
}

/** Points the editor's schema comment (yaml-language-server) at the schema file written beside the scenario. */
function withSchemaLine(text: string, schema: string): string {
  const line = `# yaml-language-server: $schema=${schema}`;
  return /^# yaml-language-server:.*$/m.test(text)
    ? text.replace(/^# yaml-language-server:.*$/m, line)
    : `${line}\n${text}`;
}

function readme(scenario: string, file: string): string {
  return `# e2ctwin starter: ${scenario}

Written by \`e2ctwin init\`. Everything here is yours to edit:

- \`${file}\`: the scenario (from e2ctwin's shipped \`scenarios/${scenario}.yaml\`). An editor with the YAML
  language server completes and checks it against \`${SCHEMA_FILE}\` (regenerate with \`e2ctwin schema > ${SCHEMA_FILE}\`).
- \`models/\`: the hardware, application and link presets it uses, named by path from the scenario.
- \`calibration/\`: the files it names, if any (calibration params, measurements).

Next steps:

\`\`\`sh
e2ctwin validate ${file}                 # check it: every problem, located
e2ctwin simulate ${file}                 # response times with 95 % CIs, utilization, energy, cost
e2ctwin simulate ${file} --json --out runs/first   # stable JSON keys; a run folder with traces
e2ctwin sweep ${file} -p <field>=<lo>..<hi>        # what-if over a field (see e2ctwin sweep --help)
e2ctwin serve                            # the browser view on 127.0.0.1
e2ctwin doctor                           # what live mode and the other modes need on this machine
\`\`\`

Every command has \`--help\`; the scenario format is described in e2ctwin's docs/scenario-format.md.
`;
}
