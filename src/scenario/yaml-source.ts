import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { ScenarioErrorCode, formatPath, type ScenarioIssue } from './errors.js';
import { readNamedFile } from './file-policy.js';
import { settableOnData, settableOnPlainData, setOnData } from './overrides-on-data.js';
import { plainYamlJson } from './plain-yaml.js';

/**
 * E2CTWIN_OVERRIDES_ON_DOC=1 applies every override to a copy of the document (the path before overrides
 * were applied to the data, kept for comparison: test/scenario/overrides-on-data.test.ts).
 */
let onData = process.env.E2CTWIN_OVERRIDES_ON_DOC !== '1';
/** For tests: whether overrides may be applied to the data (see {@link YamlSource.setIn}). */
export function setOverridesOnData(on: boolean): void {
  onData = on;
}

/**
 * The plain-yaml shortcut: a text written in the common subset of YAML that src/scenario/plain-yaml.ts
 * reads (its comment states the subset and the invariant) is read by it, and parsed by the yaml package only
 * if something asks where a value is written (an issue) or changes it where its data cannot take the change
 * (an override: `settableOnPlainData` in overrides-on-data.ts decides on the data), as a text parsed ahead is
 * ({@link preparse}). E2CTWIN_PLAIN_YAML=0 parses every text with the yaml package
 * (test/scenario/plain-yaml.test.ts, test/scenario/overrides-on-data.test.ts and test/cli/plain-yaml.test.ts
 * compare the two).
 */
let plainYaml = process.env.E2CTWIN_PLAIN_YAML !== '0';
/** For tests: whether texts in the plain subset skip the yaml package (see {@link plainYaml}). */
export function setPlainYaml(on: boolean): void {
  plainYaml = on;
}

/** The most references to one anchor's contents a document may expand (the yaml package's guard). */
const MAX_ALIAS_COUNT = 1000;

/**
 * Parsed documents by text, most recently used last. A study's worker loads the same scenario and presets
 * for every configuration it simulates, differing only in their overrides: parsing the YAML again each
 * time was most of the work a short trial does outside its simulation. A cached document is shared, never
 * changed: {@link YamlSource.setIn} changes a copy.
 */
const PARSED = new Map<string, { doc: Document; lines: LineCounter }>();
const PARSED_MAX = 32;
/** Longer texts are parsed each time (a cache entry holds the document's nodes, several times the text). */
const PARSED_MAX_CHARS = 64 * 1024;

function parseCached(text: string): { doc: Document; lines: LineCounter } {
  const hit = PARSED.get(text);
  if (hit) {
    PARSED.delete(text);
    PARSED.set(text, hit);
    return hit;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (text.length <= PARSED_MAX_CHARS) {
    if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value!);
    PARSED.set(text, { doc, lines });
  }
  return { doc, lines };
}

/**
 * What {@link plainYamlJson} gave for recent texts (null: outside its subset), most recently used last, so
 * that a study's worker reads a configuration's scenario once, as {@link parseCached} parses it once.
 */
const PLAIN = new Map<string, string | null>();

function plainCached(text: string): string | undefined {
  let json = PLAIN.get(text);
  if (json !== undefined) PLAIN.delete(text);
  else json = plainYamlJson(text) ?? null;
  if (text.length <= PARSED_MAX_CHARS) {
    if (PLAIN.size >= PARSED_MAX) PLAIN.delete(PLAIN.keys().next().value!);
    PLAIN.set(text, json);
  }
  return json ?? undefined;
}

/**
 * The plain data of YAML texts parsed before the process started, as JSON, by text: the presets shipped in
 * models/, parsed when dist/ was built (scripts/build.mjs, {@link preparsedEntry}) and handed over by
 * bin/e2ctwin.js (the `shipped-yaml` start-up path of bin/start-up-paths.js). A source whose text is one of
 * them is parsed only if something asks where a value is written (an issue) or changes it (an override):
 * parsing was about a tenth of `validate`'s time, run by code that had not warmed up.
 */
const PREPARSED = new Map<string, string>();

/** Makes `entries` ([text, JSON of its plain data], from {@link preparsedEntry}) known to every later source. */
export function preparse(entries: Iterable<readonly [text: string, json: string]>): void {
  for (const [text, json] of entries) PREPARSED.set(text, json);
}

/**
 * `text` with the JSON of its plain data, when that JSON gives back exactly what {@link YamlSource.toJS}
 * gives and the text has no syntax issue; otherwise undefined (the text is parsed each time). The build
 * calls it for every shipped preset (scripts/build.mjs).
 */
export function preparsedEntry(
  text: string,
  same: (a: unknown, b: unknown) => boolean,
): [string, string] | undefined {
  // By the yaml package itself (what YamlSource's syntaxIssues() and toJS() give without plain-yaml).
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return undefined;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
  const json = JSON.stringify(data);
  return json !== undefined && same(JSON.parse(json), data) ? [text, json] : undefined;
}

/** Position of a YAML node: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * A parsed YAML file that remembers where every value came from, so that issues found later (by zod or
 * by cross-reference checks) can point at a line and column.
 */
