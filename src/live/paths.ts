import { fileURLToPath } from 'node:url';

/** The e2ctwin checkout (or installed package) root, from src/live/ or the dist/cli/ bundle alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A bundled file under dist/ (worker and helper entry points have their own bundles). */
export function distFile(rel: string): string {
  return fileURLToPath(new URL(`../../dist/${rel}`, import.meta.url));
}
