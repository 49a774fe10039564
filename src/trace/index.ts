export * from './errors.js';
export * from './record.js';
export * from './jsonl.js';
export * from './chrome.js';
export * from './time-index.js';
export * from './merge-spans.js';
export * from './range-stats.js';
export * from './window-json.js';
