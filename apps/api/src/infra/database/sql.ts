import type { EntityManager } from 'typeorm';
import type { TransactionRunner } from './transaction-runner.js';

/**
 * Hand-written statements for the hot paths (every authenticated request, every check, every
 * sign-in), for repositories: no query building or entity hydration, run through the
 * TransactionRunner like every other statement. Write them with `?` placeholders (PostgreSQL gets
 * `$1…$n`) and name every selected column (`s.user_id AS "userId"`): rows come back as objects with
 * those names. BIGINT columns are strings on PostgreSQL and numbers on SQLite: read them with `ms`.
 */
/** The statement as this database takes it: `?` placeholders numbered `$1…$n` for PostgreSQL. */
export function forDatabase(db: TransactionRunner, sql: string): string {
  if (db.database !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A read: its rows, as the SELECT names their columns. */
export function sqlRead<Row>(db: TransactionRunner, sql: string): (...params: unknown[]) => Promise<Row[]> {
  const text = forDatabase(db, sql);
  return (...params) => db.query<Row>(text, params);
}

/** A write that may belong to a transaction: pass the manager `transaction` or `run` gave you. */
export function sqlWrite(
  db: TransactionRunner,
  sql: string,
): (manager: EntityManager, ...params: unknown[]) => Promise<void> {
  const text = forDatabase(db, sql);
  return async (manager, ...params) => {
    await manager.query(text, params);
  };
}

/**
 * INSERTs that must all happen or none, made outside any transaction (sign-in's session and its
 * audit event); `rows[i]` holds the parameters of `inserts[i]`. PostgreSQL gets them as one
 * statement, `WITH w0 AS (INSERT …) INSERT …`, atomic on its own: one round trip instead of BEGIN,
 * the inserts and COMMIT. SQLite, which has no INSERT in a WITH, runs them in one transaction.
 */
export function sqlInsertsTogether(
  db: TransactionRunner,
  inserts: readonly string[],
): (...rows: unknown[][]) => Promise<void> {
  if (db.database === 'postgres') {
    const last = inserts.length - 1;
    const earlier = inserts.slice(0, last).map((sql, i) => `w${i} AS (${sql})`);
    const combined = earlier.length === 0 ? inserts[last]! : `WITH ${earlier.join(', ')} ${inserts[last]}`;
    const text = forDatabase(db, combined);
    return async (...rows) => {
      await db.query(text, rows.flat());
    };
  }
  return (...rows) =>
    db.transaction(async (manager) => {
      for (const [i, sql] of inserts.entries()) await manager.query(sql, rows[i] ?? []);
    });
}

/** A BIGINT epoch-ms column from either driver. */
export const ms = (value: unknown): number => Number(value);
export const msOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
