#!/usr/bin/env node
// The CLI runs from the compiled dist/ (start-up time is part of every run users pay for).
// The package ships it (`npm pack` builds it through `prepack`); in a checkout `bash scripts/setup.sh` or
// `npm run build` builds it.
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
