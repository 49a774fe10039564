/** Each verb's run that writes its bundle's code cache, as `bin/e2ctwin.js` arguments (code-cache-runs.mjs). */
export function codeCacheRuns(dir: string): string[][];
