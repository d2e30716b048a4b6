import type { CheckItem } from '@tessera/client';
import {
  capture,
  describeEachDatabase,
  failure,
  signedInUser,
  sleep,
  uniqueEmail,
  useServer,
  type TestServer,
  uid,
} from './harness.js';

/** Two tenants, a role holding a permission, and a user holding that role in tenant A only. */
async function world(server: TestServer) {
  const a = await server.admin.tenants.create({ name: 'A' });
  const b = await server.admin.tenants.create({ name: 'B' });
  const read = uid('read');
  const write = uid('write');
  const audit = uid('audit');
  const reader = uid('reader');
  await server.admin.permissions.create({ permissionId: read });
  await server.admin.permissions.create({ permissionId: write });
  await server.admin.permissions.create({ permissionId: audit });
  await server.admin.roles.create({ roleId: reader });
  await server.admin.roles.addPermission(reader, read);
  const { user, client, token } = await signedInUser(server);
  await server.admin.grants.addRole({ tenantId: a.tenantId, userId: user.userId, roleId: reader });
  await server.admin.grants.addPermission({ tenantId: b.tenantId, userId: user.userId, permissionId: write });
  return { a: a.tenantId, b: b.tenantId, read, write, audit, reader, user, client, token };
}

describeEachDatabase('authorization checks', (db) => {
  const t = useServer(db, { TESSERA_CORS_ORIGINS: 'https://app.example.test' });

  it('answers tenant-scoped grants in their tenant only, and global grants everywhere', async () => {
    const w = await world(t.server);
    const ask = (checks: CheckItem[]) => t.server.admin.check({ userId: w.user.userId, checks });
    expect(
      (
        await ask([
          { permission: w.read, tenantId: w.a },
          { permission: w.read, tenantId: w.b },
          { permission: w.read },
          { role: w.reader, tenantId: w.a },
          { role: w.reader, tenantId: w.b },
          { permission: w.write, tenantId: w.b },
          { permission: w.write, tenantId: w.a },
        ])
      ).results,
    ).toEqual([true, false, false, true, false, true, false]);

    await t.server.admin.grants.addPermission({ userId: w.user.userId, permissionId: w.audit });
    await t.server.admin.grants.addRole({ userId: w.user.userId, roleId: 'member' });
    expect(
      (
        await ask([
          { permission: w.audit },
          { permission: w.audit, tenantId: w.a },
          { permission: w.audit, tenantId: 'never-created' },
          { role: 'member', tenantId: w.b },
          { role: 'member' },
        ])
      ).results,
    ).toEqual([true, true, true, true, true]);
  });

  it('combines results with allOf (the default) and anyOf', async () => {
    const w = await world(t.server);
    const checks = [
      { permission: w.read, tenantId: w.a },
      { permission: w.read, tenantId: w.b },
    ];
    await expect(t.server.admin.check({ userId: w.user.userId, checks })).resolves.toEqual({
      authorized: false,
      results: [true, false],
    });
    await expect(t.server.admin.check({ userId: w.user.userId, op: 'anyOf', checks })).resolves.toEqual({
      authorized: true,
      results: [true, false],
    });
    await expect(t.server.admin.check({ userId: w.user.userId, op: 'anyOf', checks: [checks[1]!] })).resolves.toEqual({
      authorized: false,
      results: [false],
    });
  });

  it('reflects a revoked grant on the very next check', async () => {
    const w = await world(t.server);
    const checks = [{ permission: w.read, tenantId: w.a }];
    expect((await w.client.check({ checks })).authorized).toBe(true);
    await t.server.admin.roles.removePermission(w.reader, w.read);
    expect((await w.client.check({ checks })).authorized).toBe(false);
  });

  // The same checks asked again are answered from remembered rows while the user's stamp is
  // unchanged (GrantService.held): every change below must move the stamp.
  it('answers the same checks asked again from current data after every kind of change, SQL by hand included', async () => {
    const w = await world(t.server);
    const asked = [
      { permission: w.read, tenantId: w.a },
      { permission: w.write, tenantId: w.b },
      { role: w.reader, tenantId: w.a },
      { permission: w.audit },
    ];
    const ask = async () => (await t.server.admin.check({ userId: w.user.userId, checks: asked })).results;
    expect(await ask()).toEqual([true, true, true, false]);
    expect(await ask()).toEqual([true, true, true, false]);

    // An operator's SQL goes through the triggers like the API's writes.
    await t.server.db.query(
      `INSERT INTO global_permission_grants (user_id, permission_id) VALUES ('${w.user.userId}', '${w.audit}')`,
    );
    expect(await ask()).toEqual([true, true, true, true]);
    await t.server.db.query(
      `DELETE FROM role_permissions WHERE role_id = '${w.reader}' AND permission_id = '${w.read}'`,
    );
    expect(await ask()).toEqual([false, true, true, true]);
    await t.server.admin.roles.addPermission(w.reader, w.read);
    expect(await ask()).toEqual([true, true, true, true]);
    const other = uid('other');
    await t.server.admin.permissions.create({ permissionId: other });
    await t.server.db.query(
      `UPDATE global_permission_grants SET permission_id = '${other}' WHERE user_id = '${w.user.userId}'`,
    );
    expect(await ask()).toEqual([true, true, true, false]);

    await t.server.admin.grants.removeRole({ userId: w.user.userId, roleId: w.reader, tenantId: w.a });
    expect(await ask()).toEqual([false, true, false, false]);
    await t.server.admin.grants.addRole({ userId: w.user.userId, roleId: w.reader, tenantId: w.a });
    expect(await ask()).toEqual([true, true, true, false]);
    // Deletes that reach the grants by cascade: the tenant, then the role.
    await t.server.admin.tenants.delete(w.b);
    expect(await ask()).toEqual([true, false, true, false]);
    await t.server.admin.roles.delete(w.reader);
    expect(await ask()).toEqual([false, false, false, false]);
  });

  // A check asked again is answered from its remembered rows after one read of the user's stamp,
  // which any write that could change the answer moves, by the API or by hand.
  it('answers a check asked again from the stamp alone, and reads again after any write', async () => {
    const w = await world(t.server);
    const asked = [{ permission: w.read, tenantId: w.a }];
    let results: boolean[] = [];
    const ask = () =>
      capture(t.server.db, async () => {
        results = (await t.server.admin.check({ userId: w.user.userId, checks: asked })).results;
      });
    await ask();
    const again = await ask();
    expect(results).toEqual([true]);
    expect(again.some((s) => /FROM users WHERE id/.test(s.sql))).toBe(true);
    expect(again.some((s) => /held_roles/.test(s.sql))).toBe(false);

    await t.server.db.query(
      `DELETE FROM role_permissions WHERE role_id = '${w.reader}' AND permission_id = '${w.read}'`,
    );
    const afterWrite = await ask();
    expect(results).toEqual([false]);
    expect(afterWrite.length).toBeGreaterThan(0);
    // A write to an unrelated table sends it back too, and finds the answer unchanged.
    await t.server.admin.permissions.create({ permissionId: uid('unrelated') });
    expect((await ask()).length).toBeGreaterThan(0);
    expect(results).toEqual([false]);
    // A transaction that rolls back, by hand.
    const runner = t.server.db.createQueryRunner();
    await runner.startTransaction();
    await runner.query(`INSERT INTO role_permissions (role_id, permission_id) VALUES ('${w.reader}', '${w.read}')`);
    await runner.rollbackTransaction();
    await runner.release();
    expect((await ask()).length).toBeGreaterThan(0);
    expect(results).toEqual([false]);
  });

  it("answers a user created again under a deleted user's id from its own grants only", async () => {
    const w = await world(t.server);
    const userId = uid('reborn');
    await t.server.admin.users.create({ userId, email: uniqueEmail() });
    // One grant each time, so a per-user count that restarted with the user would meet the old one.
    await t.server.admin.grants.addRole({ userId, roleId: w.reader, tenantId: w.a });
    const asked = [{ permission: w.read, tenantId: w.a }, { permission: w.audit }];
    const ask = async () => (await t.server.admin.check({ userId, checks: asked })).results;
    expect(await ask()).toEqual([true, false]);
    await t.server.admin.users.delete(userId);
    expect(await ask()).toEqual([false, false]);
    await t.server.admin.users.create({ userId, email: uniqueEmail() });
    await t.server.admin.grants.addPermission({ userId, permissionId: w.audit });
    expect(await ask()).toEqual([false, true]);
  });

  it('answers unknown users, permissions, roles and tenants with false, not 404', async () => {
    const w = await world(t.server);
    await expect(
      t.server.admin.check({ userId: 'no-such-user', checks: [{ permission: w.read, tenantId: w.a }] }),
    ).resolves.toEqual({
      authorized: false,
      results: [false],
    });
    expect(
      (
        await t.server.admin.check({
          userId: w.user.userId,
          checks: [{ permission: 'nope' }, { role: 'nope', tenantId: 'nope' }],
        })
      ).results,
    ).toEqual([false, false]);
  });

  it('gives a super admin the super_admin role and its permissions everywhere, and a disabled user nothing', async () => {
    const w = await world(t.server);
    await t.server.admin.roles.addPermission('super_admin', w.audit);
    const asked = [
      { role: 'super_admin' },
      { permission: w.audit },
      { permission: w.audit, tenantId: w.b },
      { permission: w.read, tenantId: w.a },
    ];
    const ask = () => t.server.admin.check({ userId: w.user.userId, checks: asked });
    expect((await ask()).results).toEqual([false, false, false, true]);
    await t.server.admin.grants.addRole({ userId: w.user.userId, roleId: 'super_admin' });
    expect((await ask()).results).toEqual([true, true, true, true]);
    await t.server.admin.admin.users.disable(w.user.userId);
    expect((await ask()).results).toEqual([false, false, false, false]);
  });

  it('lets a session check its own user, and refuses another user with 403', async () => {
    const w = await world(t.server);
    const other = await signedInUser(t.server);
    await expect(w.client.check({ checks: [{ permission: w.read, tenantId: w.a }] })).resolves.toEqual({
      authorized: true,
      results: [true],
    });
    await expect(
      w.client.check({ userId: w.user.userId, checks: [{ permission: w.read, tenantId: w.a }] }),
    ).resolves.toHaveProperty('authorized', true);
    const error = await failure(
      other.client.check({ userId: w.user.userId, checks: [{ permission: w.read, tenantId: w.a }] }),
    );
    expect([error.status, error.code]).toEqual([403, 'forbidden']);
  });

  it.each([
    ['no checks', { checks: [] }],
    ['101 checks', { checks: Array.from({ length: 101 }, () => ({ permission: 'p' })) }],
    ['both permission and role', { checks: [{ permission: 'p', role: 'r' }] }],
    ['neither permission nor role', { checks: [{ tenantId: 't' }] }],
    ['a bad id', { checks: [{ permission: 'has space' }] }],
    ['an unknown op', { op: 'someOf', checks: [{ permission: 'p' }] }],
    ['an unknown field', { checks: [{ permission: 'p' }], extra: true }],
  ])('refuses %s with 400', async (_label, body) => {
    const error = await failure(t.server.admin.check({ userId: 'u', ...(body as { checks: [] }) }));
    expect([error.status, error.code]).toEqual([400, 'invalid_request']);
  });

  it('needs a userId with an API key', async () => {
    const error = await failure(t.server.admin.check({ checks: [{ permission: 'p' }] }));
    expect([error.status, error.details]).toEqual([400, { fields: { userId: expect.any(String) } }]);
  });

  describe('authorization sessions', () => {
    it('mints a token that checks its own user and can do nothing else', async () => {
      const w = await world(t.server);
      const token = await t.server.admin.sessions.createAuthorizationSession({ userId: w.user.userId });
      const app = t.server.anon.withToken(token);
      await expect(app.check({ checks: [{ permission: w.read, tenantId: w.a }] })).resolves.toEqual({
        authorized: true,
        results: [true],
      });
      const { session } = await app.sessions.current();
      expect(session).toMatchObject({ type: 'authorization', userId: w.user.userId, expiration: 86400 });
      expect(Date.parse(session.expiresAt) - Date.parse(session.createdAt)).toBe(86400_000);

      const other = await signedInUser(t.server);
      expect((await failure(app.check({ userId: other.user.userId, checks: [{ permission: w.read }] }))).code).toBe(
        'forbidden',
      );
      const forbiddenCalls = [
        () => app.users.list(),
        () => app.tenants.list(),
        () => app.sessions.list(),
        () => app.roles.get('admin'),
        () => app.auth.changePassword({ currentPassword: 'x', newPassword: 'yyyyyyyy' }),
      ];
      for (const call of forbiddenCalls) {
        const error = await failure(call());
        expect([error.status, error.code]).toEqual([403, 'forbidden']);
      }
      await expect(app.auth.signOut()).resolves.toEqual({ revoked: 1 });
      expect((await failure(app.sessions.current())).code).toBe('token_revoked');
    });

    it('answers the Warrant wire shape and ignores the fields Warrant sends that we do not use', async () => {
      const { user } = await signedInUser(t.server);
      const response = await fetch(`${t.server.url}/v1/sessions`, {
        method: 'POST',
        headers: { authorization: `ApiKey ${t.server.rootKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'sess',
          userId: user.userId,
          ttl: 60,
          context: { a: 1 },
          selfServiceStrategy: 'fgac',
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['expiresAt', 'token']);
      expect(Date.parse(body.expiresAt as string) - Date.now()).toBeLessThanOrEqual(60_000);
    });

    it('expires at its ttl however much it is used (no sliding)', async () => {
      const { user } = await signedInUser(t.server);
      const app = t.server.anon.withToken(
        await t.server.admin.sessions.createAuthorizationSession({ userId: user.userId, ttl: 3 }),
      );
      for (let i = 0; i < 2; i++) {
        await sleep(1000);
        await app.check({ checks: [{ permission: 'p' }] });
      }
      await sleep(1200);
      const error = await failure(app.check({ checks: [{ permission: 'p' }] }));
      expect([error.status, error.code]).toEqual([401, 'token_expired']);
    }, 10_000);

    it('ends with sign-out all of its user', async () => {
      const { user, client } = await signedInUser(t.server);
      const app = t.server.anon.withToken(
        await t.server.admin.sessions.createAuthorizationSession({ userId: user.userId }),
      );
      await client.auth.signOut({ all: true });
      expect((await failure(app.check({ checks: [{ permission: 'p' }] }))).code).toBe('token_revoked');
    });

    it('is minted by admins only, for existing users, within the ttl cap', async () => {
      const { user, client } = await signedInUser(t.server);
      expect((await failure(client.sessions.createAuthorizationSession({ userId: user.userId }))).code).toBe(
        'forbidden',
      );
      expect((await failure(t.server.anon.sessions.createAuthorizationSession({ userId: user.userId }))).code).toBe(
        'unauthorized',
      );
      const missing = await failure(t.server.admin.sessions.createAuthorizationSession({ userId: 'ghost' }));
      expect([missing.status, missing.details]).toEqual([404, { type: 'user', id: 'ghost' }]);
      const tooLong = await failure(
        t.server.admin.sessions.createAuthorizationSession({ userId: user.userId, ttl: 86401 }),
      );
      expect([tooLong.status, tooLong.details]).toEqual([400, { fields: { ttl: expect.any(String) } }]);
      const badType = await failure(
        t.server.admin.request('POST', 'v1/sessions', { body: { type: 'other', userId: user.userId } }),
      );
      expect(badType.status).toBe(400);
    });

    it('allows CORS, preflight included, for configured origins only', async () => {
      const preflight = (origin: string) =>
        fetch(`${t.server.url}/v1/check`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type',
          },
        });
      const allowed = await preflight('https://app.example.test');
      expect(allowed.status).toBeLessThan(300);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
      expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      const denied = await preflight('https://evil.example.test');
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();

      const simple = await fetch(`${t.server.url}/health`, { headers: { origin: 'https://evil.example.test' } });
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
