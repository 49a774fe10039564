import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  loadScenarioAsync,
  type LoadResult,
  type ResolvedScenario,
  type ScenarioIssue,
} from '../scenario/index.js';
import { ServerError, ServerErrorCode } from './errors.js';

/** A scenario the page can pick. */
export interface ScenarioEntry {
  /** Path relative to the scenarios folder, with `/` (e.g. `plantnet.yaml`, `validation/mm1.yaml`). */
  name: string;
  /** The scenario's `name:` and first line of its description, when the file says them. */
  title: string;
  description: string;
}

/** What a scenario check answers: the resolved scenario, or every problem, located. */
export type ScenarioCheck = { ok: true; scenario: ResolvedScenario } | { ok: false; issues: ScenarioIssue[] };

/**
 * The scenario files the server offers: the YAML files of one folder and its direct sub-folders. A
 * request names a scenario by its entry name only; the file path comes from this list, never from the
 * request.
 */
export class ScenarioCatalog {
  readonly dir: string;
  /** Folders the scenarios may read files from (presets, calibration, traces), and no other. */
  readonly allowedRoots: readonly string[];
  #entries: Map<string, string> | undefined;

  constructor(dir: string, options: { allowedRoots: readonly string[] }) {
    this.dir = path.resolve(dir);
    this.allowedRoots = Object.freeze([...options.allowedRoots]);
  }

  list(): ScenarioEntry[] {
    return [...this.#files().entries()].map(([name, file]) => ({ name, ...describe(file) }));
  }

  /** Absolute path of the scenario called `name`, or SCENARIO_NOT_FOUND. */
  fileOf(name: string): string {
    const file = this.#files().get(name);
    if (!file)
      throw new ServerError(
        ServerErrorCode.SCENARIO_NOT_FOUND,
        `no scenario "${String(name).slice(0, 200)}" (see GET /api/scenarios)`,
        { scenario: String(name).slice(0, 200) },
      );
    return file;
  }

  text(name: string): string {
    return readFileSync(this.fileOf(name), 'utf8');
  }

  /**
   * Loads scenario `name` — its file, or `text` posted from the page in its place (relative presets and
   * traces then resolve from the file's folder) — with `overrides`, reading files only from
   * {@link allowedRoots}. Issue locations name the scenario by its entry name. Files are read
   * asynchronously, so a slow disk never holds the server's other requests.
   */
  async check(
    name: string,
    options: { text?: string; overrides?: readonly string[] } = {},
  ): Promise<ScenarioCheck> {
    const file = this.fileOf(name);
    const r: LoadResult = await loadScenarioAsync(file, {
      ...(options.text !== undefined ? { text: options.text } : {}),
      overrides: options.overrides ?? [],
      allowedRoots: this.allowedRoots,
    });
    if (r.ok) return { ok: true, scenario: r.scenario };
    return { ok: false, issues: r.issues.map((i) => (i.file === file ? { ...i, file: name } : i)) };
  }

  #files(): Map<string, string> {
    // Listed once: scenario files are part of the installation, not data that changes while serving.
    if (this.#entries) return this.#entries;
    const out = new Map<string, string>();
    if (existsSync(this.dir)) {
      const walk = (dir: string, prefix: string, depth: number) => {
        for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
          a.name.localeCompare(b.name),
        )) {
          if (e.isFile() && /\.ya?ml$/.test(e.name)) out.set(`${prefix}${e.name}`, path.join(dir, e.name));
          else if (e.isDirectory() && depth > 0 && !e.name.startsWith('.'))
            walk(path.join(dir, e.name), `${prefix}${e.name}/`, depth - 1);
        }
      };
      walk(this.dir, '', 1);
    }
    this.#entries = out;
    return out;
  }
}

function describe(file: string): { title: string; description: string } {
  const text = readFileSync(file, 'utf8');
  const name = /^name:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? path.basename(file);
  const m = /^description:\s*>?\s*\n((?:[ \t]+.*\n?)+)/m.exec(text) ?? /^description:\s*(.+)$/m.exec(text);
  const description = (m?.[1] ?? '')
    .split('\n')
    .map((l) => l.trim())
    .join(' ')
    .trim();
  const sentence = /^(.+?[.;])(\s|$)/.exec(description)?.[1] ?? description;
  return { title: name, description: sentence.slice(0, 240) };
}
