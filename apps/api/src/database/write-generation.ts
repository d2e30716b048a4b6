import type { DataSource } from 'typeorm';
import { BoundedCache } from '../common/bounded-cache.js';

/** What `trackWrites` needs of a better-sqlite3 Database and its statements. */
interface TrackedStatement {
  readonly readonly: boolean;
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  iterate(...params: unknown[]): unknown;
}
interface TrackedDatabase {
  // Properties, not methods: they are taken off the object and called with `this` given.
  prepare: (this: TrackedDatabase, sql: string) => TrackedStatement;
  exec: (this: TrackedDatabase, sql: string) => unknown;
}

/** Counters by better-sqlite3 Database: how many statements that may change data it has run. */
const generations = new WeakMap<object, { value: number }>();

/**
 * Counts, on a SQLite connection that is the only one to the file (locking_mode EXCLUSIVE: no
 * other process or connection can read or write it), every statement that may change data: any
 * statement run with `run()` (every INSERT, UPDATE and DELETE TypeORM makes, and BEGIN, COMMIT,
 * ROLLBACK and SAVEPOINT, so a rollback also counts), any statement SQLite does not call read-only
 * whichever way it is run (INSERT … RETURNING), and everything given to `exec()`. While the count
 * stands still, nothing in the file has changed: an answer read under the same count is still the
 * answer. The count moves before the statement runs, so a reader that takes the count before its
 * read can only ever be too cautious.
 *
 * Not counted: `pragma()`, which changes settings and never a table's rows, and the BEGIN/COMMIT
 * that better-sqlite3's own `transaction()` runs around statements that are counted themselves.
 * Call from `prepareDatabase`, before any statement is prepared.
 */
export function trackWrites(db: TrackedDatabase): void {
  const count = { value: 0 };
  generations.set(db, count);
  const prepare = db.prepare;
  const exec = db.exec;
  db.prepare = function (this: TrackedDatabase, sql: string) {
    const statement = prepare.call(this, sql);
    const proto = Object.getPrototypeOf(statement) as TrackedStatement;
    // Own properties on the statement shadow the prototype's methods; TypeORM and prepared.ts
    // call them on the statement object, so every execution passes through here.
    statement.run = function (this: TrackedStatement, ...params: unknown[]) {
      count.value++;
      return proto.run.apply(this, params);
    };
    if (!statement.readonly) {
      for (const method of ['all', 'get', 'iterate'] as const) {
        statement[method] = function (this: TrackedStatement, ...params: unknown[]) {
          count.value++;
          return proto[method].apply(this, params);
        };
      }
    }
    return statement;
  };
  db.exec = function (this: TrackedDatabase, sql: string) {
    count.value++;
    return exec.call(this, sql);
  };
}

/**
 * The write count of a DataSource's SQLite connection if `trackWrites` counts it (exclusive
 * SQLite), else undefined: on PostgreSQL and on a SQLite file shared with other processes, writes
 * this process cannot see happen, and only reading the database tells what changed.
 */
export function writeGeneration(dataSource: DataSource): (() => number) | undefined {
  if (dataSource.options.type !== 'better-sqlite3') return undefined;
  const db = (dataSource.driver as unknown as { databaseConnection?: object }).databaseConnection;
  const count = db === undefined ? undefined : generations.get(db);
  return count === undefined ? undefined : () => count.value;
}

/**
 * `read`, remembered on exclusive SQLite: a value read under the current write count is still
 * what the database holds, so it is answered again without a statement until anything at all is
 * written. Elsewhere `read` itself. Misses (undefined) are never remembered; values are shared
 * between callers, who must not change them. Up to twice `size` values are kept (BoundedCache).
 */
export function readUntilWritten<K, V>(dataSource: DataSource, size: number, read: (key: K) => Promise<V | undefined>): (key: K) => Promise<V | undefined> {
  const generation = writeGeneration(dataSource);
  if (generation === undefined) return read;
  const known = new BoundedCache<K, { value: V; generation: number }>(size);
  return async (key) => {
    // Taken before the read: a write while the read waits makes the entry stale, never wrongly fresh.
    const before = generation();
    const hit = known.get(key);
    if (hit !== undefined && hit.generation === before) return hit.value;
    const value = await read(key);
    if (value !== undefined) known.set(key, { value, generation: before });
    return value;
  };
}
