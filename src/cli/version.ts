import { readFileSync } from 'node:fs';

/** e2ctwin's package.json fields that runs record (read once; no dependency on the command-line code). */
export const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
