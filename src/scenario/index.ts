export * from './errors.js';
export * from './load.js';
export * from './resolved.js';
export * from './json-schema.js';
export * from './summary.js';
export * from './dist-spec.js';
export { resolveFieldPath } from './overrides.js';
export { MODELS_DIR } from './presets.js';
export * from './schema/index.js';
