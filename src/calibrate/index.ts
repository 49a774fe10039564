export * from './fit-laws.js';
export * from './stage-laws.js';
export * from './nelder-mead.js';
export * from './fit-scenario.js';
export * from './contention.js';
export * from './compare.js';