export class YamlSource {
  /** Undefined until first needed when the text was parsed ahead ({@link preparse}). */
  #doc: Document | undefined;
  /** Whether {@link doc} is this source's own copy (false: the parse cache's, shared). */
  #own = false;
  #lines: LineCounter | undefined;
  /** Overrides applied to the data rather than to a copy of the document (see {@link setIn}), in order. */
  #onData: [readonly PropertyKey[], unknown][] = [];
  /** The JSON of the text's plain data when it was parsed ahead (see {@link preparse}) or read as plain YAML. */
  readonly #preparsed: string | undefined;
  /** Whether {@link preparsed} is plain-yaml's reading of the text (no alias, string keys: see setIn). */
  readonly #plain: boolean;
  /** {@link preparsed} parsed once, for deciding overrides on it (read only). */
  #plainData: unknown;
  /** Each mapping's pairs by key, built when an issue is first located in it (see {@link locate}). */
  readonly #pairsByKey = new WeakMap<object, Map<string, Pair>>();

  /**
   * @param foreign a file the scenario names (preset, calibration): its issues are located but never quote
   * it (no values, keys or YAML excerpts), so an error cannot carry another file's content out.
   */
  private constructor(
    readonly file: string,
    readonly text: string,
    readonly foreign: boolean,
  ) {
    const ahead = PREPARSED.get(text);
    this.#preparsed = ahead ?? (plainYaml ? plainCached(text) : undefined);
    this.#plain = ahead === undefined && this.#preparsed !== undefined;
    if (this.#preparsed === undefined) this.#parse();
  }

  #parse(): { doc: Document; lines: LineCounter } {
    if (this.#doc === undefined || this.#lines === undefined) {
      const parsed = parseCached(this.text);
      this.#doc = parsed.doc;
      this.#lines = parsed.lines;
    }
    return { doc: this.#doc, lines: this.#lines };
  }

  /** The parsed document (read only: change it with {@link setIn}). */
  get doc(): Document {
    return this.#parse().doc;
  }

  /**
   * Sets the value at `path` (an override): on the document's data where that is certain to give what the
   * changed document would (see overrides-on-data.ts), otherwise in this source's own copy of the document.
   */
  setIn(path: readonly PropertyKey[], value: unknown): void {
    if (!this.#own) {
      const earlier = this.#onData.map(([p]) => p);
      // A plain text's data answers without parsing the document (overrides-on-data.ts).
      if (
        onData &&
        (this.#plain
          ? settableOnPlainData((this.#plainData ??= JSON.parse(this.#preparsed!)), path, earlier)
          : settableOnData(this.#parse().doc, path, earlier))
      ) {
        this.#onData.push([path, value]);
        return;
      }
      this.#doc = this.#parse().doc.clone();
      this.#own = true;
      for (const [p, v] of this.#onData) this.#doc.setIn(p, this.#doc.createNode(v));
      this.#onData = [];
    }
    this.#doc!.setIn(path, this.#doc!.createNode(value));
  }

  /**
   * Reads and parses a file named directly by the user (the scenario, a CLI argument): only a regular
   * file within the YAML size limit is opened. A missing or refused file is an issue, not a throw.
   */
  static read(file: string, displayName = file): YamlSource | ScenarioIssue {
    const r = readNamedFile(file, 'yaml');
    if (!r.ok)
      return {
        code: r.refusal.code,
        file: displayName,
        line: 0,
        column: 0,
        path: '',
        message: `file ${r.refusal.message}`,
      };
    return new YamlSource(displayName, r.text, false);
  }

  /** Parses YAML given as text (from the web page or a test). */
  static fromText(text: string, displayName: string): YamlSource {
    return new YamlSource(displayName, text, false);
  }

  /** Parses the text of a file the scenario names, read under the file policy (see {@link foreign}). */
  static foreign(text: string, displayName: string): YamlSource {
    return new YamlSource(displayName, text, true);
  }

  /** Every YAML syntax error (and duplicate key) in the file; aliases that expand beyond reason are one. */
  syntaxIssues(): ScenarioIssue[] {
    if (this.#preparsed !== undefined && !this.#own) return []; // checked when it was parsed ahead
    const errors = this.#parseErrors();
    if (errors.length > 0) return errors;
    try {
      this.toJS();
    } catch (err) {
      // The yaml package refuses a document whose aliases expand too much ("billion laughs").
      let at: Position = { line: 1, column: 1 };
      visit(this.doc, {
        Alias: (_k, node) => {
          if (node.range) at = this.position(node.range[0]);
          return visit.BREAK;
        },
      });
      const why = /alias/i.test((err as Error).message)
        ? `aliases expand to too many values (more than ${MAX_ALIAS_COUNT} references to one anchor's contents)`
        : (err as Error).message;
      const issue: ScenarioIssue = {
        code: ScenarioErrorCode.SYNTAX,
        file: this.file,
        ...at,
        path: '',
        message: why,
      };
      return [this.foreign ? contentFree(issue) : issue];
    }
    return [];
  }

  #parseErrors(): ScenarioIssue[] {
    // One issue per line: after the first error on a line the parser's further complaints are echoes.
    const seenLines = new Set<number>();
    return this.doc.errors
      .filter((e) => {
        const line = this.position(e.pos[0]).line;
        if (seenLines.has(line)) return false;
        seenLines.add(line);
        return true;
      })
      .map((e) => {
        const pos = this.position(e.pos[0]);
        const firstLine = e.message.split('\n')[0] ?? e.message;
        // The parser gives up on very deep nesting with the engine's own words: say what it means.
        const message = /call stack/i.test(firstLine)
          ? 'the YAML nests too deeply to be read'
          : firstLine.replace(/ at line \d+, column \d+.*$/, '');
        const issue = { code: ScenarioErrorCode.SYNTAX, file: this.file, ...pos, path: '', message };
        return this.foreign ? contentFree(issue) : issue;
      });
  }

  position(offset: number): Position {
    const p = this.#parse().lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  /**
   * Where the value at `path` is written; with `key`, where its key is written. A path that does not exist
   * (a missing required field) points at the deepest ancestor that does.
   */
  locate(path: readonly PropertyKey[], key = false): Position {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    let last: unknown = node;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = this.#pairOf(node, String(seg));
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        keyNode = undefined;
        node = node.items[seg];
      } else {
        break;
      }
      if (node == null) break;
      last = node;
    }
    const target = (key && keyNode) || (node ?? keyNode) || last;
    const range = (target as Node | undefined)?.range;
    return range ? this.position(range[0]) : { line: 1, column: 1 };
  }

  /**
   * The first pair of `map` whose key is `key`. Indexed once per mapping: a file with thousands of unknown
   * keys gets an issue for each, and a scan per issue made locating them quadratic (seconds for 10,000).
   */
  #pairOf(map: YAMLMap, key: string): Pair | undefined {
    let byKey = this.#pairsByKey.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const p of map.items) {
        const k = isPair(p) ? scalarValue(p.key) : undefined;
        if (k !== undefined && !byKey.has(k)) byKey.set(k, p);
      }
      this.#pairsByKey.set(map, byKey);
    }
    return byKey.get(key);
  }

  /** Builds a located issue for a field of this file. */
  issue(
    code: ScenarioIssue['code'],
    path: readonly PropertyKey[],
    message: string,
    hint?: string,
    key = false,
  ): ScenarioIssue {
    const issue = {
      code,
      file: this.file,
      ...this.locate(path, key),
      path: formatPath(path),
      message,
      ...(hint ? { hint } : {}),
    };
    return this.foreign ? contentFree(issue, path) : issue;
  }

  /** The document as plain data (aliases resolved). */
  toJS(): unknown {
    // The overrides applied to the data (see setIn) apply to the data parsed ahead too.
    const data =
      this.#preparsed !== undefined && !this.#own
        ? JSON.parse(this.#preparsed)
        : this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    for (const [p, v] of this.#onData) setOnData(data, p, v);
    return data;
  }
}

// What an issue in a foreign file says instead of its message (which may quote values, keys, YAML).
const FOREIGN_MESSAGES: Partial<Record<ScenarioIssue['code'], string>> = {
  [ScenarioErrorCode.SYNTAX]: 'YAML syntax error',
  [ScenarioErrorCode.INVALID_VALUE]: 'invalid value',
  [ScenarioErrorCode.MISSING_FIELD]: 'a required field is missing',
  [ScenarioErrorCode.UNKNOWN_KEY]: 'unknown key',
  [ScenarioErrorCode.DANGLING_REFERENCE]: 'names something that does not exist',
  [ScenarioErrorCode.PRESET_MISSING]: 'names a preset that does not exist',
  [ScenarioErrorCode.INCLUDE_CYCLE]: 'extends cycle',
  [ScenarioErrorCode.DUPLICATE_NAME]: 'a name is defined twice',
};
// Refusals of the file policy are written without any content of the file: they stay as they are.
const CONTENT_FREE_CODES = new Set<string>([
  ScenarioErrorCode.FILE_MISSING,
  ScenarioErrorCode.FILE_OUTSIDE_ROOTS,
  ScenarioErrorCode.FILE_SPECIAL,
  ScenarioErrorCode.FILE_TOO_LARGE,
  ScenarioErrorCode.FILE_UNREADABLE,
]);

/**
 * The issue with nothing of the file's text: a generic message for its code, no hint, and for an unknown
 * key the path of its parent (the key itself is the file's text). The file, line, column and the path
 * of known fields remain, which is what the user needs to open the file at the right place.
 */
function contentFree(issue: ScenarioIssue, path?: readonly PropertyKey[]): ScenarioIssue {
  if (CONTENT_FREE_CODES.has(issue.code)) return issue;
  const { hint: _hint, ...rest } = issue;
  return {
    ...rest,
    ...(issue.code === ScenarioErrorCode.UNKNOWN_KEY && path ? { path: formatPath(path.slice(0, -1)) } : {}),
    message: `${FOREIGN_MESSAGES[issue.code] ?? 'invalid'} (this file's text is not quoted)`,
  };
}

function scalarValue(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}
