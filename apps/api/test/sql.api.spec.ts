import type { DataSource } from 'typeorm';
import { openDatabase } from '../src/infra/database/data-source.js';
import { sqlInsertsTogether, sqlRead, sqlWrite } from '../src/infra/database/sql.js';
import { TransactionRunner } from '../src/infra/database/transaction-runner.js';
import { TestStore, describeEachDatabase } from './harness.js';

const INSERT_TENANT = 'INSERT INTO tenants (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)';

describeEachDatabase('hand-written statements (database/sql.ts)', (database) => {
  let store: TestStore;
  let dataSource: DataSource;
  let db: TransactionRunner;

  beforeAll(async () => {
    store = new TestStore(database);
    const file = `${store.dir}/sql.sqlite`;
    const url = database === 'postgres' ? await store.databaseUrl() : '';
    dataSource = await openDatabase(database === 'sqlite' ? { kind: 'sqlite', file } : { kind: 'postgres', url });
    db = new TransactionRunner(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await store.drop();
  });

  const tenantIds = async (prefix: string) => {
    const read = sqlRead<{ id: string }>(db, 'SELECT id AS "id" FROM tenants WHERE id LIKE ? ORDER BY id');
    return (await read(`${prefix}%`)).map((r) => r.id);
  };

  it('writes every insert of a batch, or none when one of them fails', async () => {
    const both = sqlInsertsTogether(db, [INSERT_TENANT, INSERT_TENANT]);
    await both(['ok-1', 'One', 1, 1], ['ok-2', 'Two', 1, 1]);
    expect(await tenantIds('ok-')).toEqual(['ok-1', 'ok-2']);

    // The second insert breaks the primary key: the first must not stay behind.
    // (Matched by message: in a Jest worker that ran other files first, better-sqlite3's errors
    // come from another realm and are no `instanceof Error` here.)
    await expect(both(['half-1', 'One', 1, 1], ['ok-1', 'Again', 1, 1])).rejects.toHaveProperty(
      'message',
      expect.stringMatching(/UNIQUE|duplicate key/i),
    );
    expect(await tenantIds('half-')).toEqual([]);
  });

  it('answers many concurrent reads, each with its own parameters', async () => {
    const one = sqlRead<{ id: string }>(db, 'SELECT id AS "id" FROM tenants WHERE id = ?');
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => one(i % 2 === 0 ? 'ok-1' : 'ok-2')));
    const expected = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 'ok-1' : 'ok-2'));
    expect(answers.map((rows) => rows[0]?.id)).toEqual(expected);
  });

  it('writes with the transaction it is given, and is rolled back with it', async () => {
    const insert = sqlWrite(db, INSERT_TENANT);
    await expect(
      dataSource.transaction(async (manager) => {
        await insert(manager, 'tx-1', 'One', 1, 1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await tenantIds('tx-')).toEqual([]);
    await insert(dataSource.manager, 'tx-2', 'Two', 1, 1);
    expect(await tenantIds('tx-')).toEqual(['tx-2']);
  });
});
