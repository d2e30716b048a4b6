import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { connectionLock } from './sqlite-lock.js';

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
  raw(toggle: boolean): SqliteStatement;
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
}
/** A named (server-side prepared) statement for pg. */
interface PgQuery {
  name: string;
  text: string;
  values: unknown[];
  rowMode?: 'array';
}
interface PgPool {
  query(config: PgQuery): Promise<{ rows: unknown[] }>;
}

/**
 * A statement prepared once per database and run straight on the driver: the hot paths (every
 * authenticated request, every check) skip TypeORM's query building and entity hydration.
 * Write it with `?` placeholders; PostgreSQL gets `$1…$n` and a named (server-side prepared) statement.
 * Rows come back raw: BIGINT columns are strings on PostgreSQL, numbers on SQLite.
 */
export function prepared<Row>(dataSource: DataSource, name: string, sql: string): (...params: unknown[]) => Promise<Row[]> {
  return preparedQuery(dataSource, name, sql, false) as (...params: unknown[]) => Promise<Row[]>;
}

/**
 * `prepared` returning each row as an array of its values in the SELECT's order: for wide rows on
 * the hottest path, where naming every column costs more than the lookup (better-sqlite3 builds
 * named rows property by property: 19 → 12 µs for the 22 columns of a session and its user).
 */
export function preparedValues(dataSource: DataSource, name: string, sql: string): (...params: unknown[]) => Promise<unknown[][]> {
  return preparedQuery(dataSource, name, sql, true) as (...params: unknown[]) => Promise<unknown[][]>;
}

/**
 * `preparedValues` for `SELECT <columns> <from>`, for wide rows on the hottest paths. PostgreSQL
 * sends each row as one JSON array (`json_build_array`), which pg parses in one `JSON.parse`:
 * pg rebuilds its per-column parsers from the row description on every result, 15-25 µs a query
 * for the 22 columns of a session and its user. Values keep their JSON types: numbers (BIGINT
 * epoch ms included, all below 2^53), strings, booleans and null.
 */
export function preparedColumns(dataSource: DataSource, name: string, columns: readonly string[], from: string): (...params: unknown[]) => Promise<unknown[][]> {
  if (dataSource.options.type === 'better-sqlite3') return preparedValues(dataSource, name, `SELECT ${columns.join(', ')} ${from}`);
  const query = preparedValues(dataSource, name, `SELECT json_build_array(${columns.join(', ')}) ${from}`);
  return async (...params) => (await query(...params)).map((row) => row[0] as unknown[]);
}

