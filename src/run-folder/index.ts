export * from './errors.js';
export * from './out-kinds.js';
export * from './out-path.js';
export * from './replace.js';
export * from './read-file.js';
export * from './read-trace.js';
export * from './measured-run.js';
