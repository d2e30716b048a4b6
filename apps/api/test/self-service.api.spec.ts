import { TesseraClient } from '@tessera/client';
import { SelfServiceCodeEntity } from '../src/client-sessions/self-service-code.entity.js';
import { describeEachDatabase, failure, signedInUser, sleep, useServer, type TestServer, uid } from './harness.js';

const REDIRECT = 'https://app.example.test/settings';

/**
 * A tenant whose dashboard user holds `billing-admin` (view-self-service-dashboard + manage-billing)
 * and a member; plus a bigger role `owner` the dashboard user does not fully hold.
 */
async function tenantWithDashboard(server: TestServer) {
  const tenant = await server.admin.tenants.create({ name: 'Dash' });
  const manageBilling = uid('manage-billing');
  const deleteTenant = uid('delete-tenant');
  const billingAdmin = uid('billing-admin');
  const owner = uid('owner');
  await server.admin.permissions.create({ permissionId: manageBilling });
  await server.admin.permissions.create({ permissionId: deleteTenant });
  await server.admin.roles.create({ roleId: billingAdmin, name: 'Billing admin' });
  await server.admin.roles.addPermission(billingAdmin, 'view-self-service-dashboard');
  await server.admin.roles.addPermission(billingAdmin, manageBilling);
  await server.admin.roles.create({ roleId: owner });
  await server.admin.roles.addPermission(owner, manageBilling);
  await server.admin.roles.addPermission(owner, deleteTenant);
  const dashUser = await signedInUser(server);
  const member = await signedInUser(server);
  await server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: dashUser.user.userId, roleId: billingAdmin });
  await server.admin.members.add(tenant.tenantId, member.user.userId);
  return { tenantId: tenant.tenantId, manageBilling, deleteTenant, billingAdmin, owner, dashUser, member };
}

function codeOf(url: string): string {
  return new URLSearchParams(new URL(url).hash.slice(1)).get('code')!;
}

