import { writeFileSync } from 'node:fs';

/**
 * Writes a study's `progress.json` by hand, as a coordinator would (an optimize study of plantnet, 40 trials
 * planned): for tests of what reads it — the API and the page — without running a study. `fields` overrides
 * the defaults (state, done, backend, workers, updatedAt…).
 */
export function writeProgressFile(file: string, fields: Record<string, unknown>): void {
  writeFileSync(
    file,
    JSON.stringify({
      format: 'e2ctwin-study-progress',
      kind: 'optimize',
      scenario: 'plantnet',
      state: 'running',
      backend: 'local',
      done: 0,
      total: 40,
      reused: 0,
      workers: 1,
      etaSeconds: 90,
      startedAt: '2026-01-01T00:00:00.000Z',
      updatedAt: new Date().toISOString(),
      ...fields,
    }),
  );
}
