import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ExploreError, ExploreErrorCode } from './errors.js';
import { flatMetricsJson, parseFlatMetrics, type FlatMetrics } from './metrics.js';
import { checkStoreFile, corrupt, deleteStore } from './store-file.js';
import {
  canonicalJson,
  changedInputs,
  IDENTITY_FORMAT,
  sha256,
  type StudyIdentity,
} from './study-identity.js';

export type { StudyIdentity } from './study-identity.js';

/** Identity of a trial: a replication of a configuration at a fidelity with a seed. */
export interface TrialKey {
  configKey: string;
  fidelity: number;
  replication: number;
  seed: number;
}

/** A finished trial as stored. */
export interface StoredTrial extends TrialKey {
  metrics: FlatMetrics;
  wallMs: number;
}

const TRIAL_COLUMNS = [
  'config_key',
  'fidelity',
  'replication',
  'seed',
  'metrics',
  'wall_ms',
  'finished_at',
  'checksum',
];

/** The checksum stored with a trial: over its key and what is read back, so a damaged or moved row fails it. */
function trialChecksum(k: TrialKey, metricsJson: string, wallMs: number): string {
  return sha256(canonicalJson([k.configKey, k.fidelity, k.replication, k.seed, metricsJson, wallMs]));
}

const describeTrial = (k: TrialKey) =>
  `configuration ${k.configKey} (fidelity ${k.fidelity}, replication ${k.replication}, seed ${k.seed})`;

/** SQLite failures that mean the file is damaged or not a store of ours (others — busy, disk full — are not). */
const DAMAGE = /^SQLITE_(CORRUPT|NOTADB|FORMAT|ERROR|MISMATCH|RANGE|SCHEMA|CONSTRAINT)/;
const isDamage = (err: unknown): err is Error & { code: string } =>
  err instanceof Database.SqliteError && DAMAGE.test(err.code);

/**
 * The SQLite store of a study folder (`study.sqlite`): every finished trial is committed as soon as it
 * finishes, so an interrupted study (Ctrl-C, a crash, a kill) loses nothing that finished and resumes
 * without redoing it. Stored results are never trusted blindly: the file is checked on open (header, size,
 * `PRAGMA integrity_check`, the identity record's digest), and every trial carries a checksum verified when
 * it is read back; any damage is a STORE_CORRUPT error naming the file (and the trial), never a wrong result.
 */
export class TrialStore {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  /** Trials found in the store when it was opened. */
  readonly resumed: number;

