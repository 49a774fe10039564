// A small scanner for the parameter lists of TypeScript and JavaScript source, used by
// positional-params.test.ts. TypeScript 7 (native) has no JavaScript compiler API, and the rule needs no
// full parser: comments, strings, template literals and regular-expression literals are blanked out
// (newlines kept, so lines still count), then every bracketed list that a declaration's parameters can be
// — one followed by `{`, `=>` or a return-type `:` — has its top-level commas counted.

export interface ParamList {
  /** 1-based line of the opening parenthesis. */
  line: number;
  /** Number of parameters (a `this:` parameter is not one: it is not passed by position). */
  count: number;
  /** The text before the parenthesis on its line, to name the function in a message. */
  head: string;
}

const REGEX_BEFORE_WORDS = new Set([
  'return',
  'typeof',
  'case',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
]);
const REGEX_AFTER = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const isWordChar = (c: string) =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '$';
const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r';
const CONTROL = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'with',
  'return',
  'typeof',
  'await',
  'in',
  'of',
]);

/** The source with comments, strings, template text and regex bodies replaced by spaces. */
export function blank(src: string): string {
  const out = src.split('');
  let i = 0;
  const n = src.length;
  // Stack of open template literals' `${` brace depths, so that `}` can resume the template.
  const templates: number[] = [];
  let braces = 0;
  let lastSig = ''; // last significant character of code (or the word it ended)
  let lastWord = '';
  const wipe = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const scanTemplate = () => {
    // At the first character after a backtick or after the `}` closing a substitution.
    const start = i;
    while (i < n) {
      const c = src[i];
      if (c === '\\') i += 2;
      else if (c === '`') {
        wipe(start, i);
        i++;
        lastSig = 'x';
        lastWord = '';
        return;
      } else if (c === '$' && src[i + 1] === '{') {
        wipe(start, i);
        i += 2;
        templates.push(braces);
        braces++;
        lastSig = '{';
        return;
      } else i++;
    }
    wipe(start, n);
  };
  while (i < n) {
    const c = src[i]!;
    const d = src[i + 1];
    if (c === '/' && d === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      wipe(i, stop);
      i = stop;
    } else if (c === '/' && d === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      wipe(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      wipe(i + 1, j);
      i = j + 1;
      lastSig = 'x';
      lastWord = '';
    } else if (c === '`') {
      i++;
      scanTemplate();
    } else if (
      c === '/' &&
      (REGEX_AFTER.has(lastSig) || lastSig === '' || REGEX_BEFORE_WORDS.has(lastWord))
    ) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        const e = src[j];
        if (e === '\\') j += 2;
        else if (e === '[') (inClass = true), j++;
        else if (e === ']') (inClass = false), j++;
        else if (e === '/' && !inClass) break;
        else j++;
      }
      wipe(i + 1, j);
      i = j + 1;
      while (i < n && src[i]! >= 'a' && src[i]! <= 'z') i++;
      lastSig = 'x';
      lastWord = '';
    } else if (c === '{') {
      braces++;
      lastSig = c;
      lastWord = '';
      i++;
    } else if (c === '}') {
      braces--;
      if (templates.length > 0 && templates[templates.length - 1] === braces) {
        templates.pop();
        i++;
        scanTemplate();
      } else {
        lastSig = c;
        lastWord = '';
        i++;
      }
    } else if (isWordChar(c)) {
      let j = i;
      while (j < n && isWordChar(src[j]!)) j++;
      lastWord = src.slice(i, j);
      lastSig = 'x';
      i = j;
    } else {
      if (!isSpace(c)) {
        lastSig = c;
        lastWord = '';
      }
      i++;
    }
  }
  return out.join('');
}

/** Index of the bracket closing the one at `open`, or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let k = open; k < text.length; k++) {
    const c = text[k];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

/** Top-level parameters of the list between `open` and `close` (exclusive). */
function params(text: string, open: number, close: number): string[] {
  const parts: string[] = [];
  let depth = 0;
  let angle = 0;
  let from = open + 1;
  for (let k = open + 1; k < close; k++) {
    const c = text[k];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '<') angle++;
    else if (c === '>' && text[k - 1] !== '=') angle = Math.max(0, angle - 1);
    else if (c === ',' && depth === 0 && angle === 0) {
      parts.push(text.slice(from, k));
      from = k + 1;
    }
  }
  parts.push(text.slice(from, close));
  return parts.map((p) => p.trim()).filter((p) => p !== '' && !/^this\s*:/.test(p));
}

/** Every parameter list of a declaration, function expression, arrow, method or signature in `src`. */
export function paramLists(src: string): ParamList[] {
  const text = blank(src);
  const found: ParamList[] = [];
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text[k] === '\n') lineStarts.push(k + 1);
  const lineOf = (index: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const follows = /\s*(=>|\{|:)/y;
  for (let open = text.indexOf('('); open >= 0; open = text.indexOf('(', open + 1)) {
    const close = closing(text, open);
    if (close < 0) break;
    follows.lastIndex = close + 1;
    if (!follows.test(text)) continue;
    // `if (…) {` and the like are not functions; nor is a call, which a member access (`a.f(…)`), a
    // ternary (`? f(…) :`), `case f(…):` or `new` can reveal when a `:` follows it.
    const preceding = text.slice(Math.max(0, open - 200), open);
    const before = preceding.match(/(\S?)\s*(#?[A-Za-z_$][\w$]*)\s*(?:<[^()]*>)?\s*$/);
    if (before && CONTROL.has(before[2]!)) continue;
    if (before && (before[1] === '.' || before[1] === '?')) continue;
    if (/\b(?:case|new)\s+[\w$.#]*\s*(?:<[^()]*>)?\s*$/.test(text.slice(Math.max(0, open - 200), open)))
      continue;
    const lineStart = text.lastIndexOf('\n', open) + 1;
    found.push({
      line: lineOf(open),
      count: params(text, open, close).length,
      head: src.slice(lineStart, open).trim(),
    });
  }
  return found;
}
