/**
 * The offset of the first syntax error in a text that JSON.parse rejected. V8 states a position for
 * some errors only ("Unexpected token" quotes the text around it instead), so the text is scanned once
 * more — iteratively, so that deep nesting cannot overflow the stack. Called on failures only.
 */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  const stack: ('{' | '[')[] = [];
  let want: 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'commaOrEnd' = 'value';
  let i = 0;
  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    // After a complete value at the top level, anything but white space is the error.
    if (want === 'commaOrEnd' && stack.length === 0) return i;
    if (i >= n) return n;
    const c = text[i]!;
    if (want === 'colon') {
      if (c !== ':') return i;
      i++;
      want = 'value';
    } else if (want === 'commaOrEnd') {
      const top = stack[stack.length - 1];
      if (c === ',') {
        i++;
        want = top === '{' ? 'key' : 'value';
      } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
        i++;
        stack.pop();
      } else {
        return i;
      }
    } else if (want === 'key' || want === 'keyOrEnd') {
      if (c === '}' && want === 'keyOrEnd') {
        i++;
        stack.pop();
        want = 'commaOrEnd';
      } else if (c === '"') {
        const s = stringEnd(text, i);
        if (!s.ok) return s.at;
        i = s.at;
        want = 'colon';
      } else {
        return i;
      }
    } else if (c === ']' && want === 'valueOrEnd') {
      i++;
      stack.pop();
      want = 'commaOrEnd';
    } else if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      want = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
    } else if (c === '"') {
      const s = stringEnd(text, i);
      if (!s.ok) return s.at;
      i = s.at;
      want = 'commaOrEnd';
    } else {
      const lit = LITERALS.find((l) => l[0] === c);
      if (lit) {
        // As V8 does: the error is at the first character that breaks the literal.
        for (let k = 1; k < lit.length; k++) if (text[i + k] !== lit[k]) return i + k;
        i += lit.length;
      } else {
        NUMBER.lastIndex = i;
        const len = NUMBER.exec(text)?.[0].length ?? 0;
        if (len === 0) return i;
        i += len;
      }
      want = 'commaOrEnd';
    }
  }
}

const LITERALS = ['true', 'false', 'null'];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = '"\\/bfnrt';

/** The offset after a string starting at `i` (its opening quote), or the offset of its error. */
function stringEnd(text: string, i: number): { ok: boolean; at: number } {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '"') return { ok: true, at: j + 1 };
    if (c.charCodeAt(0) < 0x20) return { ok: false, at: j };
    if (c === '\\') {
      const e = text[j + 1];
      if (e === 'u') {
        for (let k = j + 2; k < j + 6; k++)
          if (!/[0-9a-fA-F]/.test(text[k] ?? '')) return { ok: false, at: k };
        j += 5;
      } else if (e !== undefined && ESCAPES.includes(e)) {
        j++;
      } else {
        return { ok: false, at: j + 1 };
      }
    }
  }
  return { ok: false, at: text.length };
}
