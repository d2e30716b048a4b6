import { IsNull } from 'typeorm';
import { ApiKeyEntity } from '../src/api-keys/api-key.entity.js';
import { UserEntity } from '../src/users/user.entity.js';
import { SessionEntity } from '../src/sessions/session.entity.js';
import {
  PASSWORD,
  TestStore,
  describeEachDatabase,
  failure,
  randomKey,
  signedInUser,
  sleep,
  startServer,
  sessionOf,
} from './harness.js';

describeEachDatabase('server lifecycle and bootstrap', (db) => {
  let store: TestStore;
  beforeEach(() => {
    store = new TestStore(db);
  });
  afterEach(async () => {
    await store.drop();
  });

  it('keeps tokens valid across a restart on the same database', async () => {
    const first = await startServer(store);
    const { token, session } = await signedInUser(first);
    await first.close();

    const second = await startServer(store, { TESSERA_ROOT_API_KEY: first.rootKey });
    try {
      const current = await second.anon.withToken(token).sessions.current();
      expect(current.session.id).toBe(session.id);
      await second.anon.withToken(token).auth.signOut();
      expect((await failure(second.anon.withToken(token).sessions.current())).code).toBe('token_revoked');
    } finally {
      await second.close();
    }
  });

  it('bootstraps the admin, root key and login key idempotently', async () => {
    const env = {
      TESSERA_ADMIN_EMAIL: 'Boss@Example.test',
      TESSERA_ADMIN_PASSWORD: 'the demo password',
      TESSERA_ROOT_API_KEY: randomKey(),
      TESSERA_LOGIN_API_KEY: randomKey(),
    };
    for (let i = 0; i < 2; i++) {
      const server = await startServer(store, env);
      try {
        const { token, user } = await sessionOf(
          server.anon.auth.signIn({
            email: 'boss@example.test',
            password: 'the demo password',
          }),
        );
        expect(user.superAdmin).toBe(true);
        // A super admin's own session may do what an admin key may.
        await expect(server.anon.withToken(token).users.list()).resolves.toHaveProperty('items');
        expect(await server.db.getRepository(UserEntity).countBy({ email: 'boss@example.test' })).toBe(1);
        // The root and login keys, once each (earlier tests' root keys are revoked rows).
        expect(await server.db.getRepository(ApiKeyEntity).countBy({ revokedAt: IsNull() })).toBe(2);
      } finally {
        await server.close();
      }
    }
  });

  it('replaces the root key when TESSERA_ROOT_API_KEY changes; what the old one started ends', async () => {
    const before = await startServer(store);
    const { user } = await signedInUser(before);
    const { token } = await before.admin.admin.createSessionToken({ userId: user.userId });
    await before.close();
    const after = await startServer(store);
    try {
      expect((await failure(after.anon.withApiKey(before.rootKey).users.list())).code).toBe('unauthorized');
      await expect(after.admin.users.list()).resolves.toHaveProperty('items');
      // The impersonation the old root key started ends with it.
      expect((await failure(after.anon.withToken(token).sessions.current())).code).toBe('token_revoked');
    } finally {
      await after.close();
    }
  });

  it('keeps a root key revoked through the API revoked across restarts with the same secret', async () => {
    const rootKey = randomKey();
    const first = await startServer(store, { TESSERA_ROOT_API_KEY: rootKey });
    const { items } = await first.admin.admin.apiKeys.list({ limit: 100 });
    const root = items.find((k) => k.revokedAt === null && k.name.startsWith('root'))!;
    await first.admin.admin.apiKeys.revoke(root.id);
    await first.close();
    const second = await startServer(store, { TESSERA_ROOT_API_KEY: rootKey });
    try {
      expect((await failure(second.admin.users.list())).code).toBe('unauthorized');
    } finally {
      await second.close();
    }
  });

  it('with TESSERA_SIGN_IN_REQUIRES_LOGIN_KEY, signs in only with a login key, which can do nothing else', async () => {
    const loginKey = randomKey();
    const server = await startServer(store, {
      TESSERA_SIGN_IN_REQUIRES_LOGIN_KEY: 'true',
      TESSERA_LOGIN_API_KEY: loginKey,
    });
    try {
      const email = 'login-key@example.test';
      await server.admin.users.create({ email, password: PASSWORD });
      expect((await failure(server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('unauthorized');
      const withKey = server.anon.withApiKey(loginKey);
      await expect(withKey.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
      const error = await failure(withKey.users.list());
      expect([error.status, error.code]).toEqual([403, 'forbidden']);
    } finally {
      await server.close();
    }
  });

  it('caps every session at TESSERA_SESSION_MAX_LIFETIME however much it is used', async () => {
    const server = await startServer(store, {
      TESSERA_SESSION_MAX_LIFETIME: '3',
      TESSERA_SESSION_DEFAULT_EXPIRATION: '2',
    });
    try {
      const { client, session } = await signedInUser(server, { expiration: 2 });
      expect(Date.parse(session.absoluteExpiresAt) - Date.parse(session.createdAt)).toBe(3000);
      for (let i = 0; i < 3; i++) {
        await sleep(1000);
        if (i < 2) await client.sessions.current();
      }
      expect((await failure(client.sessions.current())).code).toBe('token_expired');
      const row = await server.db.getRepository(SessionEntity).findOneByOrFail({ id: session.id });
      expect(row.expiresAt).toBeLessThanOrEqual(row.absoluteExpiresAt);
    } finally {
      await server.close();
    }
  }, 15_000);

  it('answers token_revoked for the sessions of a deleted user', async () => {
    const server = await startServer(store);
    try {
      const { client, user } = await signedInUser(server);
      await server.db.getRepository(UserEntity).delete({ id: user.userId });
      expect((await failure(client.sessions.current())).code).toBe('token_revoked');
    } finally {
      await server.close();
    }
  });
});
