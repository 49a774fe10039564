// The spans of the timeline's first answer as columns: 20,000 span objects of JSON text (3 MB, their
// keys and names repeated on every span) took the page longer to parse than the server took to answer.
// As columns — one array per field, text fields as indices into one list of strings — the same spans are
// less than half the text, and a browser parses arrays of numbers much faster than objects.
// web/lib/span-columns.js turns them back into the span objects, field for field.

/** Spans as columns: span i has field `fields[j]` = `columns[j][i]` (for a text field, `strings[columns[j][i]]`), or not at all when null. */
export interface SpanColumns {
  fields: string[];
  /** Whether field j holds text (its values are indices into `strings`). */
  text: boolean[];
  strings: string[];
  columns: (number | null)[][];
}

/**
 * `spans` as columns, or undefined when a field holds anything but numbers, or anything but strings,
 * across the spans (a live trace may carry other fields: those answers stay span objects).
 */
export function spanColumns(spans: readonly object[]): SpanColumns | undefined {
  const fieldIndex = new Map<string, number>();
  const fields: string[] = [];
  const text: boolean[] = [];
  const columns: (number | null)[][] = [];
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) {
    for (const [key, value] of Object.entries(spans[i]!)) {
      if (value === undefined) continue;
      let j = fieldIndex.get(key);
      if (j === undefined) {
        if (typeof value !== 'number' && typeof value !== 'string') return undefined;
        j = fields.length;
        fieldIndex.set(key, j);
        fields.push(key);
        text.push(typeof value === 'string');
        columns.push(new Array<number | null>(spans.length).fill(null));
      }
      if (text[j]) {
        if (typeof value !== 'string') return undefined;
        let s = stringIndex.get(value);
        if (s === undefined) {
          s = strings.length;
          stringIndex.set(value, s);
          strings.push(value);
        }
        columns[j]![i] = s;
      } else {
        if (typeof value !== 'number') return undefined;
        columns[j]![i] = value;
      }
    }
  }
  return { fields, text, strings, columns };
}
