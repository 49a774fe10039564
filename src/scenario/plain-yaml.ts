/**
 * The plain data of a YAML text written in a small, common subset of YAML, read line by line without the
 * yaml package — or undefined, and the text is parsed by the yaml package as before.
 *
 * Why: `validate` reads the user's scenario (and the files it names) once, with the yaml package's lexer,
 * parser and composer running cold (generators in the interpreter): about a tenth of the command's time for
 * a 4 KB scenario. Scenarios are written in a few constructs: block mappings and sequences, one-line flow
 * collections, one-line plain and quoted scalars, folded and literal descriptions, comments.
 *
 * The invariant (what makes it exact): for a text it accepts, the yaml package (YAML 1.2, core schema,
 * unique keys) reports no error and its `toJS()` gives exactly these data; the data's JSON gives them back
 * (no -0, no non-finite number, no `__proto__` key). Anything outside the subset — tabs, anchors, aliases,
 * tags, documents markers, multi-line plain or quoted scalars, flow collections over several lines, keys
 * that are not plain names, block scalars with blank or more-indented lines, escapes in double quotes,
 * duplicate keys — is refused, never guessed. Where a text is accepted, its issues (zod's, the references')
 * are still located by the yaml package's document, which YamlSource parses then (src/scenario/yaml-source.ts:
 * the decision and its switch, E2CTWIN_PLAIN_YAML=0). test/scenario/plain-yaml.test.ts compares the two on
 * every YAML file of the repository and on thousands of mutations of them.
 */

/** Refused: the text is outside the subset (parse it with the yaml package). */
class Outside extends Error {}
const outside = (): never => {
  throw new Outside();
};

/** A plain mapping key: a name (letters, digits, `_`, `-`, `.`), not a word the core schema resolves. */
const KEY = /^([A-Za-z_][\w.-]*):(?= |$)/;
/** A flow-mapping key (followed by `: `). */
const FLOW_KEY = /^([A-Za-z_][\w.-]*): /;
// The yaml package's core schema (yaml/dist/schema/core/*.js and common/null.js), in its order.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
// YAML's white space is the space and the tab (refused): String.prototype.trim would take other characters
// (a no-break space, for one) that are content in YAML.
const LEADING = /^ +/;
const TRAILING = / +$/;
/** Characters that cannot start a plain scalar (or start something this reader does not take). */
const NOT_PLAIN_FIRST = new Set([...',[]{}#&*!|>\'"%@`']);
/** Block scalar header: `>` or `|`, optionally `-` (strip), optionally a comment. */
const BLOCK_HEADER = /^([>|])(-?)( +#.*)?$/;
// Characters the subset refuses anywhere: tabs, carriage returns, other C0/C1 controls, DEL, the BOM and the
// YAML 1.1 line breaks (the yaml package's handling of each is not worth reproducing here).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const REFUSED_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** A plain scalar's value as the core schema resolves it; refuses what JSON would not give back. */
function resolvePlain(s: string): unknown {
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s) || INT_HEX.test(s) || FLOAT_NAN.test(s)) outside();
  let n: number | undefined;
  if (INT.test(s)) n = parseInt(s, 10);
  else if (FLOAT_EXP.test(s) || FLOAT.test(s)) n = parseFloat(s);
  if (n === undefined) return s;
  if (!Number.isFinite(n) || Object.is(n, -0)) outside();
  return n;
}

/** A mapping key: a name the core schema resolves to itself, at most 1024 characters, not `__proto__`. */
function checkKey(key: string, map: Record<string, unknown>): string {
  if (key.length > 1024 || key === '__proto__' || resolvePlain(key) !== key || Object.hasOwn(map, key))
    outside();
  return key;
}

