import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../admin/api-key.entity.js';
import { openDatabase } from './data-source.js';
import { prepared, preparedInserts, preparedWrite } from './prepared.js';
import { readUntilWritten, writeGeneration } from './write-generation.js';

describe('the write count of an exclusive SQLite file', () => {
  let dir: string;
  let db: DataSource;
  let count: () => number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-writes-'));
    db = await openDatabase({ kind: 'sqlite', file: join(dir, 'tessera.sqlite') });
    count = writeGeneration(db)!;
    await db.query('CREATE TABLE probe (v TEXT)');
  });

  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** How far `work` moved the count. */
  const moved = async (work: () => Promise<unknown>) => {
    const before = count();
    await work();
    return count() - before;
  };

  it('stands still for reads, however they are made', async () => {
    expect(count).toBeInstanceOf(Function);
    const read = prepared(db, 'probe_read', 'SELECT v FROM probe WHERE v = ?');
    expect(await moved(() => db.query('SELECT * FROM probe'))).toBe(0);
    expect(await moved(() => db.getRepository(ApiKeyEntity).find())).toBe(0);
    expect(await moved(() => db.getRepository(ApiKeyEntity).createQueryBuilder('k').where('k.name = :n', { n: 'x' }).getMany())).toBe(0);
    expect(await moved(() => read('x'))).toBe(0);
    expect(await moved(() => read('x'))).toBe(0);
  });

  it('moves for every write: raw SQL, repository, query builder, prepared writes and inserts', async () => {
    const key = { id: '00000000-0000-4000-8000-000000000001', name: 'k', role: 'admin' as const, secretHash: 'h1', bootstrap: null, createdAt: 1, lastUsedAt: null, expiresAt: null, revokedAt: null };
    expect(await moved(() => db.query(`INSERT INTO probe VALUES ('raw')`))).toBeGreaterThan(0);
    expect(await moved(() => db.getRepository(ApiKeyEntity).insert(key))).toBeGreaterThan(0);
    expect(await moved(() => db.getRepository(ApiKeyEntity).update({ id: key.id }, { name: 'renamed' }))).toBeGreaterThan(0);
    expect(await moved(() => db.getRepository(ApiKeyEntity).createQueryBuilder().delete().where('id = :id', { id: key.id }).execute())).toBeGreaterThan(0);
    // Even a write that changes no row: cheaper to count than to ask SQLite what changed.
    expect(await moved(() => db.query(`DELETE FROM probe WHERE v = 'none'`))).toBeGreaterThan(0);
    const write = preparedWrite(db, 'probe_write', 'INSERT INTO probe VALUES (?)');
    expect(await moved(() => write(db.manager, 'prepared'))).toBeGreaterThan(0);
    const inserts = preparedInserts(db, 'probe_inserts', ['INSERT INTO probe VALUES (?)', 'INSERT INTO probe VALUES (?)']);
    expect(await moved(() => inserts(['a'], ['b']))).toBeGreaterThan(0);
    expect(await moved(() => db.query(`INSERT INTO probe VALUES ('returned') RETURNING v`))).toBeGreaterThan(0);
  });

  it('moves for a transaction, and again when it rolls back', async () => {
    const runner = db.createQueryRunner();
    await runner.startTransaction();
    await runner.query(`INSERT INTO probe VALUES ('undone')`);
    // A read inside the transaction, which sees what is not committed, is followed by a move.
    await runner.query('SELECT * FROM probe');
    expect(await moved(() => runner.rollbackTransaction())).toBeGreaterThan(0);
    await runner.release();
    expect(await moved(() => db.transaction((m) => m.query(`INSERT INTO probe VALUES ('kept')`)))).toBeGreaterThan(0);
    const failed = db.transaction(async (m) => {
      await m.query(`INSERT INTO probe VALUES ('failed')`);
      throw new Error('domain error');
    });
    expect(await moved(() => failed.catch(() => undefined))).toBeGreaterThan(0);
    expect((await db.query<{ v: string }[]>(`SELECT v FROM probe WHERE v IN ('undone', 'failed')`)).length).toBe(0);
  });

  it('remembers what a read found until the next write, and never a miss', async () => {
    await db.query(`INSERT INTO probe VALUES ('remembered')`);
    let reads = 0;
    const find = readUntilWritten(db, 10, async (v: string) => {
      reads++;
      return (await db.query<{ v: string }[]>('SELECT v FROM probe WHERE v = ?', [v]))[0]?.v;
    });
    expect([await find('remembered'), await find('remembered'), reads]).toEqual(['remembered', 'remembered', 1]);
    expect([await find('absent'), await find('absent'), reads]).toEqual([undefined, undefined, 3]);
    await db.query(`DELETE FROM probe WHERE v = 'remembered'`);
    expect([await find('remembered'), reads]).toEqual([undefined, 4]);
  });
});

describe('a SQLite file shared with other processes', () => {
  it('has no write count, and reads every time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-writes-'));
    const db = await openDatabase({ kind: 'sqlite', file: join(dir, 'tessera.sqlite'), shared: true });
    try {
      expect(writeGeneration(db)).toBeUndefined();
      let reads = 0;
      const find = readUntilWritten(db, 10, () => Promise.resolve(++reads));
      expect([await find('k'), await find('k')]).toEqual([1, 2]);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
