import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from './data-source.js';
import { TransactionRunner } from './transaction-runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SQLite transactions at the same time (TransactionRunner)', () => {
  let dir: string;
  let dataSource: DataSource;
  let db: TransactionRunner;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-lock-'));
    dataSource = await openDatabase({ kind: 'sqlite', file: join(dir, 'tessera.sqlite') });
    db = new TransactionRunner(dataSource);
    await db.query('CREATE TABLE lock_probe (v TEXT)', []);
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  let rowsNow: string[] = [];
  const rows = async () => (await db.query<{ v: string }>('SELECT v FROM lock_probe ORDER BY v', [])).map((r) => r.v);

  it("keeps one transaction's commit when another, overlapping, rolls back", async () => {
    const committed = db.transaction(async (m) => {
      await m.query(`INSERT INTO lock_probe VALUES ('committed')`);
      await sleep(20);
      return 'ok';
    });
    const failed = db.transaction(async (m) => {
      await m.query(`INSERT INTO lock_probe VALUES ('rolled back')`);
      await sleep(40);
      throw new Error('domain error');
    });
    // A write outside any transaction (a revocation, say) while both are in flight.
    const outside = sleep(10).then(() => db.query(`INSERT INTO lock_probe VALUES ('outside')`, []));

    await expect(committed).resolves.toBe('ok');
    await expect(failed).rejects.toThrow('domain error');
    await outside;
    expect(await rows()).toEqual(['committed', 'outside']);
  });

  it('does not let a read outside see what an open transaction has not committed', async () => {
    let inside!: () => void;
    const written = new Promise<void>((r) => (inside = r));
    const tx = db
      .transaction(async (m) => {
        await m.query(`INSERT INTO lock_probe VALUES ('uncommitted')`);
        inside();
        await sleep(20);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await written;
    // Waits for the transaction to end, then sees the table without its row.
    expect(await rows()).toEqual([]);
    await tx;
  });

  it("lets a transaction's own code read through the global manager without waiting for itself", async () => {
    const seen = await db.transaction(async (m) => {
      await m.query(`INSERT INTO lock_probe VALUES ('mine')`);
      return rows();
    });
    expect(seen).toEqual(['mine']);
  });

  it('tracks the transaction again after the connection was idle', async () => {
    // Between transactions the async context is not tracked; the next one must turn it back on,
    // or its own read through the global manager would wait for itself.
    await db.transaction((m) => m.query(`INSERT INTO lock_probe VALUES ('first')`));
    await db.query(`INSERT INTO lock_probe VALUES ('between')`, []);
    const seen = await db.transaction(async (m) => {
      await m.query(`INSERT INTO lock_probe VALUES ('second')`);
      await sleep(5);
      return rows();
    });
    expect(seen).toEqual(['between', 'first', 'second']);
  });

  it('runs what waits for a commit after the commit, never after a rollback, and at once outside a transaction', async () => {
    const seen: string[] = [];
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO lock_probe VALUES ('kept')`);
      db.afterCommit(tx, () => seen.push(`committed, ${rowsNow.length} rows read inside`));
      rowsNow = await rows();
      seen.push('inside');
    });
    await db
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO lock_probe VALUES ('undone')`);
        db.afterCommit(tx, () => seen.push('rolled back: must not run'));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await db.run(async (tx) => {
      await tx.query(`INSERT INTO lock_probe VALUES ('alone')`);
      db.afterCommit(tx, () => seen.push('outside'));
    });
    expect(seen).toEqual(['inside', 'committed, 1 rows read inside', 'outside']);
  });
});
