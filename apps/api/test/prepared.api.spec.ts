import type { DataSource } from 'typeorm';
import { isUnavailable } from '../src/common/error.filter.js';
import { openDatabase } from '../src/database/data-source.js';
import { closePreparedReads, prepared, preparedInserts } from '../src/database/prepared.js';
import { TestStore, describeEachDatabase, testDatabases } from './harness.js';

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

if (testDatabases().includes('postgres')) {
  describe('the pipelined read connection [postgres]', () => {
    let store: TestStore;
    let dataSource: DataSource;

    beforeAll(async () => {
      store = new TestStore('postgres');
      dataSource = await openDatabase({ kind: 'postgres', url: await store.databaseUrl() });
    });

    afterAll(async () => {
      await closePreparedReads(dataSource);
      await dataSource.destroy();
      await store.drop();
    });

    it('opens a new connection when PostgreSQL drops it; the reads lost with it count as unavailable (503)', async () => {
      const one = prepared<{ one: number }>(dataSource, 'select_one', 'SELECT 1 AS one');
      await expect(one()).resolves.toEqual([{ one: 1 }]);
      // This process's pipelined connection (application_name names the process), from the pool.
      const [ended] = await dataSource.query<{ n: string }[]>(
        `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1`,
        [`tessera-reads-${process.pid}`],
      );
      expect(Number(ended!.n)).toBe(1);
      const errors: unknown[] = [];
      let answer: unknown;
      for (let attempt = 0; attempt < 5 && answer === undefined; attempt++) {
        answer = await one().catch((error: unknown) => {
          errors.push(error);
          return undefined;
        });
      }
      expect(answer).toEqual([{ one: 1 }]);
      expect(errors.length).toBeLessThanOrEqual(1);
      expect(errors.every(isUnavailable)).toBe(true);
    });
  });
}
