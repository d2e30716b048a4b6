import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PASSWORD, TestStore, failure, randomKey, startServer, uniqueEmail, sessionOf } from './harness.js';
import { startApiProcess, type ApiProcess } from './process.js';

/** What another program (sqlite3, a backup tool) gets when it reads the users table: the emails, or the error code. */
function readFromOutside(file: string): string[] | string {
  const db = new Database(file, { timeout: 0 });
  try {
    return db
      .prepare<[], { email: string }>('SELECT email FROM users')
      .all()
      .map((u) => u.email);
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    db.close();
  }
}

describe('the SQLite file', () => {
  let store: TestStore;
  let env: Record<string, string>;
  let rootKey: string;
  const running: ApiProcess[] = [];
  const start = async (extra: Record<string, string> = {}) => {
    const api = await startApiProcess({ ...env, ...extra }, rootKey);
    running.push(api);
    return api;
  };

  beforeEach(() => {
    store = new TestStore('sqlite');
    rootKey = randomKey();
    env = {
      DATABASE_URL: `sqlite:${join(store.dir, 'tessera.sqlite')}`,
      TESSERA_DATA_DIR: store.dir,
      TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
    };
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((api) => api.stop()));
    await store.drop();
  });

  it('is held by Tessera alone: another reader is refused, a second server does not start and says why', async () => {
    const api = await start();
    const email = uniqueEmail();
    await api.admin.users.create({ email, password: PASSWORD });
    const file = join(store.dir, 'tessera.sqlite');

    expect(readFromOutside(file)).toBe('SQLITE_BUSY');
    await expect(start()).rejects.toThrow(/locked by another process.*TESSERA_SQLITE_SHARED=true/s);
    // The first server is unharmed and still answers.
    expect((await api.admin.users.list()).items.map((u) => u.email)).toContain(email);

    // Stopped, it lets go: what it wrote is in the file.
    await api.stop();
    expect(readFromOutside(file)).toContain(email);
  }, 60_000);

  it('with TESSERA_SQLITE_SHARED=true, is open to other readers and to a second server on the same file', async () => {
    const shared = { TESSERA_SQLITE_SHARED: 'true' };
    const a = await start(shared);
    const b = await start(shared);
    const email = uniqueEmail();
    await a.admin.users.create({ email, password: PASSWORD });

    expect(readFromOutside(join(store.dir, 'tessera.sqlite'))).toContain(email);
    // What one process wrote, the other signs in with.
    const { token } = await sessionOf(b.anon.auth.signIn({ email, password: PASSWORD }));
    expect(token).toEqual(expect.any(String));

    // B answers a check it was asked before, a key and a session it used before, from what A has
    // just changed.
    const { userId } = await a.admin.users.create({ email: uniqueEmail() });
    const permissionId = `shared-${Date.now().toString(36)}`;
    await a.admin.permissions.create({ permissionId });
    const ask = async () => (await b.admin.check({ userId, checks: [{ permission: permissionId }] })).results;
    expect([await ask(), await ask()]).toEqual([[false], [false]]);
    await a.admin.grants.addPermission({ userId, permissionId });
    expect(await ask()).toEqual([true]);
    const { apiKey, secret } = await a.admin.admin.apiKeys.create({ name: 'shared', roles: ['admin'] });
    await b.anon.withApiKey(secret).users.list();
    await b.anon.withApiKey(secret).users.list();
    await a.admin.admin.apiKeys.revoke(apiKey.id);
    expect((await failure(b.anon.withApiKey(secret).users.list())).code).toBe('unauthorized');
    await b.anon.withToken(token).sessions.current();
    await b.anon.withToken(token).sessions.current();
    await a.anon.withToken(token).auth.signOut();
    expect((await failure(b.anon.withToken(token).sessions.current())).code).toBe('token_revoked');
  }, 60_000);
});

describe('a fresh data dir', () => {
  const mode = (path: string) => (existsSync(path) ? (statSync(path).mode & 0o777).toString(8) : 'missing');
  let store: TestStore;
  let umask: number;
  // A server's usual umask, which leaves new files readable by everyone.
  beforeEach(() => {
    store = new TestStore('sqlite');
    umask = process.umask(0o022);
  });
  afterEach(async () => {
    process.umask(umask);
    await store.drop();
  });

  it.each([
    ['shared with other processes', 'true', { '-wal': '600', '-shm': '600' }],
    ['held alone (no shared memory file)', 'false', { '-wal': '600', '-shm': 'missing' }],
  ])("are the owner's alone, %s: the dir 0700, the database and its WAL 0600", async (_label, shared, expected) => {
    const dataDir = join(store.dir, 'data');
    const file = join(dataDir, 'tessera.sqlite');
    // No JWT secret: the generated signing key is written under the data dir too, as on a first `npm start`.
    const server = await startServer(store, {
      DATABASE_URL: `sqlite:${file}`,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_SQLITE_SHARED: shared,
      TESSERA_JWT_SECRET: '',
    });
    try {
      await server.admin.users.create({ email: uniqueEmail(), password: PASSWORD });
      expect({
        dir: mode(dataDir),
        database: mode(file),
        '-wal': mode(`${file}-wal`),
        '-shm': mode(`${file}-shm`),
        'jwt-secret': mode(join(dataDir, 'jwt-secret')),
      }).toEqual({ dir: '700', database: '600', ...expected, 'jwt-secret': '600' });
    } finally {
      await server.close();
    }
  });

  const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;
  onPostgres('on PostgreSQL, holds the generated signing key in a 0700 dir', async () => {
    const pgStore = new TestStore('postgres');
    const dataDir = join(pgStore.dir, 'data');
    const server = await startServer(pgStore, { TESSERA_DATA_DIR: dataDir, TESSERA_JWT_SECRET: '' });
    try {
      expect([mode(dataDir), mode(join(dataDir, 'jwt-secret'))]).toEqual(['700', '600']);
    } finally {
      await server.close();
      await pgStore.drop();
    }
  });
});
