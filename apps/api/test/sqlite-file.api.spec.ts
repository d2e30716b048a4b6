import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PASSWORD, TestStore, failure, randomKey, uniqueEmail } from './harness.js';
import { startApiProcess, type ApiProcess } from './process.js';

/** What another program (sqlite3, a backup tool) gets when it reads the users table: the emails, or the error code. */
function readFromOutside(file: string): string[] | string {
  const db = new Database(file, { timeout: 0 });
  try {
    return db.prepare<[], { email: string }>('SELECT email FROM users').all().map((u) => u.email);
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
    const { token } = await b.anon.auth.signIn({ email, password: PASSWORD });
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
