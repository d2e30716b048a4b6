import { TesseraClient } from '@tessera/client';
import { SessionEntity } from '../src/sessions/session.entity.js';
import {
  PASSWORD,
  describeEachDatabase,
  failure,
  signedInUser,
  sleep,
  uniqueEmail,
  useServer,
  type TestServer,
  uid,
  superAdmin,
  tenantWithAdmin,
  sessionOf,
} from './harness.js';

/** Acts as `userId` through `by`; resolves to a client holding the impersonation token. */
async function actAs(server: TestServer, by: TesseraClient, userId: string) {
  const { token, session } = await by.admin.createSessionToken({ userId });
  return { client: server.anon.withToken(token), session };
}

async function expectRevoked(client: TesseraClient) {
  const error = await failure(client.sessions.current());
  expect([error.status, error.code]).toEqual([401, 'token_revoked']);
}

/** The whole answer of a refused call: status and body, to compare refusals byte for byte. */
async function refusal(server: TestServer, token: string, body: unknown) {
  const response = await fetch(`${server.url}/v1/admin/session-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}

describeEachDatabase('security rules', (db) => {
  const t = useServer(db, { TESSERA_IMPERSONATION_MAX_SECONDS: '600' });

  describe('a deleted user', () => {
    it('leaves every kind of session dead, even when the id is used again', async () => {
      const userId = uid('reused');
      const email = uniqueEmail();
      await t.server.admin.users.create({ userId, email, password: PASSWORD });
      const tenant = await t.server.admin.tenants.create({ name: 'Dash' });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId, roleId: 'admin' });
      const own = t.server.anon.withToken(
        (await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }))).token,
      );
      const impersonated = (await actAs(t.server, t.server.admin, userId)).client;
      const sess = t.server.anon.withToken(await t.server.admin.sessions.createAuthorizationSession({ userId }));
      const dashUrl = await t.server.admin.sessions.createSelfServiceSession({ userId, tenantId: tenant.tenantId });
      const code = new URLSearchParams(new URL(dashUrl).hash.slice(1)).get('code')!;

      await t.server.admin.users.delete(userId);
      const rows = await t.server.db.getRepository(SessionEntity).findBy({ userId });
      expect(rows.length).toBe(4);
      expect(rows.every((s) => s.revokedAt !== null)).toBe(true);

      // Someone else is given the same id (and the same tenant admin role).
      await t.server.admin.users.create({ userId, email: uniqueEmail(), password: PASSWORD });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId, roleId: 'admin' });
      for (const client of [own, impersonated, sess]) await expectRevoked(client);
      const exchange = await failure(t.server.anon.selfService.exchange(code));
      expect([exchange.status, exchange.code]).toEqual([401, 'unauthorized']);
      const events = await t.server.admin.admin.auditEvents({ userId, type: 'user.deleted' });
      expect(events.items[0]).toMatchObject({ actorApiKeyId: expect.any(String), details: { revokedSessions: 4 } });
    });

    it('through Warrant is the same deletion', async () => {
      const userId = uid('warrant-reused');
      const email = uniqueEmail();
      await t.server.admin.users.create({ userId, email, password: PASSWORD });
      const own = t.server.anon.withToken(
        (await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }))).token,
      );
      const response = await fetch(`${t.server.url}/warrant/v1/users/${userId}`, {
        method: 'DELETE',
        headers: { authorization: `ApiKey ${t.server.rootKey}` },
      });
      expect(response.status).toBe(200);
      await t.server.admin.users.create({ userId, email: uniqueEmail(), password: PASSWORD });
      await expectRevoked(own);
    });

    it('is never authenticated by a session older than the user, however the row went', async () => {
      const userId = uid('raw');
      const email = uniqueEmail();
      await t.server.admin.users.create({ userId, email, password: PASSWORD });
      const own = t.server.anon.withToken(
        (await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }))).token,
      );
      // Deleted behind the service's back: the session row is still live.
      await t.server.db.query(
        db === 'postgres' ? 'DELETE FROM users WHERE id = $1' : 'DELETE FROM users WHERE id = ?',
        [userId],
      );
      await sleep(5);
      await t.server.admin.users.create({ userId, email, password: PASSWORD });
      await expectRevoked(own);
    });
  });

  describe('a session authorized before a sign-out everywhere', () => {
    it('ends a sign-in whose password check began before the sign-out, however long the check took', async () => {
      const u = await signedInUser(t.server);
      // Unknown emails keep the password hashing busy, so the next sign-in reads the user, then waits.
      const busy = Array.from({ length: 6 }, () =>
        t.server.anon.auth.signIn({ email: uniqueEmail('nobody'), password: PASSWORD }).catch(() => undefined),
      );
      const racing = sessionOf(t.server.anon.auth.signIn({ email: u.email, password: PASSWORD }));
      await sleep(50);
      await u.client.auth.signOut({ all: true });
      const { token } = await racing;
      await Promise.all(busy);
      await expectRevoked(t.server.anon.withToken(token));
    });

    it("ends a dashboard link's session when the user signed out everywhere after the link was made", async () => {
      const u = await signedInUser(t.server);
      const tenant = await t.server.admin.tenants.create({ name: 'Dash' });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: u.user.userId, roleId: 'admin' });
      const url = await t.server.admin.sessions.createSelfServiceSession({
        userId: u.user.userId,
        tenantId: tenant.tenantId,
      });
      await sleep(5);
      await u.client.auth.signOut({ all: true });
      const code = new URLSearchParams(new URL(url).hash.slice(1)).get('code')!;
      const { token } = await t.server.anon.selfService.exchange(code);
      await expectRevoked(t.server.anon.withToken(token));
    });
  });

  describe('an admin changing an account', () => {
    it("ends the user's sessions with a new password, and audits it and an email change", async () => {
      const u = await signedInUser(t.server);
      const newEmail = uniqueEmail('changed');
      await t.server.admin.users.update(u.user.userId, { email: newEmail });
      await expect(u.client.sessions.current()).resolves.toHaveProperty('user.email', newEmail);
      await t.server.admin.users.update(u.user.userId, { password: 'a whole new passphrase' });
      await expectRevoked(u.client);
      const events = (await t.server.admin.admin.auditEvents({ userId: u.user.userId })).items.map((e) => e.type);
      expect(events).toEqual(expect.arrayContaining(['email.changed', 'password.changed']));
      const changed = (await t.server.admin.admin.auditEvents({ userId: u.user.userId, type: 'password.changed' }))
        .items[0];
      expect(changed).toMatchObject({ actorApiKeyId: expect.any(String), details: { revokedSessions: 1 } });
    });
  });

  describe('impersonation is bound to its impersonator', () => {
    it('ends when the super admin signs out everywhere, is disabled, deleted or loses super_admin', async () => {
      const end: ((boss: Awaited<ReturnType<typeof superAdmin>>) => Promise<unknown>)[] = [
        (boss) => boss.client.auth.signOut({ all: true }),
        (boss) => t.server.admin.admin.users.disable(boss.user.userId),
        (boss) => t.server.admin.users.delete(boss.user.userId),
        (boss) => t.server.admin.grants.removeRole({ userId: boss.user.userId, roleId: 'super_admin' }),
      ];
      for (const change of end) {
        const boss = await superAdmin(t.server);
        const target = await signedInUser(t.server);
        const acting = (await actAs(t.server, boss.client, target.user.userId)).client;
        await expect(acting.sessions.current()).resolves.toHaveProperty('session.type', 'impersonation');
        await change(boss);
        await expectRevoked(acting);
        await expect(target.client.sessions.current()).resolves.toHaveProperty('session.type', 'user');
      }
    });

    it('ends when the impersonator changes their own password, unless told to keep other sessions', async () => {
      const boss = await superAdmin(t.server);
      const target = await signedInUser(t.server);
      const acting = (await actAs(t.server, boss.client, target.user.userId)).client;
      await expect(
        boss.client.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'a new passphrase for the boss' }),
      ).resolves.toEqual({ revoked: 1 });
      await expectRevoked(acting);
      await expect(boss.client.sessions.current()).resolves.toHaveProperty('session.type', 'user');
      await expect(target.client.sessions.current()).resolves.toHaveProperty('session.type', 'user');
    });

    it('stays ended when the right comes back', async () => {
      const boss = await superAdmin(t.server);
      const target = await signedInUser(t.server);
      const acting = (await actAs(t.server, boss.client, target.user.userId)).client;
      await t.server.admin.grants.removeRole({ userId: boss.user.userId, roleId: 'super_admin' });
      await expectRevoked(acting);
      await t.server.admin.grants.addRole({ userId: boss.user.userId, roleId: 'super_admin' });
      await expectRevoked(acting);
    });

    it('ends when a tenant admin loses impersonate-users there, or the target leaves the tenant', async () => {
      const a = await tenantWithAdmin(t.server);
      const acting = (await actAs(t.server, a.admin.client, a.member.user.userId)).client;
      await expect(acting.sessions.current()).resolves.toHaveProperty('session.tenantId', a.tenantId);
      await t.server.admin.grants.removeRole({ tenantId: a.tenantId, userId: a.admin.user.userId, roleId: 'admin' });
      await expectRevoked(acting);

      const b = await tenantWithAdmin(t.server);
      const acting2 = (await actAs(t.server, b.admin.client, b.member.user.userId)).client;
      await t.server.admin.members.remove(b.tenantId, b.member.user.userId);
      await expectRevoked(acting2);
    });

    it('ends when the target becomes a super admin, or (for a tenant admin) gets impersonate-users', async () => {
      const boss = await superAdmin(t.server);
      const target = await signedInUser(t.server);
      const acting = (await actAs(t.server, boss.client, target.user.userId)).client;
      await t.server.admin.grants.addRole({ userId: target.user.userId, roleId: 'super_admin' });
      await expectRevoked(acting);

      const a = await tenantWithAdmin(t.server);
      const other = await t.server.admin.tenants.create({ name: 'Elsewhere' });
      const acting2 = (await actAs(t.server, a.admin.client, a.member.user.userId)).client;
      await t.server.admin.grants.addPermission({
        tenantId: other.tenantId,
        userId: a.member.user.userId,
        permissionId: 'impersonate-users',
      });
      await expectRevoked(acting2);
    });

    it('ends when the admin key that started it is revoked or expires', async () => {
      const target = await signedInUser(t.server);
      const { apiKey, secret } = await t.server.admin.admin.apiKeys.create({ name: 'support', roles: ['admin'] });
      const keyClient = new TesseraClient({ baseUrl: t.server.url, apiKey: secret });
      const acting = (await actAs(t.server, keyClient, target.user.userId)).client;
      await expect(acting.sessions.current()).resolves.toHaveProperty('session.impersonatorId', `api-key:${apiKey.id}`);
      await t.server.admin.admin.apiKeys.revoke(apiKey.id);
      await expectRevoked(acting);

      const shortLived = await t.server.admin.admin.apiKeys.create({
        name: 'short',
        roles: ['admin'],
        expiresAt: new Date(Date.now() + 1500).toISOString(),
      });
      const acting2 = (
        await actAs(
          t.server,
          new TesseraClient({ baseUrl: t.server.url, apiKey: shortLived.secret }),
          target.user.userId,
        )
      ).client;
      await expect(acting2.sessions.current()).resolves.toHaveProperty('session.type', 'impersonation');
      await sleep(1600);
      await expectRevoked(acting2);
    });
  });

  describe("a tenant admin's impersonation is confined to the tenant", () => {
    it('answers checks for that tenant only; a super admin or key impersonation is not confined', async () => {
      const a = await tenantWithAdmin(t.server);
      const target = a.member.user.userId;
      const inside = uid('inside');
      const elsewhere = uid('elsewhere');
      const everywhere = uid('everywhere');
      for (const permissionId of [inside, elsewhere, everywhere])
        await t.server.admin.permissions.create({ permissionId });
      const other = await t.server.admin.tenants.create({ name: 'Other' });
      await t.server.admin.grants.addPermission({ tenantId: a.tenantId, userId: target, permissionId: inside });
      await t.server.admin.grants.addPermission({ tenantId: other.tenantId, userId: target, permissionId: elsewhere });
      await t.server.admin.grants.addPermission({ userId: target, permissionId: everywhere });
      const checks = [
        { permission: inside, tenantId: a.tenantId },
        { permission: elsewhere, tenantId: other.tenantId },
        { permission: everywhere, tenantId: a.tenantId },
        { permission: everywhere },
        { role: 'member', tenantId: a.tenantId },
      ];

      const confined = await actAs(t.server, a.admin.client, target);
      expect(confined.session.tenantId).toBe(a.tenantId);
      expect((await confined.client.check({ op: 'anyOf', checks })).results).toEqual([true, false, true, false, true]);
      const byKey = await actAs(t.server, t.server.admin, target);
      expect(byKey.session.tenantId ?? null).toBeNull();
      expect((await byKey.client.check({ op: 'anyOf', checks })).results).toEqual([true, true, true, true, true]);
    });
  });

  describe('user ids', () => {
    it('reserves the api-key: prefix, which names the API key behind an impersonation', async () => {
      const error = await failure(t.server.admin.users.create({ userId: 'api-key:x', email: uniqueEmail() }));
      expect([error.status, error.code]).toEqual([400, 'invalid_request']);
    });
  });

  describe('impersonation reveals no users', () => {
    it('answers an unknown target and a forbidden one alike, once the caller may impersonate', async () => {
      const a = await tenantWithAdmin(t.server);
      const boss = await superAdmin(t.server);
      const outsider = await signedInUser(t.server);
      const unknown = await refusal(t.server, a.admin.token, { userId: uid('nobody') });
      const unknownEmail = await refusal(t.server, a.admin.token, { email: uniqueEmail('nobody') });
      const superTarget = await refusal(t.server, a.admin.token, { userId: boss.user.userId });
      const notInTenant = await refusal(t.server, a.admin.token, { userId: outsider.user.userId });
      expect(unknown.status).toBe(403);
      expect(JSON.parse(unknown.body)).toMatchObject({ code: 'forbidden' });
      for (const answer of [unknownEmail, superTarget, notInTenant]) expect(answer).toEqual(unknown);

      // A super admin too: an unknown user and a super admin get the same 403.
      const bossUnknown = await refusal(t.server, boss.token, { userId: uid('nobody') });
      expect(await refusal(t.server, boss.token, { userId: (await superAdmin(t.server)).user.userId })).toEqual(
        bossUnknown,
      );
      expect(bossUnknown).toEqual(unknown);
    });

    it('refuses a caller who may impersonate nobody before looking anyone up', async () => {
      const plain = await signedInUser(t.server);
      const a = await tenantWithAdmin(t.server);
      const unknown = await refusal(t.server, plain.token, { userId: uid('nobody') });
      const known = await refusal(t.server, plain.token, { userId: a.member.user.userId });
      expect(unknown.status).toBe(403);
      expect(known).toEqual(unknown);
    });
  });

  describe('sessions an impersonator and a client session can end', () => {
    it("lets an impersonation see and end only itself, not the person's own sessions", async () => {
      const target = await signedInUser(t.server);
      const acting = await actAs(t.server, t.server.admin, target.user.userId);
      const listed = await acting.client.sessions.list();
      expect(listed.items.map((s) => s.id)).toEqual([acting.session.id]);
      const error = await failure(acting.client.sessions.revoke(target.session.id));
      expect([error.status, error.code]).toEqual([404, 'not_found']);
      await expect(target.client.sessions.current()).resolves.toHaveProperty('session.id', target.session.id);
      await acting.client.sessions.revoke(acting.session.id);
      await expectRevoked(acting.client);
    });

    it('lets sess and ssdash end themselves, not every session of the user', async () => {
      const u = await signedInUser(t.server);
      const tenant = await t.server.admin.tenants.create({ name: 'Dash' });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: u.user.userId, roleId: 'admin' });
      const sess = t.server.anon.withToken(
        await t.server.admin.sessions.createAuthorizationSession({ userId: u.user.userId }),
      );
      const dashUrl = await t.server.admin.sessions.createSelfServiceSession({
        userId: u.user.userId,
        tenantId: tenant.tenantId,
      });
      const code = new URLSearchParams(new URL(dashUrl).hash.slice(1)).get('code')!;
      const dash = t.server.anon.withToken((await t.server.anon.selfService.exchange(code)).token);
      for (const client of [sess, dash]) {
        const error = await failure(client.auth.signOut({ all: true }));
        expect([error.status, error.code]).toEqual([403, 'forbidden']);
      }
      await expect(u.client.sessions.current()).resolves.toHaveProperty('session.type', 'user');
      await expect(sess.auth.signOut()).resolves.toEqual({ revoked: 1 });
      await expectRevoked(sess);
      await expect(u.client.sessions.current()).resolves.toHaveProperty('session.type', 'user');
    });
  });

  describe('self-service never hands on a role the dashboard user does not hold', () => {
    it('refuses a role without permissions unless the dashboard user holds it', async () => {
      const tenant = await t.server.admin.tenants.create({ name: 'Dash' });
      const dashRole = uid('dash');
      const empty = uid('empty');
      await t.server.admin.roles.create({ roleId: dashRole });
      await t.server.admin.roles.addPermission(dashRole, 'view-self-service-dashboard');
      await t.server.admin.roles.create({ roleId: empty });
      const dashUser = await signedInUser(t.server);
      const member = await signedInUser(t.server);
      await t.server.admin.grants.addRole({
        tenantId: tenant.tenantId,
        userId: dashUser.user.userId,
        roleId: dashRole,
      });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: member.user.userId, roleId: 'member' });
      const url = await t.server.admin.sessions.createSelfServiceSession({
        userId: dashUser.user.userId,
        tenantId: tenant.tenantId,
      });
      const dash = t.server.anon.withToken(
        (await t.server.anon.selfService.exchange(new URLSearchParams(new URL(url).hash.slice(1)).get('code')!)).token,
      );

      const assignable = (await dash.selfService.context()).assignableRoles.map((r) => r.roleId);
      expect(assignable).toEqual([dashRole]);
      for (const call of [
        () => dash.selfService.grantRole(member.user.userId, empty),
        () => dash.selfService.grantRole(member.user.userId, 'manager'),
        () => dash.selfService.revokeRole(member.user.userId, 'member'),
      ]) {
        const error = await failure(call());
        expect([error.status, error.code]).toEqual([403, 'forbidden']);
      }
      const held = (await t.server.admin.members.list(tenant.tenantId)).items.find(
        (m) => m.user.userId === member.user.userId,
      )!;
      expect(held.roles).toEqual(['member']);

      // Holding the empty role is what lets one hand it on.
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: dashUser.user.userId, roleId: empty });
      await dash.selfService.grantRole(member.user.userId, empty);
      await dash.selfService.revokeRole(member.user.userId, empty);
    });
  });
});
