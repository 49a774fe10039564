import { Document, isMap, isPair, isScalar } from 'yaml';
import type { Placeholder } from './import.js';

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
  return doc.toString({ lineWidth: 110 });
}
