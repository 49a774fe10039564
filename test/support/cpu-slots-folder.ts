import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The folder of a vitest run's CPU slots (test/support/cpu-slots.ts): named after the vitest process,
 * the parent of the workers, which runs the global setup.
 */
export const cpuSlotsFolder = (vitestPid: number) =>
  path.join(os.tmpdir(), `e2ctwin-test-cpu-slots-${vitestPid}`);

/** Global setup: the run's slots folder is removed when the run ends. */
export default function setup(): () => void {
  return () => rmSync(cpuSlotsFolder(process.pid), { recursive: true, force: true });
}
