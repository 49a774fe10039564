export * from './errors.js';
export * from './load.js';
export * from './resolved.js';
export * from './json-schema.js';
export * from './summary.js';
export * from './dist-spec.js';
export { resolveFieldPath } from './overrides.js';
export { MODELS_DIR } from './presets.js';
export * from './schema/index.js';
export { readTraces } from './traces.js';
export { closest, suggest } from './did-you-mean.js';
export {
  FilePolicy,
  SHIPPED_ROOTS,
  MAX_YAML_BYTES,
  MAX_TRACE_BYTES,
  type FileRoots,
  type FileRead,
  type Prefetch,
  type FileRefusal,
} from './file-policy.js';
export { scenarioIssueAt } from './locate.js';
export { YamlSource } from './yaml-source.js';
export { selectHosts, selectorNames, type Selection, type SelectableService } from './selectors.js';
export { LIMITS } from './limits.js';
