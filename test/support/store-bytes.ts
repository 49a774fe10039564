import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** A copy of `bytes` with the low bit of the byte at `pos` flipped. */
export function flipped(bytes: Buffer, pos: number): Buffer {
  const b = Buffer.from(bytes);
  b[pos]! ^= 1;
  return b;
}

/** The trials of a store image as SQLite reads them with no check of ours (key, metrics, checksum), as JSON. */
function rawTrials(bytes: Buffer, scratch: string): string {
  mkdirSync(scratch, { recursive: true });
  const file = path.join(scratch, 'raw.sqlite');
  writeFileSync(file, bytes);
  const db = new Database(file, { readonly: true });
  try {
    return JSON.stringify(
      db
        .prepare(
          'SELECT config_key, fidelity, replication, seed, metrics, checksum FROM trials ORDER BY config_key, replication',
        )
        .all(),
    );
  } finally {
    db.close();
  }
}

/**
 * Offsets of the digits of stored metric values and of the trial checksums that live rows hold: flipping one
 * changes what SQLite returns for a trial (other copies of such text lie in free space, where a flip is harmless).
 */
export function liveTrialOffsets(bytes: Buffer, scratch: string): { digits: number[]; checksums: number[] } {
  const text = bytes.toString('latin1');
  const digits = [...text.matchAll(/"(responseTime\.mean|throughput)":(\d)/g)].map(
    (m) => m.index + m[0].length - 1,
  );
  const checksums = [...text.matchAll(/Z[0-9a-f]{64}/g)].map((m) => m.index + 10);
  const before = rawTrials(bytes, scratch);
  const live = (pos: number) => rawTrials(flipped(bytes, pos), scratch) !== before;
  return { digits: digits.filter(live), checksums: checksums.filter(live) };
}
