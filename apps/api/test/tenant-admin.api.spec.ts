import { AuditEventEntity } from '../src/audit/audit-event.entity.js';
import {
  MembershipEntity,
  TenantPermissionGrantEntity,
  TenantRoleGrantEntity,
} from '../src/directory/directory.entity.js';
import { describeEachDatabase, failure, signedInUser, superAdmin, tenantWithAdmin, uid, useServer } from './harness.js';

describeEachDatabase('tenant admins manage their own tenants', (db) => {
  const t = useServer(db);
  const roleRows = (tenantId: string, userId: string) =>
    t.server.db.getRepository(TenantRoleGrantEntity).findBy({ tenantId, userId });
  const expectForbidden = async (call: Promise<unknown>) => {
    const error = await failure(call);
    expect([error.status, error.code]).toEqual([403, 'forbidden']);
    return error;
  };

  it('lists only the tenants they administer; a plain user sees none; an admin sees all', async () => {
    const { tenantId, admin, member } = await tenantWithAdmin(t.server);
    const other = await t.server.admin.tenants.create({ name: 'Someone else' });
    await t.server.admin.grants.addRole({ tenantId: other.tenantId, userId: admin.user.userId, roleId: 'member' });

    const mine = await admin.client.tenants.list({ limit: 100 });
    expect(mine.items.map((x) => x.tenantId)).toEqual([tenantId]);
    expect(mine.next).toBeNull();
    await expect(member.client.tenants.list()).resolves.toEqual({ items: [], next: null });
    const boss = await superAdmin(t.server);
    const all: string[] = [];
    let after: string | undefined;
    do {
      const page = await boss.client.tenants.list({ limit: 100, after });
      all.push(...page.items.map((x) => x.tenantId));
      after = page.next ?? undefined;
    } while (after);
    expect(all).toEqual(expect.arrayContaining([tenantId, other.tenantId]));
  });

  it('reads their tenant and its members; any other tenant, known or not, is the same 403', async () => {
    const { tenantId, admin, member } = await tenantWithAdmin(t.server);
    await expect(admin.client.tenants.get(tenantId)).resolves.toMatchObject({ tenantId, name: 'Support' });
    const members = await admin.client.members.list(tenantId);
    expect(members.items.map((m) => [m.user.userId, m.roles]).sort()).toEqual(
      [
        [admin.user.userId, ['admin']],
        [member.user.userId, ['member']],
      ].sort(),
    );
    const other = await t.server.admin.tenants.create({ name: 'Other' });
    const known = await expectForbidden(admin.client.tenants.get(other.tenantId));
    const unknown = await expectForbidden(admin.client.tenants.get(uid('nowhere')));
    expect(unknown.message).toBe(known.message);
    await expectForbidden(admin.client.members.list(other.tenantId));
    await expectForbidden(member.client.tenants.get(tenantId));
    await expectForbidden(member.client.members.list(tenantId));
    // Admins still get 404 for a tenant that does not exist.
    expect((await failure(t.server.admin.tenants.get(uid('nowhere')))).status).toBe(404);
  });

  it('offers in the pickers only what they hold; an admin is offered everything but super_admin', async () => {
    const { tenantId, admin } = await tenantWithAdmin(t.server);
    const offered = await admin.client.tenants.assignable(tenantId);
    expect(offered.roles.map((r) => r.roleId)).toEqual(['admin']);
    expect(offered.roles[0]!.permissions).toEqual(['impersonate-users', 'view-self-service-dashboard']);
    expect(offered.permissions.map((p) => p.permissionId)).toEqual([
      'impersonate-users',
      'view-self-service-dashboard',
    ]);

    const everything = await t.server.admin.tenants.assignable(tenantId);
    const roles = everything.roles.map((r) => r.roleId);
    expect(roles).toEqual(expect.arrayContaining(['admin', 'manager', 'member']));
    expect(roles).not.toContain('super_admin');
    expect((await failure(t.server.admin.tenants.assignable(uid('nowhere')))).status).toBe(404);
    await expectForbidden(
      admin.client.tenants.assignable((await t.server.admin.tenants.create({ name: 'X' })).tenantId),
    );
  });

  it('grants and revokes only what they hold themselves, audited as theirs', async () => {
    const { tenantId, admin, member } = await tenantWithAdmin(t.server);
    const secret = uid('secret');
    await t.server.admin.permissions.create({ permissionId: secret });

    await admin.client.grants.addRole({ tenantId, userId: member.user.userId, roleId: 'admin' });
    expect((await roleRows(tenantId, member.user.userId)).map((g) => g.roleId).sort()).toEqual(['admin', 'member']);
    const events = await t.server.db
      .getRepository(AuditEventEntity)
      .findBy({ type: 'grant.added', userId: member.user.userId, tenantId });
    expect(events.map((e) => e.actorUserId)).toContain(admin.user.userId);
    await admin.client.grants.removeRole({ tenantId, userId: member.user.userId, roleId: 'admin' });
    await admin.client.grants.addPermission({
      tenantId,
      userId: member.user.userId,
      permissionId: 'view-self-service-dashboard',
    });

    for (const call of [
      admin.client.grants.addRole({ tenantId, userId: member.user.userId, roleId: 'manager' }),
      admin.client.grants.removeRole({ tenantId, userId: member.user.userId, roleId: 'member' }),
      admin.client.grants.addRole({ tenantId, userId: member.user.userId, roleId: 'super_admin' }),
      admin.client.grants.addPermission({ tenantId, userId: member.user.userId, permissionId: secret }),
      admin.client.grants.addRole({ tenantId, userId: member.user.userId, roleId: uid('unknown') }),
    ]) {
      await expectForbidden(call);
    }
    expect((await roleRows(tenantId, member.user.userId)).map((g) => g.roleId)).toEqual(['member']);
    const permissions = await t.server.db
      .getRepository(TenantPermissionGrantEntity)
      .findBy({ tenantId, userId: member.user.userId });
    expect(permissions.map((g) => g.permissionId)).toEqual(['view-self-service-dashboard']);
    // Nothing in another tenant.
    const other = await t.server.admin.tenants.create({ name: 'Other' });
    await expectForbidden(
      admin.client.grants.addRole({ tenantId: other.tenantId, userId: member.user.userId, roleId: 'admin' }),
    );
    expect(await t.server.db.getRepository(MembershipEntity).countBy({ tenantId: other.tenantId })).toBe(0);
  });

  it('adds only people from a tenant they administer, and removes only members holding what they hold', async () => {
    const { tenantId, admin, member } = await tenantWithAdmin(t.server);
    const second = await t.server.admin.tenants.create({ name: 'Second' });
    await t.server.admin.grants.addRole({ tenantId: second.tenantId, userId: admin.user.userId, roleId: 'admin' });
    const colleague = await signedInUser(t.server);
    await t.server.admin.members.add(second.tenantId, colleague.user.userId);
    const stranger = await signedInUser(t.server);

    await admin.client.members.add(tenantId, colleague.user.userId);
    expect(
      await t.server.db.getRepository(MembershipEntity).existsBy({ tenantId, userId: colleague.user.userId }),
    ).toBe(true);
    const known = await expectForbidden(admin.client.members.add(tenantId, stranger.user.userId));
    const unknown = await expectForbidden(admin.client.members.add(tenantId, uid('nobody')));
    expect(unknown.message).toBe(known.message);
    expect(await t.server.db.getRepository(MembershipEntity).countBy({ userId: stranger.user.userId })).toBe(0);

    // `member` is a role the tenant admin does not hold: removing its holder would revoke it.
    await expectForbidden(admin.client.members.remove(tenantId, member.user.userId));
    expect(await t.server.db.getRepository(MembershipEntity).existsBy({ tenantId, userId: member.user.userId })).toBe(
      true,
    );
    await admin.client.grants.addPermission({
      tenantId,
      userId: colleague.user.userId,
      permissionId: 'impersonate-users',
    });
    await admin.client.members.remove(tenantId, colleague.user.userId);
    expect(
      await t.server.db.getRepository(MembershipEntity).existsBy({ tenantId, userId: colleague.user.userId }),
    ).toBe(false);
    const removed = await t.server.db
      .getRepository(AuditEventEntity)
      .findOneByOrFail({ type: 'member.removed', userId: colleague.user.userId, tenantId });
    expect([removed.actorUserId, JSON.parse(removed.details!)]).toEqual([
      admin.user.userId,
      { roles: [], permissions: ['impersonate-users'] },
    ]);
  });

  it('keeps catalog, pricing, entitlements, API keys and the audit log for admins; impersonations manage nothing', async () => {
    const { tenantId, admin, member } = await tenantWithAdmin(t.server);
    for (const call of [
      admin.client.tenants.create({ name: 'Mine' }),
      admin.client.tenants.update(tenantId, { name: 'Renamed' }),
      admin.client.tenants.delete(tenantId),
      admin.client.entitlements.of({ tenantId }),
      admin.client.roles.create({ roleId: uid('role') }),
      admin.client.roles.list(),
      admin.client.pricingTiers.list(),
      admin.client.admin.apiKeys.list(),
      admin.client.admin.auditEvents(),
    ]) {
      await expectForbidden(call);
    }
    await expect(t.server.admin.tenants.get(tenantId)).resolves.toMatchObject({ name: 'Support' });

    const boss = await superAdmin(t.server);
    const acting = t.server.anon.withToken(
      (await boss.client.admin.createSessionToken({ userId: admin.user.userId })).token,
    );
    await expectForbidden(acting.tenants.get(tenantId));
    await expectForbidden(acting.grants.addRole({ tenantId, userId: member.user.userId, roleId: 'admin' }));
    await expect(acting.tenants.list()).rejects.toMatchObject({ status: 403 });
  });
});