describeEachDatabase('self-service dashboard sessions', (db) => {
  const t = useServer(db, { TESSERA_SELF_SERVICE_REDIRECT_ORIGINS: 'https://app.example.test' });

  async function open(w: Awaited<ReturnType<typeof tenantWithDashboard>>, redirectUrl: string | undefined = REDIRECT) {
    const url = await t.server.admin.sessions.createSelfServiceSession(
      { userId: w.dashUser.user.userId, tenantId: w.tenantId },
      redirectUrl,
    );
    const exchanged = await t.server.anon.selfService.exchange(codeOf(url));
    return { url, exchanged, dash: t.server.anon.withToken(exchanged.token) };
  }

  it('mints {token, url, expiresAt}: the url carries a one-time code in its fragment, never a token', async () => {
    const w = await tenantWithDashboard(t.server);
    const response = await fetch(`${t.server.url}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${t.server.rootKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'ssdash',
        userId: w.dashUser.user.userId,
        tenantId: w.tenantId,
        redirectUrl: REDIRECT,
        selfServiceStrategy: 'fgac',
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; url: string; expiresAt: string };
    const url = new URL(body.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${t.server.url}/self-service`);
    expect(url.search).toBe('');
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(fragment.get('redirectUrl')).toBe(REDIRECT);
    expect(url.hash).toContain(encodeURIComponent(REDIRECT));
    expect(body.url).not.toContain(body.token);
    expect(body.url).not.toContain(body.token.split('.')[2]);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(1800_000);
    // The backend's own token is a working self-service session too.
    await expect(t.server.anon.withToken(body.token).selfService.context()).resolves.toHaveProperty(
      'tenant.tenantId',
      w.tenantId,
    );
  });

  it('exchanges the code once: a second use is token_revoked, a made-up code unauthorized', async () => {
    const w = await tenantWithDashboard(t.server);
    const url = await t.server.admin.sessions.createSelfServiceSession(
      { userId: w.dashUser.user.userId, tenantId: w.tenantId },
      REDIRECT,
    );
    const first = await t.server.anon.selfService.exchange(codeOf(url));
    expect(first.redirectUrl).toBe(REDIRECT);
    expect(first.session).toMatchObject({ type: 'self_service', userId: w.dashUser.user.userId, tenantId: w.tenantId });
    const again = await failure(t.server.anon.selfService.exchange(codeOf(url)));
    expect([again.status, again.code]).toEqual([401, 'token_revoked']);
    const madeUp = await failure(t.server.anon.selfService.exchange('not-a-code'));
    expect([madeUp.status, madeUp.code]).toEqual([401, 'unauthorized']);
    const stored = JSON.stringify(await t.server.db.getRepository(SelfServiceCodeEntity).find());
    expect(stored).not.toContain(codeOf(url));
  });

  it('lets only one of many concurrent exchanges of one code win', async () => {
    const w = await tenantWithDashboard(t.server);
    const url = await t.server.admin.sessions.createSelfServiceSession({
      userId: w.dashUser.user.userId,
      tenantId: w.tenantId,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => t.server.anon.selfService.exchange(codeOf(url))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('expires the code after 60 seconds', async () => {
    const w = await tenantWithDashboard(t.server);
    const url = await t.server.admin.sessions.createSelfServiceSession({
      userId: w.dashUser.user.userId,
      tenantId: w.tenantId,
    });
    await t.server.db
      .getRepository(SelfServiceCodeEntity)
      .update({ userId: w.dashUser.user.userId }, { expiresAt: Date.now() - 1 });
    const error = await failure(t.server.anon.selfService.exchange(codeOf(url)));
    expect([error.status, error.code]).toEqual([401, 'token_expired']);
  });

  it('needs view-self-service-dashboard in that tenant (403 missing_permission)', async () => {
    const w = await tenantWithDashboard(t.server);
    const error = await failure(
      t.server.admin.sessions.createSelfServiceSession({ userId: w.member.user.userId, tenantId: w.tenantId }),
    );
    expect([error.status, error.code]).toEqual([403, 'missing_permission']);
    const other = await t.server.admin.tenants.create({ name: 'Not theirs' });
    const elsewhere = await failure(
      t.server.admin.sessions.createSelfServiceSession({ userId: w.dashUser.user.userId, tenantId: other.tenantId }),
    );
    expect(elsewhere.code).toBe('missing_permission');
  });

  it('refuses a redirectUrl outside the allowed origins, and unknown users or tenants', async () => {
    const w = await tenantWithDashboard(t.server);
    const evil = await failure(
      t.server.admin.sessions.createSelfServiceSession(
        { userId: w.dashUser.user.userId, tenantId: w.tenantId },
        'https://evil.example.test/',
      ),
    );
    expect([evil.status, evil.code, evil.details]).toEqual([
      400,
      'invalid_request',
      { fields: { redirectUrl: expect.any(String) } },
    ]);
    const notUrl = await failure(
      t.server.admin.sessions.createSelfServiceSession(
        { userId: w.dashUser.user.userId, tenantId: w.tenantId },
        'javascript:alert(1)',
      ),
    );
    expect(notUrl.status).toBe(400);
    expect(
      (await failure(t.server.admin.sessions.createSelfServiceSession({ userId: 'ghost', tenantId: w.tenantId })))
        .status,
    ).toBe(404);
    expect(
      (
        await failure(
          t.server.admin.sessions.createSelfServiceSession({ userId: w.dashUser.user.userId, tenantId: 'ghost' }),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await failure(
          t.server.admin.request('POST', 'v1/sessions', {
            body: { type: 'ssdash', userId: w.dashUser.user.userId, tenantId: w.tenantId, ttl: 3601 },
          }),
        )
      ).status,
    ).toBe(400);
  });

  it('shows context and members of its own tenant only', async () => {
    const w = await tenantWithDashboard(t.server);
    const { dash } = await open(w);
    const context = await dash.selfService.context();
    expect(context.tenant.tenantId).toBe(w.tenantId);
    expect(context.user.userId).toBe(w.dashUser.user.userId);
    expect(context.permissions).toEqual([w.manageBilling, 'view-self-service-dashboard'].sort());
    const assignable = context.assignableRoles.map((r) => r.roleId);
    expect(assignable).toContain(w.billingAdmin);
    // A role without permissions is assignable only by someone who holds it.
    expect(assignable).not.toContain('member');
    expect(assignable).not.toContain(w.owner);
    expect(assignable).not.toContain('admin');
    expect(assignable).not.toContain('super_admin');
    const members = await dash.selfService.members();
    expect(members.items.map((m) => m.user.userId).sort()).toEqual(
      [w.dashUser.user.userId, w.member.user.userId].sort(),
    );
  });

  it('grants and revokes within its limits; the check API reflects it; the actor is the dashboard user', async () => {
    const w = await tenantWithDashboard(t.server);
    const { dash } = await open(w);
    const target = w.member.user.userId;
    await dash.selfService.grantRole(target, w.billingAdmin);
    expect(
      (await t.server.admin.check({ userId: target, checks: [{ permission: w.manageBilling, tenantId: w.tenantId }] }))
        .authorized,
    ).toBe(true);
    await dash.selfService.grantPermission(target, w.manageBilling);
    await dash.selfService.revokeRole(target, w.billingAdmin);
    await dash.selfService.revokePermission(target, w.manageBilling);
    expect(
      (await t.server.admin.check({ userId: target, checks: [{ permission: w.manageBilling, tenantId: w.tenantId }] }))
        .authorized,
    ).toBe(false);

    const events = (await t.server.admin.admin.auditEvents({ userId: target, type: 'grant.added' })).items;
    expect(events[0]).toMatchObject({ actorUserId: w.dashUser.user.userId, actorApiKeyId: null, tenantId: w.tenantId });
  });

  it('never grants more than the dashboard user holds', async () => {
    const w = await tenantWithDashboard(t.server);
    const { dash } = await open(w);
    const target = w.member.user.userId;
    for (const call of [
      () => dash.selfService.grantRole(target, w.owner),
      () => dash.selfService.grantRole(target, 'admin'),
      () => dash.selfService.grantRole(target, 'super_admin'),
      () => dash.selfService.grantPermission(target, w.deleteTenant),
      () => dash.selfService.grantPermission(target, 'impersonate-users'),
    ]) {
      const error = await failure(call());
      expect([error.status, error.code]).toEqual([403, 'forbidden']);
    }
    const grants = (await t.server.admin.members.list(w.tenantId)).items.find((m) => m.user.userId === target)!;
    expect([grants.roles, grants.permissions]).toEqual([[], []]);
  });

  it('stays inside its tenant and can call nothing else', async () => {
    const w = await tenantWithDashboard(t.server);
    const { dash } = await open(w);
    const outsider = await signedInUser(t.server);
    const notMember = await failure(dash.selfService.grantRole(outsider.user.userId, 'member'));
    expect([notMember.status, notMember.code]).toEqual([404, 'not_found']);
    for (const call of [
      () => dash.users.list(),
      () => dash.check({ checks: [{ permission: 'x' }] }),
      () => dash.sessions.list(),
      () => dash.tenants.get(w.tenantId),
    ]) {
      expect((await failure(call())).code).toBe('forbidden');
    }
    await expect(dash.sessions.current()).resolves.toHaveProperty('session.type', 'self_service');
    // A user session cannot use the dashboard API either.
    expect((await failure(w.dashUser.client.selfService.context())).code).toBe('forbidden');
  });

  it('stops working when the dashboard user loses the permission, and with sign-out all', async () => {
    const w = await tenantWithDashboard(t.server);
    const { dash } = await open(w);
    await t.server.admin.grants.removeRole({
      tenantId: w.tenantId,
      userId: w.dashUser.user.userId,
      roleId: w.billingAdmin,
    });
    expect((await failure(dash.selfService.members())).code).toBe('missing_permission');
    await t.server.admin.grants.addRole({
      tenantId: w.tenantId,
      userId: w.dashUser.user.userId,
      roleId: w.billingAdmin,
    });
    await expect(dash.selfService.members()).resolves.toHaveProperty('items');
    await w.dashUser.client.auth.signOut({ all: true });
    expect((await failure(dash.selfService.members())).code).toBe('token_revoked');
  });

  it('has a fixed lifetime (no sliding)', async () => {
    const w = await tenantWithDashboard(t.server);
    const url = await t.server.admin.sessions.createSelfServiceSession({
      userId: w.dashUser.user.userId,
      tenantId: w.tenantId,
      ttl: 2,
    });
    const dash = new TesseraClient({
      baseUrl: t.server.url,
      token: (await t.server.anon.selfService.exchange(codeOf(url))).token,
    });
    await sleep(1000);
    await dash.selfService.context();
    await sleep(1200);
    expect((await failure(dash.selfService.context())).code).toBe('token_expired');
  }, 10_000);
});
