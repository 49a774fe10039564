export * from './errors.js';
export * from './record.js';
export * from './jsonl.js';
export * from './chrome.js';
