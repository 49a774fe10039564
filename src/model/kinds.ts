/**
 * For the `default:` of a switch over a kind of the schema (StageResource, WorkloadKind, …): `kind` is
 * `never` once every kind has its case, so a kind added to the schema fails to compile until handled.
 */
export function unhandledKind(kind: never): never {
  throw new Error(`unhandled kind ${String(kind)}`);
}