const sqliteConnection = (dataSource: DataSource): SqliteConnection =>
  (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;

function prepareOn(dataSource: DataSource, sql: string, asValues: boolean): SqliteStatement {
  const statement = sqliteConnection(dataSource).prepare(sql);
  return asValues ? statement.raw(true) : statement;
}

/**
 * Runs synchronous SQLite work now, or after the open transaction of another request if there is
 * one. Either way a failure is a rejected promise, never a throw at the caller.
 */
function outsideTransactions<T>(dataSource: DataSource): (work: () => T) => Promise<T> {
  const lock = connectionLock(dataSource);
  return (work) => {
    // The executor runs `work` at once and turns a throw into the promise's rejection.
    const run = () => new Promise<T>((resolve) => resolve(work()));
    return lock?.busy ? lock.run(run) : run();
  };
}

/** `?` placeholders as PostgreSQL's `$1…$n`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Reported to TypeORM's logger like any query (a no-op unless logging is on; tests swap it in). */
function logged(dataSource: DataSource, text: string, params: unknown[]): void {
  dataSource.logger.logQuery(text, params);
}

const masterPool = (dataSource: DataSource): PgPool => (dataSource.driver as unknown as { master: PgPool }).master;

/**
 * PostgreSQL reads of the hot paths (session and API key lookups, checks) go through one
 * connection of their own in pg's pipeline mode: queries from concurrent requests go out without
 * waiting for one another's answers, so the socket writes and the backend's wake-ups are shared.
 * With 32 concurrent lookups: 55 → 24 µs of client CPU a query and 2.5 × the rate of the pool.
 * Each is a single autocommit statement, as on the pool: it sees everything committed before it.
 * A lost connection fails the queries on it (503, like the pool's) and the next query opens a new one.
 */
class PipelinedReader {
  private client: pg.Client | undefined;

  constructor(private readonly config: pg.ClientConfig) {}

  query(config: PgQuery): Promise<{ rows: unknown[] }> {
    const client = this.client ?? this.open();
    return client.query(config as pg.QueryConfig).catch((error: unknown) => {
      // Anything but an SQL error on a live connection means the connection is gone: the next
      // query opens a new one rather than finding this one's remains before its 'end' event.
      if (!(error instanceof pg.DatabaseError && error.severity !== 'FATAL')) this.forget(client);
      throw error;
    });
  }

  private open(): pg.Client {
    const client = new pg.Client({ ...this.config, pipeline: true });
    // The queries on it get the error; without a listener an 'error' event would end the process.
    client.on('error', () => this.forget(client));
    client.on('end', () => this.forget(client));
    client.connect().catch(() => this.forget(client));
    this.client = client;
    return client;
  }

  private forget(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

const readers = new WeakMap<DataSource, PipelinedReader>();

function readerOf(dataSource: DataSource): PipelinedReader {
  let reader = readers.get(dataSource);
  if (reader === undefined) {
    const options = dataSource.options as { url?: string; extra?: { connectionTimeoutMillis?: number; query_timeout?: number } };
    reader = new PipelinedReader({
      connectionString: options.url,
      // How it shows in pg_stat_activity: which process, and that it is this connection.
      application_name: `tessera-reads-${process.pid}`,
      connectionTimeoutMillis: options.extra?.connectionTimeoutMillis,
      query_timeout: options.extra?.query_timeout,
    });
    readers.set(dataSource, reader);
  }
  return reader;
}

/** Closes the hot-path reads' connection (before the DataSource is destroyed). */
export async function closePreparedReads(dataSource: DataSource): Promise<void> {
  await readers.get(dataSource)?.close();
  readers.delete(dataSource);
}

function preparedQuery(dataSource: DataSource, name: string, sql: string, asValues: boolean): (...params: unknown[]) => Promise<unknown[]> {
  if (dataSource.options.type === 'better-sqlite3') {
    let statement: SqliteStatement | undefined;
    // Never inside another request's open transaction: it would see what that one may yet roll back.
    const outside = outsideTransactions<unknown[]>(dataSource);
    return (...params) => {
      const run = (statement ??= prepareOn(dataSource, sql, asValues));
      logged(dataSource, sql, params);
      return outside(() => run.all(...params));
    };
  }
  const text = numbered(sql);
  const rowMode = asValues ? ('array' as const) : undefined;
  const reader = readerOf(dataSource);
  return async (...values) => {
    logged(dataSource, text, values);
    return (await reader.query({ name: `tessera_${name}`, text, values, rowMode })).rows;
  };
}

/**
 * `prepared` for a write that may belong to a transaction: pass the transaction's EntityManager
 * (or the DataSource's own). On PostgreSQL it runs on the transaction's connection; on SQLite there
 * is one connection, and the connection lock lets it into its own transaction only.
 */
export function preparedWrite(dataSource: DataSource, name: string, sql: string): (manager: EntityManager, ...params: unknown[]) => Promise<void> {
  if (dataSource.options.type === 'better-sqlite3') {
    let statement: SqliteStatement | undefined;
    const outside = outsideTransactions<void>(dataSource);
    return (_manager, ...params) => {
      const run = (statement ??= prepareOn(dataSource, sql, false));
      logged(dataSource, sql, params);
      return outside(() => {
        run.run(...params);
      });
    };
  }
  const text = numbered(sql);
  return async (manager, ...values) => {
    const runner = manager.queryRunner;
    const client = runner && !runner.isReleased ? ((await runner.connect()) as PgPool) : masterPool(dataSource);
    logged(dataSource, text, values);
    await client.query({ name: `tessera_${name}`, text, values });
  };
}

/**
 * INSERTs that must all happen or none, made outside any transaction (sign-in's session and its
 * audit event). SQLite runs them as one synchronous transaction of the driver, after any open
 * transaction of another request. PostgreSQL gets them as one statement, `WITH w0 AS (INSERT …)
 * INSERT …`, atomic on its own: one round trip instead of BEGIN, the inserts and COMMIT.
 * `rows[i]` holds the parameters of `inserts[i]`.
 */
export function preparedInserts(dataSource: DataSource, name: string, inserts: readonly string[]): (...rows: unknown[][]) => Promise<void> {
  if (dataSource.options.type === 'better-sqlite3') {
    let write: ((rows: unknown[][]) => void) | undefined;
    const outside = outsideTransactions<void>(dataSource);
    return (...rows) => {
      write ??= prepareInserts(dataSource, inserts);
      for (const [i, sql] of inserts.entries()) logged(dataSource, sql, rows[i] ?? []);
      const run = write;
      return outside(() => run(rows));
    };
  }
  const last = inserts.length - 1;
  const text = numbered(inserts.length === 1 ? inserts[0]! : `WITH ${inserts.slice(0, last).map((sql, i) => `w${i} AS (${sql})`).join(', ')} ${inserts[last]}`);
  return async (...rows) => {
    const values = rows.flat();
    logged(dataSource, text, values);
    await masterPool(dataSource).query({ name: `tessera_${name}`, text, values });
  };
}

function prepareInserts(dataSource: DataSource, inserts: readonly string[]): (rows: unknown[][]) => void {
  const connection = sqliteConnection(dataSource);
  const statements = inserts.map((sql) => connection.prepare(sql));
  return connection.transaction((rows: unknown[][]) => {
    for (const [i, statement] of statements.entries()) statement.run(...(rows[i] ?? []));
  });
}

/** A BIGINT epoch-ms column from either driver. */
export const ms = (value: unknown): number => Number(value);
export const msOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
