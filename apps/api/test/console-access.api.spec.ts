import { TesseraClient } from '@tessera/client';
import { AuditEventEntity } from '../src/audit/audit-event.entity.js';
import { SessionEntity } from '../src/sessions/session.entity.js';
import { UserEntity } from '../src/users/user.entity.js';
import {
  describeEachDatabase,
  failure,
  signedInUser,
  superAdmin,
  tenantWithAdmin,
  uid,
  uniqueEmail,
  useServer,
  type TestServer,
} from './harness.js';

const MAX = 600;

/** Emails of a list answer, for comparing who was found. */
const emails = (page: { items: { email: string | null }[] }) => page.items.map((u) => u.email);

async function actAs(server: TestServer, by: TesseraClient, userId: string) {
  const { token } = await by.admin.createSessionToken({ userId });
  return server.anon.withToken(token);
}

describeEachDatabase('the admin console: users search, access, may-I-impersonate, reasons', (db) => {
  const t = useServer(db, { TESSERA_IMPERSONATION_MAX_SECONDS: String(MAX) });

  describe('GET /v1/users search and filters', () => {
    it('finds users by part of their email or the start of their id, case-insensitively for emails', async () => {
      const tag = uid('find').toLowerCase();
      const a = await t.server.admin.users.create({ email: `ada.${tag}@example.test` });
      const b = await t.server.admin.users.create({ userId: `${tag}-grace`, email: uniqueEmail('grace') });
      await t.server.admin.users.create({ email: uniqueEmail('other') });
      expect(emails(await t.server.admin.users.list({ q: `ADA.${tag}`, limit: 100 }))).toEqual([a.email]);
      expect(emails(await t.server.admin.users.list({ q: tag, limit: 100 }))).toEqual([a.email, b.email]);
      expect((await t.server.admin.users.list({ q: `${tag}-gr` })).items.map((u) => u.userId)).toEqual([b.userId]);
      // LIKE's wildcards are plain characters in a search.
      expect((await t.server.admin.users.list({ q: '%' })).items).toEqual([]);
      expect((await t.server.admin.users.list({ q: '_' })).items).toEqual([]);
    });

    it('filters by disabled, super admin and second factor, and pages through the matches', async () => {
      const tag = uid('flags').toLowerCase();
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await t.server.admin.users.create({ email: `${tag}.${i}@example.test` }));
      await t.server.admin.admin.users.disable(made[0]!.userId);
      await t.server.admin.grants.addRole({ userId: made[1]!.userId, roleId: 'super_admin' });
      await t.server.db.getRepository(UserEntity).update({ id: made[2]!.userId }, { mfaEnabled: true });

      const list = (filters: object) => t.server.admin.users.list({ q: tag, limit: 100, ...filters });
      expect(emails(await list({ disabled: true }))).toEqual([made[0]!.email]);
      expect(emails(await list({ disabled: false }))).toEqual([made[1]!.email, made[2]!.email]);
      expect(emails(await list({ superAdmin: true }))).toEqual([made[1]!.email]);
      expect(emails(await list({ mfa: true }))).toEqual([made[2]!.email]);
      expect(emails(await list({ mfa: false, superAdmin: false }))).toEqual([made[0]!.email]);

      const first = await t.server.admin.users.list({ q: tag, limit: 2 });
      expect(emails(first)).toEqual([made[0]!.email, made[1]!.email]);
      const second = await t.server.admin.users.list({ q: tag, limit: 2, after: first.next! });
      expect([emails(second), second.next]).toEqual([[made[2]!.email], null]);
    });

    it('keeps the members of a tenant with tenantId', async () => {
      const { tenantId, admin, member } = await tenantWithAdmin(t.server);
      const page = await t.server.admin.users.list({ tenantId, limit: 100 });
      expect(page.items.map((u) => u.userId).sort()).toEqual([admin.user.userId, member.user.userId].sort());
    });

    it('answers a bad flag or an empty search with 400 invalid_request', async () => {
      for (const query of ['disabled=yes', 'q=', 'superAdmin=1', 'tenantId=a%20b']) {
        const response = await fetch(`${t.server.url}/v1/users?${query}`, {
          headers: { authorization: `ApiKey ${t.server.rootKey}` },
        });
        expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([400, 'invalid_request']);
      }
    });
  });

  describe('tenant admins read the members of their tenants only', () => {
    it('lists, reads and shows the tenants of their members, and nobody else', async () => {
      const { tenantId, admin, member } = await tenantWithAdmin(t.server);
      const elsewhere = await tenantWithAdmin(t.server);
      // The member also belongs to another tenant: the tenant admin sees only their own part.
      await t.server.admin.members.add(elsewhere.tenantId, member.user.userId);

      const listed = await admin.client.users.list({ limit: 100 });
      expect(listed.items.map((u) => u.userId).sort()).toEqual([admin.user.userId, member.user.userId].sort());
      expect((await admin.client.users.list({ tenantId: elsewhere.tenantId })).items).toEqual([]);
      expect(emails(await admin.client.users.list({ q: member.email }))).toEqual([member.email]);

      await expect(admin.client.users.get(member.user.userId)).resolves.toMatchObject({ email: member.email });
      const tenants = await admin.client.users.tenants(member.user.userId);
      expect(tenants).toEqual({ items: [expect.objectContaining({ roles: ['member'] })], next: null });
      expect(tenants.items[0]!.tenant.tenantId).toBe(tenantId);

      for (const outsider of [elsewhere.admin.user.userId, 'no-such-user']) {
        const error = await failure(admin.client.users.get(outsider));
        expect([error.status, error.code]).toEqual([404, 'not_found']);
        expect((await failure(admin.client.users.tenants(outsider))).code).toBe('not_found');
      }
      // Changing a user stays a super admin's.
      const write = await failure(admin.client.users.update(member.user.userId, { email: uniqueEmail() }));
      expect([write.status, write.code]).toEqual([403, 'forbidden']);
    });

    it('refuses a plain user and an impersonation session with 403 forbidden', async () => {
      const { member } = await tenantWithAdmin(t.server);
      const boss = await superAdmin(t.server);
      const acting = await actAs(t.server, boss.client, member.user.userId);
      for (const caller of [member.client, acting]) {
        const error = await failure(caller.users.list());
        expect([error.status, error.code]).toEqual([403, 'forbidden']);
        expect((await failure(caller.users.get(member.user.userId))).code).toBe('forbidden');
      }
    });
  });

  describe('GET /v1/admin/access', () => {
    it('tells a super admin, a tenant admin, a holder of impersonate-users and a plain user apart', async () => {
      const boss = await superAdmin(t.server);
      expect(await boss.client.admin.access()).toEqual({ superAdmin: true, tenants: [], impersonationMaxSeconds: MAX });

      const { tenantId, admin, member } = await tenantWithAdmin(t.server);
      expect(await admin.client.admin.access()).toEqual({
        superAdmin: false,
        tenants: [{ tenant: expect.objectContaining({ tenantId, name: 'Support' }), admin: true, impersonate: true }],
        impersonationMaxSeconds: MAX,
      });
      expect(await member.client.admin.access()).toEqual({
        superAdmin: false,
        tenants: [],
        impersonationMaxSeconds: MAX,
      });

      const support = await signedInUser(t.server);
      await t.server.admin.members.add(tenantId, support.user.userId);
      await t.server.admin.grants.addPermission({
        tenantId,
        userId: support.user.userId,
        permissionId: 'impersonate-users',
      });
      expect((await support.client.admin.access()).tenants).toEqual([
        { tenant: expect.objectContaining({ tenantId }), admin: false, impersonate: true },
      ]);
    });

    it('gives an impersonation session no console rights, even when its user has them', async () => {
      const boss = await superAdmin(t.server);
      const { admin } = await tenantWithAdmin(t.server);
      const acting = await actAs(t.server, boss.client, admin.user.userId);
      expect(await acting.admin.access()).toEqual({ superAdmin: false, tenants: [], impersonationMaxSeconds: MAX });
      expect((await failure(t.server.anon.admin.access())).code).toBe('unauthorized');
    });
  });

  describe('GET /v1/admin/users/:userId/impersonation', () => {
    it('answers as createSessionToken would, for super admins, tenant admins and plain users', async () => {
      const boss = await superAdmin(t.server);
      const otherBoss = await superAdmin(t.server);
      const { tenantId, admin, member } = await tenantWithAdmin(t.server);
      const fellow = await signedInUser(t.server);
      await t.server.admin.grants.addRole({ tenantId, userId: fellow.user.userId, roleId: 'admin' });
      const outsider = await signedInUser(t.server);
      const disabled = await signedInUser(t.server);
      await t.server.admin.members.add(tenantId, disabled.user.userId);
      await t.server.admin.admin.users.disable(disabled.user.userId);

      const cases: [TesseraClient, string, boolean][] = [
        [boss.client, member.user.userId, true],
        [boss.client, fellow.user.userId, true],
        [boss.client, otherBoss.user.userId, false],
        [boss.client, disabled.user.userId, false],
        [boss.client, 'no-such-user', false],
        [t.server.admin, member.user.userId, true],
        [admin.client, member.user.userId, true],
        [admin.client, fellow.user.userId, false],
        [admin.client, outsider.user.userId, false],
        [admin.client, admin.user.userId, false],
        [admin.client, 'no-such-user', false],
        [member.client, outsider.user.userId, false],
      ];
      for (const [caller, userId, allowed] of cases) {
        expect([userId, await caller.admin.mayImpersonate(userId)]).toEqual([userId, { allowed, maxSeconds: MAX }]);
        const started = await caller.admin.createSessionToken({ userId }).then(
          () => true,
          () => false,
        );
        expect([userId, started]).toEqual([userId, allowed]);
      }
    });

    it('refuses an impersonation session and an anonymous caller', async () => {
      const boss = await superAdmin(t.server);
      const { member } = await tenantWithAdmin(t.server);
      const acting = await actAs(t.server, boss.client, member.user.userId);
      const error = await failure(acting.admin.mayImpersonate(boss.user.userId));
      expect([error.status, error.code]).toEqual([403, 'forbidden']);
      expect((await failure(t.server.anon.admin.mayImpersonate(member.user.userId))).status).toBe(401);
    });
  });

  describe('DELETE /v1/admin/users/:userId/sessions/:sessionId', () => {
    it("ends one session of a user, audited, and leaves the user's others", async () => {
      const boss = await superAdmin(t.server);
      const first = await signedInUser(t.server);
      const second = await t.server.anon.auth.signIn({ email: first.email, password: 'correct horse battery staple' });
      await boss.client.admin.users.revokeSession(first.user.userId, first.session.id);
      expect((await failure(first.client.sessions.current())).code).toBe('token_revoked');
      const live = await t.server.admin.admin.users.sessions(first.user.userId);
      expect(live.items.map((s) => s.id)).toEqual(['session' in second ? second.session.id : '']);
      const [event] = (await t.server.admin.admin.auditEvents({ type: 'session.revoked', userId: first.user.userId }))
        .items;
      expect(event).toMatchObject({ actorUserId: boss.user.userId, sessionId: first.session.id });
    });

    it("answers 404 for an ended, unknown or another user's session, and 403 for a tenant admin", async () => {
      const { admin, member } = await tenantWithAdmin(t.server);
      const other = await signedInUser(t.server);
      const ended = await signedInUser(t.server);
      await ended.client.auth.signOut();
      for (const [userId, sessionId] of [
        [member.user.userId, other.session.id],
        [ended.user.userId, ended.session.id],
        [member.user.userId, '00000000-0000-4000-8000-000000000000'],
        ['no-such-user', member.session.id],
      ] as const) {
        const error = await failure(t.server.admin.admin.users.revokeSession(userId, sessionId));
        expect([error.status, error.code]).toEqual([404, 'not_found']);
      }
      const refused = await failure(admin.client.admin.users.revokeSession(member.user.userId, member.session.id));
      expect([refused.status, refused.code]).toEqual([403, 'forbidden']);
      await expect(other.client.sessions.current()).resolves.toBeDefined();
      await expect(member.client.sessions.current()).resolves.toBeDefined();
    });
  });

  describe('impersonation with a reason and a time limit', () => {
    it('records the reason in the audit event and ends the session at the time limit', async () => {
      const boss = await superAdmin(t.server);
      const { user } = await signedInUser(t.server);
      const before = Date.now();
      const { session } = await boss.client.admin.createSessionToken({
        userId: user.userId,
        lifetime: 120,
        expiration: 300,
        reason: '  Ticket 42: cannot see invoices ',
      });
      const absolute = Date.parse(session.absoluteExpiresAt);
      expect(absolute).toBeGreaterThanOrEqual(before + 119_000);
      expect(absolute).toBeLessThanOrEqual(Date.now() + 121_000);
      expect(session.expiresAt).toBe(session.absoluteExpiresAt);
      expect(session.expiration).toBe(120);

      const events = await t.server.db
        .getRepository(AuditEventEntity)
        .findBy({ type: 'impersonation.started', sessionId: session.id });
      expect(events).toHaveLength(1);
      expect(JSON.parse(String(events[0]!.details))).toEqual({
        via: 'super_admin',
        expiration: 120,
        lifetime: 120,
        reason: 'Ticket 42: cannot see invoices',
      });
      const listed = await t.server.admin.admin.auditEvents({ type: 'impersonation.started', userId: user.userId });
      expect(listed.items[0]?.details).toMatchObject({ reason: 'Ticket 42: cannot see invoices' });
    });

    it('caps the time limit at TESSERA_IMPERSONATION_MAX_SECONDS', async () => {
      const { user } = await signedInUser(t.server);
      const { session } = await t.server.admin.admin.createSessionToken({ userId: user.userId, lifetime: 86_400 });
      const row = await t.server.db.getRepository(SessionEntity).findOneByOrFail({ id: session.id });
      expect(row.absoluteExpiresAt - row.createdAt).toBe(MAX * 1000);
    });

    it('refuses an empty or over-long reason and a zero time limit with 400, and starts nothing', async () => {
      const { user } = await signedInUser(t.server);
      for (const body of [{ reason: '   ' }, { reason: 'x'.repeat(501) }, { lifetime: 0 }]) {
        const error = await failure(t.server.admin.admin.createSessionToken({ userId: user.userId, ...body }));
        expect([error.status, error.code]).toEqual([400, 'invalid_request']);
      }
      expect(
        await t.server.db.getRepository(SessionEntity).countBy({ userId: user.userId, type: 'impersonation' }),
      ).toBe(0);
    });
  });
});

describe('unknown pages', () => {
  const t = useServer('sqlite');
  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

  it('answers a browser with the app and status 404, so the app shows its not-found page', async () => {
    for (const path of ['/nope', '/console-x', '/a/b/c']) {
      const response = await fetch(`${t.server.url}${path}`, { headers: html });
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it('keeps the JSON 404 for API paths, for callers that want no HTML, and for other methods', async () => {
    const json = async (path: string, init: RequestInit) => {
      const response = await fetch(`${t.server.url}${path}`, init);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([
        path,
        404,
        'application/json; charset=utf-8',
      ]);
      expect(await response.json()).toEqual({
        code: 'not_found',
        message: 'No such route',
        details: { type: 'route' },
      });
    };
    for (const path of ['/v1/nope', '/v1/users/a/b', '/warrant/nope', '/tenant/x', '/health/x', '/docs/x', '/assets'])
      await json(path, { headers: html });
    await json('/nope', {});
    await json('/nope', { headers: { accept: 'application/json' } });
    await json('/nope', { method: 'POST', headers: html });
  });
});
