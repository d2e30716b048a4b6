import { randomKey } from './harness.js';
import { PASSWORD, TestStore, describeEachDatabase, failure, startServer, uniqueEmail, useServer } from './harness.js';

describeEachDatabase('brute-force limits', (db) => {
  const t = useServer(db, {
    TESSERA_SIGN_IN_ACCOUNT_FAILURES: '3',
    TESSERA_SIGN_IN_IP_LIMIT: '10000',
    TESSERA_PUBLIC_IP_LIMIT: '3',
  });

  it('locks an account after 3 failures with 429 and Retry-After, even for the right password', async () => {
    const email = uniqueEmail();
    await t.server.admin.users.create({ email, password: PASSWORD });
    for (let i = 0; i < 3; i++)
      expect((await failure(t.server.anon.auth.signIn({ email, password: 'wrong' }))).code).toBe('invalid_credentials');
    const locked = await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }));
    expect([locked.status, locked.code]).toEqual([429, 'too_many_requests']);
    expect(locked.retryAfter).toBeGreaterThanOrEqual(29);
    expect(locked.retryAfter).toBeLessThanOrEqual(30);
  });

  it('limits an unknown email exactly like a known one', async () => {
    const known = uniqueEmail();
    await t.server.admin.users.create({ email: known, password: PASSWORD });
    const unknown = uniqueEmail('nobody');
    const answers = async (email: string) => {
      const codes = [];
      for (let i = 0; i < 5; i++) {
        const e = await failure(t.server.anon.auth.signIn({ email, password: 'wrong' }));
        codes.push(`${e.status} ${e.code} ${e.retryAfter ?? ''}`);
      }
      return codes;
    };
    expect(await answers(unknown)).toEqual(await answers(known));
  });

  it('resets the count on a successful sign-in', async () => {
    const email = uniqueEmail();
    await t.server.admin.users.create({ email, password: PASSWORD });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) await failure(t.server.anon.auth.signIn({ email, password: 'wrong' }));
      await expect(t.server.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
    }
  });

  it('limits the dashboard code exchange per client IP', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await failure(t.server.anon.selfService.exchange(`made-up-${i}`))).status);
    expect(codes).toEqual([401, 401, 401, 429]);
  });

  it('limits sign-in attempts per client IP', async () => {
    const store = new TestStore(db);
    const server = await startServer(store, { TESSERA_SIGN_IN_IP_LIMIT: '4', TESSERA_ROOT_API_KEY: randomKey() });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await failure(server.anon.auth.signIn({ email: uniqueEmail(), password: 'x' }))).status);
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
    } finally {
      await server.close();
      await store.drop();
    }
  });
});
