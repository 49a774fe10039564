import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import { cpuSlotsFolder } from './cpu-slots-folder.js';
import { pidAlive, takeFolderLock } from './folder-lock.js';
import { until } from './poll.js';

// A setup file (vitest.config.ts): admission of test files to the CPU, run before each file is imported.
//
// The live testbed files (listed in vitest.config.ts, provided as `liveTestbedFiles`) run one at a time
// (liveTestLock) and spend their minutes waiting on the testbed's clock. Vitest hands files to its workers
// in one queue, so a live file handed out while another holds the testbed waits on the lock with a worker,
// and while one runs, its worker does little: with one worker per core the other files had one core's
// worth of workers beside the testbed. So vitest.config.ts gives the run more workers than cores (one per
// live file more) and this file does the limiting: every other file takes one of `cores` CPU slots before
// it is imported and keeps it until its tests end. At any time: the testbed's file, one file per core,
// and workers that wait (an idle Node.js process each, nothing imported).
//
// The file that holds the testbed runs at a higher priority meanwhile (liveTestLock), so that the testbed
// gets a core when it needs one beside two busy files, as it did beside one.
//
// Waiting files take the slots in the order they were handed out (a ticket each): vitest's queue puts the
// longest first, which keeps the end of the run short.

declare module 'vitest' {
  interface ProvidedContext {
    /** The live testbed files (repository paths): they take the testbed lock, not a CPU slot. */
    liveTestbedFiles: string[];
  }
}

const liveFiles = inject('liveTestbedFiles') ?? [];
const testPath = expect.getState().testPath ?? '';
const live = liveFiles.some((f) => testPath.endsWith(`/${f}`));

const slots = process.env.E2C_TEST_CPU_SLOTS !== '0';

if (!live && slots) {
  // One set of slots per vitest run: its workers are children of the vitest process.
  const base = cpuSlotsFolder(process.ppid);
  const cores = os.availableParallelism();
  const waiting = path.join(base, 'waiting');
  mkdirSync(waiting, { recursive: true });
  const ticket = `${String(Date.now()).padStart(15, '0')}-${process.pid}`;
  writeFileSync(path.join(waiting, ticket), '');
  /** True when no waiting file was handed out before this one (tickets of dead workers are dropped). */
  const first = () => {
    for (const t of readdirSync(waiting).sort()) {
      if (t === ticket) return true;
      if (!pidAlive(Number(t.split('-')[1]))) rmSync(path.join(waiting, t), { force: true });
      else return false;
    }
    return true;
  };
  const release = await until(
    'a CPU slot',
    () => {
      if (!first()) return null;
      for (let i = 0; i < cores; i++) {
        const got = takeFolderLock(path.join(base, `slot-${i}`));
        if (got) return got;
      }
      return null;
    },
    { everyMs: 100, timeoutMs: 60 * 60_000 },
  );
  rmSync(path.join(waiting, ticket), { force: true });
  afterAll(() => release());
}
