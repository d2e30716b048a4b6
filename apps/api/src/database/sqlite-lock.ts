import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * SQLite is one connection, and TypeORM's better-sqlite3 driver has one query runner for it. Two
 * requests in a transaction at the same time would become savepoints of one transaction: one's
 * rollback undoes the other's commit, and a third request's write (a sign-out, say) made while a
 * transaction is open joins it and can be rolled back with it.
 *
 * So on SQLite every transaction gets a query runner of its own on the shared connection and holds
 * the connection from BEGIN to COMMIT or ROLLBACK; every statement from outside it waits for it.
 * Statements are synchronous in better-sqlite3, so the wait is only ever for a transaction in flight.
 * "Outside" is by async context, not by EntityManager: a read that a transaction's code makes through
 * the global manager runs inside that transaction, as it always did on one connection, and cannot
 * wait for itself.
 */
const insideTransaction = new AsyncLocalStorage<object>();

export class ConnectionLock {
  private holder: object | null = null;
  private waiting: (() => void)[] = [];

  get busy(): boolean {
    return this.holder !== null;
  }

  async acquire(owner: object): Promise<void> {
    while (this.holder !== null) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.holder = owner;
  }

  release(): void {
    this.holder = null;
    const waiting = this.waiting;
    this.waiting = [];
    // Nothing open and nobody waiting: no code can be inside a transaction, so stop tracking async
    // context (Node 20 runs a hook on every promise while it is on); the next transaction's run()
    // turns it back on.
    if (waiting.length === 0) insideTransaction.disable();
    for (const wake of waiting) wake();
  }

  /** Runs one statement (or anything else) while no transaction holds the connection. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.holder !== null && insideTransaction.getStore() === this.holder) return work();
    const owner = {};
    await this.acquire(owner);
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}

type Transaction = <T>(run: (manager: EntityManager) => Promise<T>) => Promise<T>;

/** Call once, after `initialize()`, on a better-sqlite3 DataSource. */
export function serializeSqliteTransactions(dataSource: DataSource): void {
  const lock = new ConnectionLock();
  const shared = dataSource.createQueryRunner();
  const sharedQuery = shared.query.bind(shared) as (...args: unknown[]) => Promise<unknown>;
  (shared as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args) =>
    lock.run(() => sharedQuery(...args));

  const RunnerClass = shared.constructor as new (driver: unknown) => QueryRunner;
  const transaction: Transaction = async (run) => {
    const runner = new RunnerClass(dataSource.driver);
    // The same prepared-statement cache as the shared runner: same connection, same statements.
    Object.assign(runner, { stmtCache: (shared as unknown as { stmtCache: unknown }).stmtCache });
    Object.assign(runner, { manager: dataSource.createEntityManager(runner) });
    await lock.acquire(runner);
    try {
      return await insideTransaction.run(runner, () => runner.manager.transaction(run));
    } finally {
      lock.release();
    }
  };
  (dataSource as unknown as { transaction: Transaction }).transaction = transaction;
}
