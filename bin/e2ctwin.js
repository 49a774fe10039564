#!/usr/bin/env node
// The CLI runs from the compiled dist/ (start-up time is part of every run users pay for).
// `npm ci` builds it through the `prepare` script; `npm run build` refreshes it after edits.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'e2ctwin: dist/ is missing; run `npm run build` (or `bash scripts/setup.sh`) first.\n',
  );
  process.exit(1);
}
await import(entry.href);
