import type { DataSource } from 'typeorm';
import { openDatabase } from '../src/database/data-source.js';
import { closePreparedReads, prepared, preparedInserts } from '../src/database/prepared.js';
import { TestStore, describeEachDatabase } from './harness.js';

const INSERT_TENANT = 'INSERT INTO tenants (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)';

describeEachDatabase('prepared statements on the driver', (db) => {
  let store: TestStore;
  let dataSource: DataSource;

  beforeAll(async () => {
    store = new TestStore(db);
    dataSource = await openDatabase(db === 'sqlite' ? { kind: 'sqlite', file: `${store.dir}/prepared.sqlite` } : { kind: 'postgres', url: await store.databaseUrl() });
  });

  afterAll(async () => {
    await closePreparedReads(dataSource);
    await dataSource.destroy();
    await store.drop();
  });

  const tenantIds = async (prefix: string) =>
    (await prepared<{ id: string }>(dataSource, `tenants_like_${db}_${prefix}`, 'SELECT id FROM tenants WHERE id LIKE ? ORDER BY id')(`${prefix}%`)).map((r) => r.id);

  it('writes every insert of a batch, or none when one of them fails', async () => {
    const both = preparedInserts(dataSource, 'two_tenants', [INSERT_TENANT, INSERT_TENANT]);
    await both(['ok-1', 'One', 1, 1], ['ok-2', 'Two', 1, 1]);
    expect(await tenantIds('ok-')).toEqual(['ok-1', 'ok-2']);

    // The second insert breaks the primary key: the first must not stay behind.
    // (Matched by message: in a Jest worker that ran other files first, better-sqlite3's errors
    // come from another realm and are no `instanceof Error` here.)
    await expect(both(['half-1', 'One', 1, 1], ['ok-1', 'Again', 1, 1])).rejects.toHaveProperty('message', expect.stringMatching(/UNIQUE|duplicate key/i));
    expect(await tenantIds('half-')).toEqual([]);
  });

  it('answers many concurrent reads, each with its own parameters', async () => {
    const one = prepared<{ id: string }>(dataSource, `tenant_by_id_${db}`, 'SELECT id FROM tenants WHERE id = ?');
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => one(i % 2 === 0 ? 'ok-1' : 'ok-2')));
    expect(answers.map((rows) => rows[0]?.id)).toEqual(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 'ok-1' : 'ok-2')));
  });
});
