import jwt from 'jsonwebtoken';
import { TesseraClient } from '@tessera/client';
import { AuditEventEntity } from '../src/audit/audit-event.entity.js';
import { ApiKeyEntity } from '../src/api-keys/api-key.entity.js';
import { SessionEntity } from '../src/sessions/session.entity.js';
import {
  PASSWORD,
  describeEachDatabase,
  failure,
  signedInUser,
  uniqueEmail,
  superAdmin,
  tenantWithAdmin,
  useServer,
  sessionOf,
} from './harness.js';

describeEachDatabase('admin module', (db) => {
  const t = useServer(db, { TESSERA_IMPERSONATION_MAX_SECONDS: '600' });

  describe('impersonation', () => {
    it('lets a super admin act as a user: an impersonation session with the impersonator on record', async () => {
      const boss = await superAdmin(t.server);
      const { user } = await signedInUser(t.server);
      const { token, session } = await boss.client.admin.createSessionToken({ email: user.email! });
      expect(session).toMatchObject({ type: 'impersonation', userId: user.userId, impersonatorId: boss.user.userId });
      expect((jwt.decode(token) as { act: { sub: string } }).act).toEqual({ sub: boss.user.userId });
      const asUser = t.server.anon.withToken(token);
      await expect(asUser.sessions.current()).resolves.toMatchObject({ user: { userId: user.userId } });

      const events = await t.server.admin.admin.auditEvents({ type: 'impersonation.started', userId: user.userId });
      expect(events.items[0]).toMatchObject({
        actorUserId: boss.user.userId,
        userId: user.userId,
        sessionId: session.id,
        details: { via: 'super_admin' },
      });
    });

    it('lets an admin key act as a user by userId', async () => {
      const { user } = await signedInUser(t.server);
      const { session } = await t.server.admin.admin.createSessionToken({ userId: user.userId });
      expect(session.impersonatorId).toMatch(/^api-key:/);
    });

    it('refuses to impersonate a super admin, for anyone', async () => {
      const boss = await superAdmin(t.server);
      const other = await superAdmin(t.server);
      for (const caller of [t.server.admin, boss.client]) {
        const error = await failure(caller.admin.createSessionToken({ userId: other.user.userId }));
        expect([error.status, error.code]).toEqual([403, 'forbidden']);
      }
    });

    it('lets a tenant admin act as a member of their tenant', async () => {
      const { tenantId, admin, member } = await tenantWithAdmin(t.server);
      const { session } = await admin.client.admin.createSessionToken({ userId: member.user.userId });
      expect(session.impersonatorId).toBe(admin.user.userId);
      const events = await t.server.admin.admin.auditEvents({
        type: 'impersonation.started',
        userId: admin.user.userId,
      });
      expect(events.items[0]).toMatchObject({ tenantId, details: { via: 'tenant_admin' } });
    });

    it('refuses a tenant admin for a member of another tenant', async () => {
      const { admin } = await tenantWithAdmin(t.server);
      const elsewhere = await tenantWithAdmin(t.server);
      const error = await failure(admin.client.admin.createSessionToken({ userId: elsewhere.member.user.userId }));
      expect([error.status, error.code]).toEqual([403, 'forbidden']);
    });

    it('refuses a tenant admin for another tenant admin, even one holding impersonate-users elsewhere', async () => {
      const { tenantId, admin } = await tenantWithAdmin(t.server);
      const peer = await signedInUser(t.server);
      await t.server.admin.grants.addRole({ tenantId, userId: peer.user.userId, roleId: 'member' });
      const other = await t.server.admin.tenants.create({ name: 'Other' });
      await t.server.admin.grants.addPermission({
        tenantId: other.tenantId,
        userId: peer.user.userId,
        permissionId: 'impersonate-users',
      });
      const error = await failure(admin.client.admin.createSessionToken({ userId: peer.user.userId }));
      expect([error.status, error.code]).toEqual([403, 'forbidden']);
      const sameTenant = await tenantWithAdmin(t.server);
      await t.server.admin.grants.addRole({
        tenantId: sameTenant.tenantId,
        userId: admin.user.userId,
        roleId: 'member',
      });
      expect(
        (await failure(sameTenant.admin.client.admin.createSessionToken({ userId: admin.user.userId }))).code,
      ).toBe('forbidden');
    });

    it('refuses a plain user, a login key and no credentials', async () => {
      const { member } = await tenantWithAdmin(t.server);
      const victim = await signedInUser(t.server);
      expect((await failure(member.client.admin.createSessionToken({ userId: victim.user.userId }))).code).toBe(
        'forbidden',
      );
      const { secret } = await t.server.admin.admin.apiKeys.create({ name: 'login', roles: ['login'] });
      expect(
        (await failure(t.server.anon.withApiKey(secret).admin.createSessionToken({ userId: victim.user.userId }))).code,
      ).toBe('forbidden');
      expect((await failure(t.server.anon.admin.createSessionToken({ userId: victim.user.userId }))).code).toBe(
        'unauthorized',
      );
    });

    it('refuses chaining: an impersonation session cannot create another, nor sign out all', async () => {
      const boss = await superAdmin(t.server);
      const { user, client } = await signedInUser(t.server);
      const { token } = await boss.client.admin.createSessionToken({ userId: user.userId });
      const impersonating = t.server.anon.withToken(token);
      const chained = await failure(
        impersonating.admin.createSessionToken({ userId: (await signedInUser(t.server)).user.userId }),
      );
      expect([chained.status, chained.code]).toEqual([403, 'forbidden']);
      const all = await failure(impersonating.auth.signOut({ all: true }));
      expect([all.status, all.code]).toEqual([403, 'forbidden']);
      await expect(client.sessions.current()).resolves.toHaveProperty('session');
      await expect(impersonating.auth.signOut()).resolves.toEqual({ revoked: 1 });
      await expect(client.sessions.current()).resolves.toHaveProperty('session');
    });

    it('caps the lifetime at TESSERA_IMPERSONATION_MAX_SECONDS whatever expiration is asked', async () => {
      const { user } = await signedInUser(t.server);
      const { session } = await t.server.admin.admin.createSessionToken({
        userId: user.userId,
        expiration: 30 * 24 * 3600,
      });
      const created = Date.parse(session.createdAt);
      expect(Date.parse(session.absoluteExpiresAt) - created).toBe(600_000);
      expect(Date.parse(session.expiresAt) - created).toBeLessThanOrEqual(600_000);
      expect(session.expiration).toBe(600);
    });

    it('answers both or neither of email and userId with 400, unknown with 403 (as a forbidden target), disabled with 403', async () => {
      const { user } = await signedInUser(t.server);
      for (const body of [{ userId: user.userId, email: user.email! }, {}]) {
        const error = await failure(t.server.admin.admin.createSessionToken(body));
        expect([error.status, error.code]).toEqual([400, 'invalid_request']);
      }
      const unknown = await failure(t.server.admin.admin.createSessionToken({ email: 'nobody@nowhere.test' }));
      expect([unknown.status, unknown.code]).toEqual([403, 'forbidden']);
      await t.server.admin.admin.users.disable(user.userId);
      const disabled = await failure(t.server.admin.admin.createSessionToken({ userId: user.userId }));
      expect([disabled.status, disabled.code]).toEqual([403, 'user_disabled']);
    });
  });

  describe('API keys', () => {
    it('creates a key whose secret is shown once and stored only as a hash', async () => {
      const { apiKey, secret } = await t.server.admin.admin.apiKeys.create({ name: 'backend', roles: ['admin'] });
      expect(secret).toMatch(/^tsk_[A-Za-z0-9_-]{43}$/);
      expect(apiKey).toMatchObject({
        name: 'backend',
        roles: ['admin'],
        lastUsedAt: null,
        expiresAt: null,
        revokedAt: null,
      });
      const row = await t.server.db.getRepository(ApiKeyEntity).findOneByOrFail({ id: apiKey.id });
      expect(JSON.stringify(row)).not.toContain(secret);
      const listed = await t.server.admin.admin.apiKeys.list({ limit: 100 });
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(listed.items.find((k) => k.id === apiKey.id)).toEqual(apiKey);

      const backend = t.server.anon.withApiKey(secret);
      await expect(backend.users.list()).resolves.toHaveProperty('items');
      const used = (await t.server.admin.admin.apiKeys.list({ limit: 100 })).items.find((k) => k.id === apiKey.id)!;
      expect(used.lastUsedAt).not.toBeNull();
      // Bearer works too: a Bearer value that is not a JWT is looked up as a key.
      await expect(new TesseraClient({ baseUrl: t.server.url, token: secret }).users.list()).resolves.toHaveProperty(
        'items',
      );
    });

    it('fails a revoked key on its very next request', async () => {
      const { apiKey, secret } = await t.server.admin.admin.apiKeys.create({ name: 'short-lived', roles: ['admin'] });
      const backend = t.server.anon.withApiKey(secret);
      await backend.users.list();
      await t.server.admin.admin.apiKeys.revoke(apiKey.id);
      const error = await failure(backend.users.list());
      expect([error.status, error.code]).toEqual([401, 'unauthorized']);
      expect((await failure(t.server.admin.admin.apiKeys.revoke('00000000-0000-4000-8000-000000000000'))).status).toBe(
        404,
      );
    });

    it('lets a login key sign people in and do nothing else', async () => {
      const { secret } = await t.server.admin.admin.apiKeys.create({ name: 'login page', roles: ['login'] });
      const login = t.server.anon.withApiKey(secret);
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      await expect(login.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
      for (const call of [
        () => login.users.list(),
        () => login.admin.apiKeys.list(),
        () => login.check({ userId: 'x', checks: [{ permission: 'p' }] }),
      ]) {
        expect((await failure(call())).code).toBe('forbidden');
      }
      expect((await failure(login.auth.signOut())).code).toBe('not_a_person');
    });

    // A key in use is remembered between requests on exclusive SQLite (ApiKeyService.authenticate):
    // a change by hand, and an expiry that comes by the clock alone, still count on the next request.
    it('fails a key in use on its next request after a revocation by hand or its expiry', async () => {
      const revoked = await t.server.admin.admin.apiKeys.create({ name: 'by hand', roles: ['admin'] });
      const backend = t.server.anon.withApiKey(revoked.secret);
      await backend.users.list();
      await backend.users.list();
      await t.server.db.query(`UPDATE api_keys SET revoked_at = ${Date.now()} WHERE id = '${revoked.apiKey.id}'`);
      expect((await failure(backend.users.list())).code).toBe('unauthorized');

      const expiresAt = Date.now() + 1500;
      const expiring = await t.server.admin.admin.apiKeys.create({
        name: 'expiring',
        roles: ['admin'],
        expiresAt: new Date(expiresAt).toISOString(),
      });
      const shortLived = t.server.anon.withApiKey(expiring.secret);
      await shortLived.users.list();
      await shortLived.users.list();
      await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 50));
      expect((await failure(shortLived.users.list())).code).toBe('unauthorized');
    });

    it('honours expiresAt and refuses one in the past', async () => {
      const past = await failure(
        t.server.admin.admin.apiKeys.create({
          name: 'x',
          roles: ['admin'],
          expiresAt: new Date(Date.now() - 1000).toISOString(),
        }),
      );
      expect([past.status, past.details]).toEqual([400, { fields: { expiresAt: 'must be in the future' } }]);
      const { apiKey, secret } = await t.server.admin.admin.apiKeys.create({
        name: 'x',
        roles: ['admin'],
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      await t.server.db.getRepository(ApiKeyEntity).update({ id: apiKey.id }, { expiresAt: Date.now() - 1 });
      expect((await failure(t.server.anon.withApiKey(secret).users.list())).code).toBe('unauthorized');
    });

    it('refuses roles other than exactly one of admin or login', async () => {
      for (const roles of [[], ['root'], ['admin', 'login']]) {
        const error = await failure(
          t.server.admin.request('POST', 'v1/admin/api-keys', { body: { name: 'x', roles } }),
        );
        expect(error.status).toBe(400);
      }
    });
  });

  describe('user administration', () => {
    it("lists and ends a user's sessions", async () => {
      const email = uniqueEmail();
      const user = await t.server.admin.users.create({ email, password: PASSWORD });
      const tokens = await Promise.all(
        [1, 2].map(async () => (await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }))).token),
      );
      const listed = await t.server.admin.admin.users.sessions(user.userId);
      expect(listed.items).toHaveLength(2);
      expect(listed.items.every((s) => !s.current)).toBe(true);
      await expect(t.server.admin.admin.users.revokeSessions(user.userId)).resolves.toEqual({ revoked: 2 });
      for (const token of tokens)
        expect((await failure(t.server.anon.withToken(token).sessions.current())).code).toBe('token_revoked');
      expect((await failure(t.server.admin.admin.users.sessions('ghost'))).status).toBe(404);
    });

    it('disables a user, ending every session at once, then enables them', async () => {
      const { user, email, client } = await signedInUser(t.server);
      const app = t.server.anon.withToken(
        await t.server.admin.sessions.createAuthorizationSession({ userId: user.userId }),
      );
      const disabled = await t.server.admin.admin.users.disable(user.userId);
      expect(disabled.disabled).toBe(true);
      const rows = await t.server.db.getRepository(SessionEntity).findBy({ userId: user.userId });
      expect(rows.length).toBe(2);
      expect(rows.every((r) => r.revokedAt !== null)).toBe(true);
      expect((await failure(client.sessions.current())).code).toBe('token_revoked');
      expect((await failure(app.check({ checks: [{ permission: 'p' }] }))).code).toBe('token_revoked');
      expect((await failure(t.server.anon.auth.signIn({ email, password: 'wrong password' }))).code).toBe(
        'invalid_credentials',
      );
      expect((await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('user_disabled');
      const event = (await t.server.admin.admin.auditEvents({ type: 'user.disabled', userId: user.userId })).items[0];
      expect(event?.details).toEqual({ revokedSessions: 2 });

      expect((await t.server.admin.admin.users.enable(user.userId)).disabled).toBe(false);
      await expect(t.server.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
    });

    it('is for admins only', async () => {
      const { user, client } = await signedInUser(t.server);
      expect((await failure(client.admin.users.disable(user.userId))).code).toBe('forbidden');
      expect((await failure(client.admin.auditEvents())).code).toBe('forbidden');
      expect((await failure(client.admin.apiKeys.create({ name: 'x', roles: ['admin'] }))).code).toBe('forbidden');
    });
  });

  describe('audit log', () => {
    it('records each action with actor, subject, session, ip and user agent, newest first', async () => {
      const email = uniqueEmail();
      const user = await t.server.admin.users.create({ email, password: PASSWORD });
      await failure(t.server.anon.auth.signIn({ email, password: 'wrong password' }));
      const { token, session } = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      const me = t.server.anon.withToken(token);
      await me.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'the next passphrase' });
      const tenant = await t.server.admin.tenants.create({ name: 'Audited' });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: user.userId, roleId: 'member' });
      await t.server.admin.grants.removeRole({ tenantId: tenant.tenantId, userId: user.userId, roleId: 'member' });
      await t.server.admin.sessions.createAuthorizationSession({ userId: user.userId });
      await me.auth.signOut();

      const events = (await t.server.admin.admin.auditEvents({ userId: user.userId, limit: 100 })).items;
      expect(events.map((e) => e.type)).toEqual([
        'sign_out',
        'client_session.created',
        'grant.removed',
        'grant.added',
        'password.changed',
        'sign_in.succeeded',
        'sign_in.failed',
        'user.created',
      ]);
      const byType = Object.fromEntries(events.map((e) => [e.type, e]));
      expect(byType['sign_in.succeeded']).toMatchObject({
        userId: user.userId,
        sessionId: session.id,
        ip: '127.0.0.1',
        actorUserId: null,
      });
      expect(byType['sign_in.failed']).toMatchObject({
        userId: user.userId,
        details: { reason: 'invalid_credentials', email },
      });
      expect(byType['password.changed']).toMatchObject({ actorUserId: user.userId, sessionId: session.id });
      expect(byType['grant.added']).toMatchObject({
        tenantId: tenant.tenantId,
        actorApiKeyId: expect.any(String),
        details: { roleId: 'member', scope: 'tenant' },
      });
      expect(byType['sign_out']).toMatchObject({ sessionId: session.id, details: { all: false, revoked: 1 } });
      for (const e of events) expect(Date.parse(e.at)).toBeGreaterThan(0);
    });

    it('filters by type and time and pages without duplicates', async () => {
      const since = new Date().toISOString();
      for (let i = 0; i < 5; i++)
        await failure(t.server.anon.auth.signIn({ email: uniqueEmail('ghost'), password: 'x' }));
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await t.server.admin.admin.auditEvents({ type: 'sign_in.failed', from: since, limit: 2, after });
        seen.push(...page.items.map((e) => e.id));
        after = page.next ?? undefined;
      } while (after);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      expect(new Set(seen).size).toBe(seen.length);
      const none = await t.server.admin.admin.auditEvents({ to: '2000-01-01T00:00:00.000Z' });
      expect(none.items).toEqual([]);
      expect(
        (await failure(t.server.admin.request('GET', 'v1/admin/audit-events', { query: { type: 'made.up' } }))).status,
      ).toBe(400);
    });

    it('never holds a token, key secret or password', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const { token } = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      await failure(t.server.anon.auth.signIn({ email, password: 'a guessed password' }));
      const { secret } = await t.server.admin.admin.apiKeys.create({ name: 'scan me', roles: ['admin'] });
      const impersonation = await t.server.admin.admin.createSessionToken({ email });
      const sess = await t.server.admin.sessions.createAuthorizationSession({ userId: impersonation.session.userId });
      await t.server.anon
        .withToken(token)
        .auth.changePassword({ currentPassword: PASSWORD, newPassword: 'brand new passphrase' });
      const dump = JSON.stringify(await t.server.db.getRepository(AuditEventEntity).find());
      for (const value of [
        token,
        impersonation.token,
        sess,
        secret,
        t.server.rootKey,
        PASSWORD,
        'a guessed password',
        'brand new passphrase',
      ]) {
        expect(dump).not.toContain(value);
      }
      const signature = (s: string) => s.split('.')[2]!;
      expect(dump).not.toContain(signature(token));
    });
  });
});
