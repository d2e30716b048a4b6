import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './data-source.js';

describe('SQLite statistics', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-stats-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the row counts of an ANALYZE and drops its per-value histograms when it opens the file', async () => {
    const database = { kind: 'sqlite' as const, file: join(dir, 'tessera.sqlite') };
    const first = await openDatabase(database);
    const now = Date.now();
    for (let i = 0; i < 50; i++) {
      await first.query(
        'INSERT INTO users (id, email, password_hash, super_admin, disabled_at, created_at, updated_at) VALUES (?, ?, NULL, 0, NULL, ?, ?)',
        [`u-${i}`, `u-${i}@example.test`, now, now],
      );
    }
    // What an operator's ANALYZE (or PRAGMA optimize) leaves behind.
    await first.query('ANALYZE');
    const count = async (db: typeof first, table: string) =>
      Number((await db.query<{ n: number }[]>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
    expect(await count(first, 'sqlite_stat4')).toBeGreaterThan(0);
    await first.destroy();

    const reopened = await openDatabase(database);
    expect(await count(reopened, 'sqlite_stat4')).toBe(0);
    expect(await count(reopened, 'sqlite_stat1')).toBeGreaterThan(0);
    await reopened.destroy();
  });
});