/** `rest` (what follows a value on its line) is nothing or a comment. */
function endOfLine(rest: string): void {
  if (rest !== '' && !/^ +(#.*)?$/.test(rest)) outside();
}

/** A one-line quoted scalar at the start of `s`: [its value, what follows it]. */
function quoted(s: string): [string, string] {
  if (s[0] === "'") {
    let out = '';
    let i = 1;
    for (;;) {
      const j = s.indexOf("'", i);
      if (j < 0) outside();
      out += s.slice(i, j);
      if (s[j + 1] === "'") {
        out += "'";
        i = j + 2;
      } else return [out, s.slice(j + 1)];
    }
  }
  const j = s.indexOf('"', 1);
  if (j < 0) outside();
  const body = s.slice(1, j);
  if (body.includes('\\')) outside();
  return [body, s.slice(j + 1)];
}

/** A flow value at the start of `s` (one line): [its value, what follows it]. */
function flowValue(s: string): [unknown, string] {
  const c = s[0];
  if (c === '{') {
    const map: Record<string, unknown> = {};
    let rest = s.slice(1).replace(LEADING, '');
    if (rest[0] === '}') return [map, rest.slice(1)];
    for (;;) {
      const m = FLOW_KEY.exec(rest);
      if (!m) outside();
      const key = checkKey(m![1]!, map);
      const [value, after] = flowValue(rest.slice(m![0].length).replace(LEADING, ''));
      map[key] = value;
      rest = after.replace(LEADING, '');
      if (rest[0] === '}') return [map, rest.slice(1)];
      if (rest[0] !== ',') outside();
      rest = rest.slice(1).replace(LEADING, '');
    }
  }
  if (c === '[') {
    const seq: unknown[] = [];
    let rest = s.slice(1).replace(LEADING, '');
    if (rest[0] === ']') return [seq, rest.slice(1)];
    for (;;) {
      const [value, after] = flowValue(rest);
      seq.push(value);
      rest = after.replace(LEADING, '');
      if (rest[0] === ']') return [seq, rest.slice(1)];
      if (rest[0] !== ',') outside();
      rest = rest.slice(1).replace(LEADING, '');
    }
  }
  if (c === "'" || c === '"') return quoted(s);
  // A plain scalar in a flow collection: up to the next `,`, `]` or `}`; no `:` or `#` in it.
  if (c === undefined || NOT_PLAIN_FIRST.has(c) || ((c === '-' || c === '?') && s[1] === ' ')) outside();
  const end = s.search(/[,\]}]/);
  if (end < 0) outside();
  const text = s.slice(0, end).replace(TRAILING, '');
  if (text === '' || /[:#[{]/.test(text)) outside();
  return [resolvePlain(text), s.slice(end)];
}

/** A line of the text: its indentation and what follows it. */
interface Line {
  indent: number;
  text: string;
}

class Reader {
  i = 0;
  constructor(readonly lines: readonly Line[]) {}

  /** The next line with content (comment lines and blank lines skipped), without taking it. */
  peek(): Line | undefined {
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.text !== '' && l.text[0] !== '#') return l;
      this.i++;
    }
    return undefined;
  }

  /** The block node whose first line is the next line, at indentation `indent`. */
  block(indent: number): unknown {
    const l = this.peek();
    if (!l || l.indent !== indent) outside();
    return isItem(l!.text) ? this.sequence(indent, false) : this.mapping(indent, l!.text);
  }

  /**
   * A block mapping at indentation `indent` whose first entry is `first` (the rest of its line, from the
   * key, which is at column `indent`). Its other entries are the next lines at `indent`.
   */
  mapping(indent: number, first: string): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let text = first;
    for (;;) {
      this.i++;
      const m = KEY.exec(text);
      if (!m) outside();
      const key = checkKey(m![1]!, map);
      map[key] = this.value(text.slice(m![0].length).replace(LEADING, ''), indent, true);
      const next = this.peek();
      if (!next || next.indent < indent) return map;
      if (next.indent > indent || isItem(next.text)) outside();
      text = next.text;
    }
  }

  /**
   * A block sequence at indentation `indent` (its items are the next lines at `indent` starting with `-`);
   * `atKey`: it is the value of a key at the same indentation, whose mapping goes on after it.
   */
  sequence(indent: number, atKey: boolean): unknown[] {
    const seq: unknown[] = [];
    for (;;) {
      const l = this.peek();
      if (!l || l.indent < indent || (atKey && l.indent === indent && !isItem(l.text))) return seq;
      if (l.indent > indent || !isItem(l.text)) outside();
      const rest = l.text.slice(1).replace(LEADING, '');
      const column = indent + l.text.length - rest.length;
      if (rest !== '' && rest[0] !== '#' && KEY.test(rest)) {
        // `- key: value`: a mapping whose entries are at the item's column.
        seq.push(this.mapping(column, rest));
      } else {
        this.i++;
        seq.push(this.value(rest, indent, false));
      }
    }
  }

  /**
   * The value after a key (`afterKey`) or a sequence's dash: `rest` is the rest of the line (already
   * taken), the mapping or sequence it belongs to is at indentation `indent`.
   */
  value(rest: string, indent: number, afterKey: boolean): unknown {
    if (rest === '' || rest[0] === '#') {
      // A block node on the next lines: more indented, or after a key, a sequence at the key's indentation
      // (after a dash, a `-` line at the same indentation is the next item).
      const next = this.peek();
      if (next && next.indent > indent) return this.block(next.indent);
      if (afterKey && next && next.indent === indent && isItem(next.text)) return this.sequence(indent, true);
      return null;
    }
    const c = rest[0]!;
    let value: unknown;
    if (c === '>' || c === '|') return this.blockScalar(rest, indent);
    if (c === '{' || c === '[' || c === "'" || c === '"') {
      const [v, after] = c === '{' || c === '[' ? flowValue(rest) : quoted(rest);
      endOfLine(after);
      value = v;
    } else {
      if (NOT_PLAIN_FIRST.has(c) || ((c === '-' || c === '?' || c === ':') && rest[1] === ' ')) outside();
      const hash = rest.indexOf(' #');
      let text = (hash < 0 ? rest : rest.slice(0, hash)).replace(TRAILING, '');
      if (text.includes(': ') || text.endsWith(':')) outside();
      // A plain scalar folded over more indented lines (as the yaml package writes long strings): each
      // line break between two lines is a space. No blank lines, comments or indicators among them.
      for (
        let l = this.lines[this.i];
        hash < 0 && l && l.indent > indent && l.text !== '';
        l = this.lines[this.i]
      ) {
        const more = l.text.replace(TRAILING, '');
        const c0 = more[0]!;
        if (c0 === '#') break;
        if (NOT_PLAIN_FIRST.has(c0) || '-?:'.includes(c0) || more.includes(': ') || more.endsWith(':'))
          outside();
        if (more.includes(' #')) outside();
        text += ` ${more}`;
        this.i++;
      }
      value = resolvePlain(text);
    }
    // Nothing of this value continues on the next lines (a blank line inside a scalar, a comment between its
    // lines, or a line after a flow collection or a quoted scalar are outside the subset).
    const next = this.peek();
    if (next && next.indent > indent) outside();
    return value;
  }

  /**
   * A folded (`>`) or literal (`|`) block scalar, clipped or stripped (`-`): lines at one indentation,
   * greater than the node's, without blank or more-indented lines between them and without trailing spaces.
   */
  blockScalar(header: string, indent: number): string {
    const h = BLOCK_HEADER.exec(header);
    if (!h) outside();
    const lines: string[] = [];
    let at = -1;
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.text === '') {
        // A blank line: the end of the scalar if no content line follows at its indentation (and it has
        // no spaces beyond that indentation, which would be content).
        if (lines.length === 0 || l.indent > at) outside();
        let k = this.i + 1;
        while (k < this.lines.length && this.lines[k]!.text === '') k++;
        if (k < this.lines.length && this.lines[k]!.indent >= at) outside();
        break;
      }
      if (at < 0) {
        if (l.indent <= indent) break;
        at = l.indent;
      }
      if (l.indent < at) break;
      if (l.indent > at || l.text.endsWith(' ')) outside();
      lines.push(l.text);
      this.i++;
    }
    if (lines.length === 0) outside();
    const body = lines.join(h![1] === '>' ? ' ' : '\n');
    // Clipped: one line break at the end (the yaml package adds it also where the text ends without one).
    return h![2] === '-' ? body : `${body}\n`;
  }
}

/** A block sequence's item line: `-` alone or followed by a space. */
function isItem(text: string): boolean {
  return text[0] === '-' && (text.length === 1 || text[1] === ' ');
}

/**
 * The JSON of the data of `text` when it is written in the subset this module reads (see the module's
 * comment), otherwise undefined.
 */
export function plainYamlJson(text: string): string | undefined {
  if (REFUSED_CHARS.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const body = raw.replace(LEADING, '');
    const indent = raw.length - body.length;
    // Directives and document markers at the start of a line.
    if (indent === 0 && (body[0] === '%' || body.startsWith('---') || body.startsWith('...')))
      return undefined;
    lines.push({ indent, text: body });
  }
  try {
    const r = new Reader(lines);
    const first = r.peek();
    if (first?.indent !== 0) return undefined;
    const data = r.block(0);
    if (r.peek() !== undefined) return undefined;
    return JSON.stringify(data);
  } catch {
    // Outside the subset (or nested beyond the stack: the yaml package decides what that is).
    return undefined;
  }
}
