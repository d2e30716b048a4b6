import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ConfigError, type Config } from '../config/config.js';
import { Initial1763900000000 } from './migrations/1763900000000-initial.js';
import { Directory1763900001000 } from './migrations/1763900001000-directory.js';
import { Audit1763900002000 } from './migrations/1763900002000-audit.js';
import { SelfService1763900003000 } from './migrations/1763900003000-self-service.js';
import { SessionsValidAfter1763900004000 } from './migrations/1763900004000-sessions-valid-after.js';
import { OptionalEmail1763900005000 } from './migrations/1763900005000-optional-email.js';
import { Entitlements1763900006000 } from './migrations/1763900006000-entitlements.js';
import { ManagerRole1763900007000 } from './migrations/1763900007000-manager-role.js';
import { CheckVersions1763900008000 } from './migrations/1763900008000-check-versions.js';
import { SessionsByImpersonator1763900009000 } from './migrations/1763900009000-sessions-by-impersonator.js';
import { AccountSecurity1763900010000 } from './migrations/1763900010000-account-security.js';
import { WarrantFidelity1763900011000 } from './migrations/1763900011000-warrant-fidelity.js';
import { WarrantFirstUse1763900012000 } from './migrations/1763900012000-warrant-first-use.js';

/** How long a statement waits for a SQLite file another process has locked. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * A new data dir is 0700 and a new database file 0600, like the signing key: they hold password
 * hashes. SQLite gives the -wal and -shm files it creates the database file's mode. Existing files
 * keep the mode their owner gave them.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
}

/** The schema's history. Entities are not listed here: each module registers its own (forFeature). */
export const MIGRATIONS = [
  Initial1763900000000,
  Directory1763900001000,
  Audit1763900002000,
  SelfService1763900003000,
  SessionsValidAfter1763900004000,
  OptionalEmail1763900005000,
  Entitlements1763900006000,
  ManagerRole1763900007000,
  CheckVersions1763900008000,
  SessionsByImpersonator1763900009000,
  AccountSecurity1763900010000,
  WarrantFidelity1763900011000,
  WarrantFirstUse1763900012000,
];

/** Options for either database; the same migrations run on each at start, never `synchronize`. */
export function dataSourceOptions(database: Config['database']): DataSourceOptions {
  const common = {
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  if (database.kind === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.file,
      enableWAL: true,
      // TypeORM keeps this many prepared statements (100 by default): room for every shape of check.
      statementCacheSize: 500,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        // Set before the first read, so WAL keeps its index in this process's memory: no file lock
        // and no shared WAL index per statement (docs/architecture.md, decision record 1).
        if (!database.shared) db.pragma('locking_mode = EXCLUSIVE');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: database.url,
    // Fail fast instead of hanging when the database is away.
    connectTimeoutMS: 3000,
    extra: { max: 10, connectionTimeoutMillis: 3000, query_timeout: 10000 },
  };
}

/**
 * ANALYZE in this SQLite build also writes sqlite_stat4, per-value histograms. With them SQLite
 * re-plans every statement whose parameters they cover on every execution (any rebinding expires
 * it): the session lookup of every request went from about 9 to 27 µs. Every query here is an index
 * lookup, for which sqlite_stat1's row counts are all the planner needs: keep those, drop these.
 */
async function dropValueHistograms(dataSource: DataSource): Promise<void> {
  const [stat4] = await dataSource.query<unknown[]>(
    `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat4'`,
  );
  if (stat4 === undefined) return;
  await dataSource.query('DELETE FROM sqlite_stat4');
  await dataSource.query('ANALYZE sqlite_schema'); // reloads the statistics now, not at the next schema change
}

/**
 * Opens the database and applies pending migrations (TypeORM runs them in `initialize`). The
 * database module hands this to `TypeOrmModule` as its data source factory; tests call it directly.
 */
export async function openDatabase(
  database: Config['database'],
  entities: DataSourceOptions['entities'] = [],
  options: DataSourceOptions = dataSourceOptions(database),
): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, entities });
  if (database.kind === 'sqlite' && database.file !== ':memory:') createPrivately(database.file);
  try {
    await dataSource.initialize();
  } catch (error) {
    if (database.kind === 'sqlite' && (error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ConfigError(
        database.shared
          ? `The SQLite file ${database.file} stayed locked by another process for ${SQLITE_BUSY_TIMEOUT_MS / 1000} s.`
          : `The SQLite file ${database.file} is locked by another process (Tessera holds its SQLite file alone). ` +
              'Stop that process, or run several processes on PostgreSQL; TESSERA_SQLITE_SHARED=true in every process lets them share the file.',
      );
    }
    throw error;
  }
  if (database.kind === 'sqlite') await dropValueHistograms(dataSource);
  return dataSource;
}

/** True when an error is a unique-constraint violation on SQLite or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
