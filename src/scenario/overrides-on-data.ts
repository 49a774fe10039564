import { isMap, isScalar, isSeq, visit, type Document } from 'yaml';

// An override (`--set`) used to be applied to a copy of the parsed document (`Document.clone()` and
// `setIn`), and every configuration of a study is a new set of overrides: cloning the document was a third
// of loading a Pl@ntNet trial's scenario in a worker. Where the outcome is certain to be the same, the
// override is applied to the document's plain data instead (YamlSource keeps the shared document for
// locating issues): the data is what `toJS()` of the changed document would give, and every node an issue
// can be located at outside the overridden value is the same node, at the same position, in both
// documents (an issue at or under an override is attributed to the `--set` itself, overrides.ts).

/** Documents with aliases (whose data share objects with their anchors): overrides go to a copy. */
const hasAliases = new WeakMap<Document, boolean>();

function aliased(doc: Document): boolean {
  let known = hasAliases.get(doc);
  if (known === undefined) {
    known = false;
    visit(doc, {
      Alias: () => {
        known = true;
        return visit.BREAK;
      },
    });
    hasAliases.set(doc, known);
  }
  return known;
}

/**
 * Whether `doc.setIn(path, …)` changes exactly `path` in the document's data, so that the override can be
 * applied to the data: the document has no alias; every proper prefix of `path` is a mapping or a sequence
 * of the document (setIn would create the missing ones, and an issue located under a created one would
 * point elsewhere), reached by string keys and indices within the sequences; the last key names a pair of
 * a mapping with string keys only, or an item of a sequence; and no override applied before it on the data
 * is a prefix of `path` (it would have replaced a node on the way).
 */
export function settableOnData(
  doc: Document,
  path: readonly PropertyKey[],
  earlier: readonly (readonly PropertyKey[])[],
): boolean {
  if (path.length === 0 || aliased(doc)) return false;
  if (earlier.some((p) => p.length <= path.length && p.every((k, i) => k === path[i]))) return false;
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      if (typeof key !== 'string') return false;
      if (!node.items.every((p) => isScalar(p.key) && typeof p.key.value === 'string')) return false;
      if (last) return true;
      node = node.get(key, true);
    } else if (isSeq(node)) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= node.items.length)
        return false;
      if (last) return true;
      node = node.items[key];
    } else {
      return false;
    }
  }
  return false;
}

/**
 * {@link settableOnData} decided on the plain data of a text that src/scenario/plain-yaml.ts read, without
 * the document: a scenario given with `--set` is then parsed by the yaml package only if an issue must be
 * located in it (part of the plain-yaml shortcut, src/scenario/yaml-source.ts, whose switch
 * E2CTWIN_PLAIN_YAML=0 turns it off). Why it is the same answer: such a text has no alias (the subset
 * refuses anchors and aliases) and its keys are names that resolve to strings, so the document's mappings
 * are `data`'s objects and its sequences `data`'s arrays, key for key and item for item, and everything
 * else is a scalar. test/scenario/overrides-on-data.test.ts compares the two on every path of every such
 * file of the repository.
 */
export function settableOnPlainData(
  data: unknown,
  path: readonly PropertyKey[],
  earlier: readonly (readonly PropertyKey[])[],
): boolean {
  if (path.length === 0) return false;
  if (earlier.some((p) => p.length <= path.length && p.every((k, i) => k === path[i]))) return false;
  let node = data;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    if (Array.isArray(node)) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= node.length) return false;
      if (last) return true;
      node = node[key];
    } else if (typeof node === 'object' && node !== null) {
      if (typeof key !== 'string') return false;
      if (last) return true;
      node = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
    } else {
      return false;
    }
  }
  return false;
}

/** Sets `value` (a copy) at `path` in `data`, whose every proper prefix of `path` is an object or array. */
export function setOnData(data: unknown, path: readonly PropertyKey[], value: unknown): void {
  let cur = data as Record<PropertyKey, unknown>;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i]!] as Record<PropertyKey, unknown>;
  // Each call gets its own copy of an object value, as each toJS() of a document does.
  cur[path[path.length - 1]!] = typeof value === 'object' && value !== null ? structuredClone(value) : value;
}
