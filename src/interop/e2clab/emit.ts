import { Document, isMap, isPair, isScalar, Scalar, visit } from 'yaml';
import type { Placeholder } from './import.js';

const YAML11_AMBIGUOUS = /^(?:[-+]?[\d_]+(?::[0-5]?\d)+(?:\.\d*)?|y|n|yes|no|on|off|true|false|null|~)$/i;

/**
 * YAML text of a document, with a header comment and each placeholder's comment written above its key
 * (so that a reader of the file sees what to fill, where).
 */
export function toYaml(data: unknown, header: string, placeholders: readonly Placeholder[] = []): string {
  const doc = new Document(data, { aliasDuplicateObjects: false });
  doc.commentBefore = header
    .split('\n')
    .map((l) => ` ${l}`)
    .join('\n');
  for (const p of placeholders) {
    const parent = doc.getIn(p.path.slice(0, -1), true);
    if (!isMap(parent)) continue;
    const pair = parent.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === p.path.at(-1));
    if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${p.comment}`;
  }
  // E2Clab reads its files with PyYAML (YAML 1.1): unquoted 01:00:00 is a sexagesimal integer there and
  // yes/no/on/off are booleans, so such strings are quoted.
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && YAML11_AMBIGUOUS.test(node.value))
        node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 110 });
}