  private constructor(file: string, identity: StudyIdentity, scenarioFile: string | undefined) {
    this.file = file;
    checkStoreFile(file);
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      this.#db = db;
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // integrity_check rather than quick_check: it also verifies that the primary-key index agrees with the
      // rows, and every trial lookup goes through that index. Cheap enough: 20,000 trials of 120 metrics
      // (164 MB) took 0.5–1.9 s on a busy 2-core machine, no more than quick_check there.
      const problems = (db.pragma('integrity_check') as { integrity_check: string }[])
        .map((r) => r.integrity_check)
        .filter((m) => m !== 'ok');
      if (problems.length > 0)
        throw corrupt(
          file,
          `is damaged (SQLite integrity check: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` … ${problems.length} problems` : ''})`,
          { problems },
        );
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS trials (
          config_key TEXT NOT NULL, fidelity INTEGER NOT NULL, replication INTEGER NOT NULL, seed INTEGER NOT NULL,
          metrics TEXT NOT NULL, wall_ms REAL NOT NULL, finished_at TEXT NOT NULL, checksum TEXT NOT NULL,
          PRIMARY KEY (config_key, fidelity, replication, seed));`);
      this.#checkIdentity(db, identity);
      const columns = (db.pragma('table_info(trials)') as { name: string }[]).map((c) => c.name);
      if (columns.join(',') !== TRIAL_COLUMNS.join(','))
        throw corrupt(file, `has a trials table of another layout (${columns.join(', ')})`);
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(
        'scenarioFile',
        scenarioFile ?? '',
      );
      this.#get = db.prepare(
        'SELECT metrics, wall_ms AS wallMs, checksum FROM trials WHERE config_key = ? AND fidelity = ? AND replication = ? AND seed = ?',
      );
      this.#put = db.prepare(
        'INSERT OR REPLACE INTO trials (config_key, fidelity, replication, seed, metrics, wall_ms, finished_at, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.resumed = (db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
    } catch (err) {
      if (db?.open) db.close();
      if (isDamage(err))
        throw corrupt(file, `is damaged or not a study store (SQLite: ${err.message})`, { sqlite: err.code });
      throw err;
    }
  }

  /**
   * Records the identity in a new store, or compares it with the stored one: the identity record is itself
   * checked against its digest (a damaged record is corruption, not "another study"), and a store that holds
   * trials but no identity is refused.
   */
  #checkIdentity(db: Database.Database, identity: StudyIdentity): void {
    const file = this.file;
    const want = canonicalJson({
      format: identity.format,
      version: identity.version,
      overrides: identity.overrides,
      inputs: identity.inputs,
    });
    const meta = (key: string) =>
      (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: unknown } | undefined)?.value;
    const stored = meta('identity');
    // A damaged record header can turn the text into a blob or a number: only text is an identity.
    if (stored !== undefined && typeof stored !== 'string')
      throw corrupt(file, 'has a damaged study identity record');
    if (stored === undefined) {
      const trials = (db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
      if (trials > 0) throw corrupt(file, `holds ${trials} trials but no study identity`);
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('identity', want);
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(
        'identitySha256',
        sha256(want),
      );
      return;
    }
    if (stored === want) {
      if (meta('identitySha256') !== sha256(want)) throw corrupt(file, 'has a damaged study identity record');
      return;
    }
    let had: Partial<StudyIdentity>;
    try {
      had = JSON.parse(stored) as Partial<StudyIdentity>;
      if (typeof had !== 'object' || had === null) throw new Error('not an object');
    } catch {
      throw corrupt(file, 'has a damaged study identity record');
    }
    const mismatch = (what: string) =>
      new ExploreError(
        ExploreErrorCode.STUDY_MISMATCH,
        `${file} holds trials of ${what}`,
        { file },
        'use --fresh to discard the stored trials and start over, or another --out folder to keep them',
      );
    const digest = meta('identitySha256');
    // Stores written before identities covered the files a scenario uses (no format, no digest) cannot be trusted either.
    if (digest === undefined && had.format === undefined)
      throw mismatch('an earlier e2ctwin whose study identity did not cover the files a scenario uses');
    if (digest !== sha256(stored)) throw corrupt(file, 'has a damaged study identity record');
    if (had.format !== IDENTITY_FORMAT) throw mismatch(`another store format (${String(had.format)})`);
    if (had.version !== identity.version)
      throw mismatch(`e2ctwin ${had.version} (this is ${identity.version})`);
    if (canonicalJson(had.overrides) !== canonicalJson(identity.overrides))
      throw mismatch(`other --set overrides (${(had.overrides ?? []).join(' ') || 'none'})`);
    const changed = changedInputs(had.inputs ?? {}, identity.inputs);
    if (changed.length === 0) throw corrupt(file, 'has a damaged study identity record');
    throw mismatch(
      `another version of the scenario; changed since they were stored: ${changed.slice(0, 4).join('; ')}${changed.length > 4 ? `; and ${changed.length - 4} more` : ''}`,
    );
  }

  /** Opens (or creates) `dir/study.sqlite`; a store of another identity is refused (STUDY_MISMATCH), a damaged one too (STORE_CORRUPT). */
  static open(
    dir: string,
    identity: StudyIdentity,
    options: { fresh?: boolean; scenarioFile?: string } = {},
  ): TrialStore {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'study.sqlite');
    // Deleted rather than emptied: opening a damaged file to drop its tables may fail.
    if (options.fresh) deleteStore(file);
    return new TrialStore(file, identity, options.scenarioFile);
  }

  /**
   * The stored trial of `k`, if any.
   * @throws ExploreError STORE_CORRUPT naming the trial when its row fails its checksum or cannot be read
   */
  get(k: TrialKey): StoredTrial | undefined {
    let row: { metrics: string; wallMs: number; checksum: string } | undefined;
    try {
      row = this.#get.get(k.configKey, k.fidelity, k.replication, k.seed) as typeof row;
    } catch (err) {
      if (isDamage(err))
        throw corrupt(
          this.file,
          `cannot be read at the trial of ${describeTrial(k)} (SQLite: ${err.message})`,
          { trial: k },
        );
      throw err;
    }
    if (!row) return undefined;
    if (
      typeof row.metrics !== 'string' ||
      typeof row.wallMs !== 'number' ||
      row.checksum !== trialChecksum(k, row.metrics, row.wallMs)
    ) {
      throw corrupt(this.file, `has a damaged trial: ${describeTrial(k)} fails its checksum`, { trial: k });
    }
    let metrics: FlatMetrics;
    try {
      metrics = parseFlatMetrics(row.metrics);
    } catch {
      throw corrupt(this.file, `has a damaged trial: the metrics of ${describeTrial(k)} are not JSON`, {
        trial: k,
      });
    }
    return { ...k, metrics, wallMs: row.wallMs };
  }

  put(t: StoredTrial): void {
    const json = flatMetricsJson(t.metrics);
    this.#put.run(
      t.configKey,
      t.fidelity,
      t.replication,
      t.seed,
      json,
      t.wallMs,
      new Date().toISOString(),
      trialChecksum(t, json, t.wallMs),
    );
  }

  /** Number of stored trials. */
  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
  }

  /** Free-form study notes (kind, options), for people reading the folder. */
  setMeta(key: string, value: unknown): void {
    this.#db
      .prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
      .run(key, JSON.stringify(value));
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * The trials finished so far in the store `file`, read by another process while the study runs (read
   * only; SQLite's write-ahead log lets the coordinator go on writing): those committed after row `after`,
   * at most `limit`, in the order they finished, each checked against its checksum like {@link get}.
   * `next` is the row to ask after next time.
   * @throws ExploreError STORE_CORRUPT naming the file (and the trial) when it is damaged
   */
  static readFinished(
    file: string,
    after = 0,
    limit = 2000,
  ): { trials: (StoredTrial & { finishedAt: string })[]; next: number } {
    checkStoreFile(file);
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      // A store its coordinator is creating: the file exists before its tables (the integrity check runs
      // between the two). No trial yet, as before the file existed.
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trials'").get())
        return { trials: [], next: after };
      const rows = db
        .prepare(
          'SELECT rowid, config_key AS configKey, fidelity, replication, seed, metrics, wall_ms AS wallMs, finished_at AS finishedAt, checksum FROM trials WHERE rowid > ? ORDER BY rowid LIMIT ?',
        )
        .all(after, limit) as (TrialKey & {
        rowid: number;
        metrics: string;
        wallMs: number;
        finishedAt: string;
        checksum: string;
      })[];
      const trials = rows.map((r) => {
        const k: TrialKey = {
          configKey: r.configKey,
          fidelity: r.fidelity,
          replication: r.replication,
          seed: r.seed,
        };
        if (r.checksum !== trialChecksum(k, r.metrics, r.wallMs))
          throw corrupt(file, `has a damaged trial: ${describeTrial(k)} fails its checksum`, { trial: k });
        return { ...k, metrics: parseFlatMetrics(r.metrics), wallMs: r.wallMs, finishedAt: r.finishedAt };
      });
      return { trials, next: rows.at(-1)?.rowid ?? after };
    } catch (err) {
      if (isDamage(err))
        throw corrupt(file, `is damaged or not a study store (SQLite: ${err.message})`, { sqlite: err.code });
      throw err;
    } finally {
      if (db?.open) db.close();
    }
  }
}
