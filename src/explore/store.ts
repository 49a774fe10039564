import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ExploreError, ExploreErrorCode } from './errors.js';
import { flatMetricsJson, parseFlatMetrics, type FlatMetrics } from './metrics.js';

/** Identity of a trial: a replication of a configuration at a fidelity with a seed. */
export interface TrialKey { configKey: string; fidelity: number; replication: number; seed: number }

/** A finished trial as stored. */
export interface StoredTrial extends TrialKey { metrics: FlatMetrics; wallMs: number }

/**
 * What makes stored results reusable: the scenario text, the base overrides and the e2ctwin version. Any
 * study over the same identity can reuse any finished trial (a trial's result depends only on its key).
 */
export interface StudyIdentity { scenarioFile: string; scenarioSha256: string; overrides: readonly string[]; version: string }

/**
 * The SQLite store of a study folder (`study.sqlite`): every finished trial is committed as soon as it
 * finishes, so an interrupted study (Ctrl-C, a crash, a kill) loses nothing that finished and resumes
 * without redoing it.
 */
export class TrialStore {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  /** Trials found in the store when it was opened. */
  readonly resumed: number;

  private constructor(file: string, identity: StudyIdentity) {
    this.file = file;
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS trials (
        config_key TEXT NOT NULL, fidelity INTEGER NOT NULL, replication INTEGER NOT NULL, seed INTEGER NOT NULL,
        metrics TEXT NOT NULL, wall_ms REAL NOT NULL, finished_at TEXT NOT NULL,
        PRIMARY KEY (config_key, fidelity, replication, seed));`);
    const want = JSON.stringify({ scenarioSha256: identity.scenarioSha256, overrides: identity.overrides, version: identity.version });
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get('identity') as { value: string } | undefined;
    if (row && row.value !== want) {
      const had = JSON.parse(row.value) as { scenarioSha256: string; overrides: string[]; version: string };
      const what = had.scenarioSha256 !== identity.scenarioSha256 ? 'a different scenario text' : had.version !== identity.version ? `e2ctwin ${had.version}` : `other --set overrides (${had.overrides.join(' ') || 'none'})`;
      this.#db.close();
      throw new ExploreError(ExploreErrorCode.STUDY_MISMATCH, `${file} holds trials of ${what}`, { file }, 'use another --out folder, or --fresh to discard the stored trials');
    }
    if (!row) this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('identity', want);
    this.#db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('scenarioFile', identity.scenarioFile);
    this.#get = this.#db.prepare('SELECT metrics, wall_ms AS wallMs FROM trials WHERE config_key = ? AND fidelity = ? AND replication = ? AND seed = ?');
    this.#put = this.#db.prepare('INSERT OR REPLACE INTO trials (config_key, fidelity, replication, seed, metrics, wall_ms, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.resumed = (this.#db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
  }

  /** Opens (or creates) `dir/study.sqlite`; a store of another identity is refused (STUDY_MISMATCH). */
  static open(dir: string, identity: StudyIdentity, options: { fresh?: boolean } = {}): TrialStore {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'study.sqlite');
    if (options.fresh) {
      const db = new Database(file);
      db.exec('DROP TABLE IF EXISTS trials; DROP TABLE IF EXISTS meta;');
      db.close();
    }
    return new TrialStore(file, identity);
  }

  get(k: TrialKey): StoredTrial | undefined {
    const row = this.#get.get(k.configKey, k.fidelity, k.replication, k.seed) as { metrics: string; wallMs: number } | undefined;
    return row ? { ...k, metrics: parseFlatMetrics(row.metrics), wallMs: row.wallMs } : undefined;
  }

  put(t: StoredTrial): void {
    this.#put.run(t.configKey, t.fidelity, t.replication, t.seed, flatMetricsJson(t.metrics), t.wallMs, new Date().toISOString());
  }

  /** Number of stored trials. */
  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
  }

  /** Free-form study notes (kind, options), for people reading the folder. */
  setMeta(key: string, value: unknown): void {
    this.#db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
