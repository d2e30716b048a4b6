import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Which code holds the SQLite connection. "Inside" is by async context, not by EntityManager: a
 * statement that a transaction's own code makes (through any manager) runs inside that transaction,
 * as it must on one connection, and cannot wait for itself.
 */
const insideTransaction = new AsyncLocalStorage<object>();

/** A transaction in progress (or the shared manager in `run`): what repository methods write through. */
export type Transaction = EntityManager;

/** Hands the one SQLite connection to one holder at a time, in arrival order. */
export class ConnectionLock {
  private holder: object | null = null;
  private waiting: (() => void)[] = [];

  get busy(): boolean {
    return this.holder !== null;
  }

  private async acquire(owner: object): Promise<void> {
    while (this.holder !== null) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.holder = owner;
  }

  private release(): void {
    this.holder = null;
    const waiting = this.waiting;
    this.waiting = [];
    // Nothing open and nobody waiting: no code can be inside a transaction, so stop tracking async
    // context (Node 20 runs a hook on every promise while it is on); the next transaction turns it on.
    if (waiting.length === 0) insideTransaction.disable();
    for (const wake of waiting) wake();
  }

  /** Runs a transaction, holding the connection from BEGIN to COMMIT or ROLLBACK. */
  async hold<T>(transaction: () => Promise<T>): Promise<T> {
    const owner = {};
    await this.acquire(owner);
    try {
      return await insideTransaction.run(owner, transaction);
    } finally {
      this.release();
    }
  }

  /** Runs statements while no transaction holds the connection (at once when called from inside it). */
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

/**
 * The one way code reaches the database: repositories run their statements through `run` and their
 * all-or-nothing writes through `transaction`.
 *
 * Why not TypeORM's `dataSource.transaction` and managers directly: SQLite is one connection, and
 * TypeORM's better-sqlite3 driver has one query runner for it. Two requests in a transaction at
 * the same time would become savepoints of one transaction (one's rollback undoes the other's
 * commit), and any other request's statement made while a transaction is open would join it and
 * could be rolled back with it. So on SQLite transactions take turns and other statements wait for
 * the open one. Statements are synchronous in better-sqlite3, so a wait is only ever for a
 * transaction in flight. PostgreSQL has a pool and needs none of this.
 */
@Injectable()
export class TransactionRunner {
  readonly database: 'sqlite' | 'postgres';
  private readonly lock: ConnectionLock | null;
  /** What to do once each open transaction has committed (`afterCommit`). */
  private readonly onCommit = new WeakMap<Transaction, (() => void)[]>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.database = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.lock = this.database === 'sqlite' ? new ConnectionLock() : null;
  }

  /** Runs `work` in one transaction: its writes commit together, or none do when it throws. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const committed: (() => void)[] = [];
    const tracked = (tx: Transaction) => {
      this.onCommit.set(tx, committed);
      return work(tx);
    };
    const result =
      this.lock === null
        ? await this.dataSource.transaction(tracked)
        : await this.lock.hold(() => this.dataSource.transaction(tracked));
    for (const then of committed) then();
    return result;
  }

  /**
   * Runs `then` once the transaction `tx` belongs to has committed (never when it rolls back); at
   * once for statements made with `run`, which are committed when they return. `then` must not throw.
   */
  afterCommit(tx: Transaction, then: () => void): void {
    const waiting = this.onCommit.get(tx);
    if (waiting === undefined) then();
    else waiting.push(then);
  }

  /** Runs statements outside a transaction (or inside the caller's own, when it is in one). */
  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.lock === null) return work(this.dataSource.manager);
    return this.lock.run(() => work(this.dataSource.manager));
  }

  /** `run` of one hand-written statement. */
  query<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    return this.run((manager) => manager.query<Row[]>(sql, params));
  }
}
