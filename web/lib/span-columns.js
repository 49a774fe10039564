// The timeline's first answer may bring its spans as columns (src/trace/span-columns.ts: one array per
// field, text fields as indices into one list of strings), which the page parses much faster than span
// objects; turned back here into the span objects, field for field.

/**
 * `answer` with `spans` (span objects) in place of `columns`; an answer with spans already is returned
 * as it is.
 */
export function withSpans(answer) {
  if (!answer?.columns) return answer;
  const { fields, text, strings, columns } = answer.columns;
  const n = columns[0]?.length ?? 0;
  const spans = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = {};
    for (let j = 0; j < fields.length; j++) {
      const v = columns[j][i];
      if (v !== null) s[fields[j]] = text[j] ? strings[v] : v;
    }
    spans[i] = s;
  }
  const { columns: _, ...rest } = answer;
  return { ...rest, spans };
}
