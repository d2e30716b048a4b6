import { TenantRoleGrantEntity, MembershipEntity, RolePermissionEntity } from '../src/directory/directory.entity.js';
import { describeEachDatabase, failure, signedInUser, uniqueEmail, useServer, uid } from './harness.js';

describeEachDatabase('directory', (db) => {
  const t = useServer(db);

  it('has the built-in roles and permissions from the first start', async () => {
    const admin = await t.server.admin.roles.get('admin');
    expect(admin.permissions).toEqual(['impersonate-users', 'view-self-service-dashboard']);
    expect((await t.server.admin.roles.get('member')).permissions).toEqual([]);
    await expect(t.server.admin.permissions.get('view-self-service-dashboard')).resolves.toMatchObject({
      permissionId: 'view-self-service-dashboard',
    });
    await expect(t.server.admin.permissions.get('impersonate-users')).resolves.toMatchObject({
      permissionId: 'impersonate-users',
    });
    const error = await failure(t.server.admin.roles.delete('admin'));
    expect([error.status, error.code]).toEqual([403, 'forbidden']);
  });

  describe('users', () => {
    it('gets, updates and deletes a user; deleting ends their sessions and memberships', async () => {
      const { user, client } = await signedInUser(t.server);
      const tenant = await t.server.admin.tenants.create({ name: 'Acme' });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: user.userId, roleId: 'member' });
      await expect(t.server.admin.users.get(user.userId)).resolves.toEqual(user);

      const email = uniqueEmail('renamed');
      const updated = await t.server.admin.users.update(user.userId, { email, password: 'a different passphrase' });
      expect(updated.email).toBe(email);
      await expect(t.server.anon.auth.signIn({ email, password: 'a different passphrase' })).resolves.toHaveProperty(
        'token',
      );

      await t.server.admin.users.delete(user.userId);
      expect((await failure(t.server.admin.users.get(user.userId))).details).toEqual({ type: 'user', id: user.userId });
      expect((await failure(client.sessions.current())).code).toBe('token_revoked');
      expect(await t.server.db.getRepository(MembershipEntity).countBy({ userId: user.userId })).toBe(0);
      expect(await t.server.db.getRepository(TenantRoleGrantEntity).countBy({ userId: user.userId })).toBe(0);
      expect((await failure(t.server.admin.users.delete(user.userId))).status).toBe(404);
    });

    it('refuses an email another user has with 409', async () => {
      const a = await t.server.admin.users.create({ email: uniqueEmail() });
      const b = await t.server.admin.users.create({ email: uniqueEmail() });
      const error = await failure(t.server.admin.users.update(b.userId, { email: a.email! }));
      expect([error.status, error.code]).toEqual([409, 'duplicate_record']);
    });

    it('pages through users with no duplicates or gaps', async () => {
      const created = new Set<string>();
      for (let i = 0; i < 7; i++)
        created.add((await t.server.admin.users.create({ email: uniqueEmail('page') })).userId);
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await t.server.admin.users.list({ limit: 3, after });
        seen.push(...page.items.map((u) => u.userId));
        after = page.next ?? undefined;
      } while (after);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of created) expect(seen).toContain(id);
    });
  });

  describe('tenants', () => {
    it('creates, gets, renames, lists and deletes tenants', async () => {
      const tenantId = uid('tenant');
      const created = await t.server.admin.tenants.create({ tenantId, name: 'Initech' });
      expect(created).toMatchObject({ tenantId, name: 'Initech' });
      const dup = await failure(t.server.admin.tenants.create({ tenantId, name: 'Again' }));
      expect([dup.status, dup.code, dup.details]).toEqual([
        409,
        'duplicate_record',
        { field: 'tenantId', value: tenantId },
      ]);
      expect((await t.server.admin.tenants.update(tenantId, { name: 'Initrode' })).name).toBe('Initrode');
      await expect(t.server.admin.tenants.get(tenantId)).resolves.toMatchObject({ name: 'Initrode' });
      const generated = await t.server.admin.tenants.create({ name: 'No id given' });
      expect(generated.tenantId).toMatch(/^[0-9a-f-]{36}$/);
      await t.server.admin.tenants.delete(tenantId);
      const missing = await failure(t.server.admin.tenants.get(tenantId));
      expect([missing.status, missing.code, missing.details]).toEqual([
        404,
        'not_found',
        { type: 'tenant', id: tenantId },
      ]);
    });

    it('deleting a tenant removes its memberships and grants', async () => {
      const tenant = await t.server.admin.tenants.create({ name: 'Doomed' });
      const user = await t.server.admin.users.create({ email: uniqueEmail() });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: user.userId, roleId: 'admin' });
      await t.server.admin.tenants.delete(tenant.tenantId);
      expect(await t.server.db.getRepository(MembershipEntity).countBy({ tenantId: tenant.tenantId })).toBe(0);
      expect(await t.server.db.getRepository(TenantRoleGrantEntity).countBy({ tenantId: tenant.tenantId })).toBe(0);
    });

    it('refuses ids that break the id pattern with 400 naming the field', async () => {
      const error = await failure(t.server.admin.tenants.create({ tenantId: 'white space', name: 'x' }));
      expect([error.status, error.details]).toEqual([400, { fields: { tenantId: expect.any(String) } }]);
      const inPath = await failure(t.server.admin.tenants.get('a'.repeat(129)));
      expect([inPath.status, inPath.details]).toEqual([400, { fields: { tenantId: expect.any(String) } }]);
      const slash = await failure(t.server.admin.request('GET', 'v1/tenants/bad%20id'));
      expect(slash.status).toBe(400);
      // The longest valid id, made of characters that need percent-encoding, is a plain 404.
      const longest = '|'.repeat(128);
      expect((await failure(t.server.admin.tenants.get(longest))).details).toEqual({ type: 'tenant', id: longest });
    });
  });

  describe('roles and permissions', () => {
    it('creates roles and permissions, links them, and cascades deletes to their grants', async () => {
      const roleId = uid('editor');
      const permissionId = uid('edit-docs');
      const permission = await t.server.admin.permissions.create({ permissionId, name: 'Edit docs' });
      expect(permission).toMatchObject({ permissionId, name: 'Edit docs', description: null });
      const role = await t.server.admin.roles.create({ roleId, description: 'Edits things' });
      expect(role).toMatchObject({ roleId, name: null, description: 'Edits things', permissions: [] });
      await t.server.admin.roles.addPermission(roleId, permissionId);
      await t.server.admin.roles.addPermission(roleId, permissionId);
      expect((await t.server.admin.roles.get(roleId)).permissions).toEqual([permissionId]);
      expect((await t.server.admin.roles.update(roleId, { name: 'Editor' })).name).toBe('Editor');
      expect(
        (await t.server.admin.permissions.update(permissionId, { description: 'Change documents' })).description,
      ).toBe('Change documents');

      const dupRole = await failure(t.server.admin.roles.create({ roleId }));
      expect([dupRole.status, dupRole.code]).toEqual([409, 'duplicate_record']);
      const unknown = await failure(t.server.admin.roles.addPermission(roleId, 'no-such-permission'));
      expect([unknown.status, unknown.details]).toEqual([404, { type: 'permission', id: 'no-such-permission' }]);

      const tenant = await t.server.admin.tenants.create({ name: 'Cascade' });
      const user = await t.server.admin.users.create({ email: uniqueEmail() });
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: user.userId, roleId });
      await t.server.admin.grants.addPermission({ userId: user.userId, permissionId });

      await t.server.admin.permissions.delete(permissionId);
      expect(await t.server.db.getRepository(RolePermissionEntity).countBy({ permissionId })).toBe(0);
      expect((await t.server.admin.grants.global(user.userId)).permissions).toEqual([]);
      await t.server.admin.roles.delete(roleId);
      expect(await t.server.db.getRepository(TenantRoleGrantEntity).countBy({ roleId })).toBe(0);
      expect((await failure(t.server.admin.roles.get(roleId))).status).toBe(404);
    });

    it('lists roles with their permissions across pages', async () => {
      const page1 = await t.server.admin.roles.list({ limit: 2 });
      expect(page1.items).toHaveLength(2);
      expect(page1.next).not.toBeNull();
      const rest = await t.server.admin.roles.list({ limit: 100, after: page1.next! });
      const all = [...page1.items, ...rest.items].map((r) => r.roleId);
      expect(all).toEqual(expect.arrayContaining(['admin', 'member', 'super_admin']));
      expect(new Set(all).size).toBe(all.length);
    });
  });

  describe('members and grants', () => {
    it('adds members, lists them with their roles and permissions there, and removes them with their grants', async () => {
      const tenant = await t.server.admin.tenants.create({ name: 'Members' });
      const other = await t.server.admin.tenants.create({ name: 'Elsewhere' });
      const users = await Promise.all(
        [1, 2, 3].map(() => t.server.admin.users.create({ email: uniqueEmail('member') })),
      );
      const [a, b, c] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
      await t.server.admin.members.add(tenant.tenantId, a.userId);
      await t.server.admin.members.add(tenant.tenantId, a.userId);
      await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: b.userId, roleId: 'admin' });
      await t.server.admin.grants.addPermission({
        tenantId: tenant.tenantId,
        userId: c.userId,
        permissionId: 'impersonate-users',
      });
      await t.server.admin.grants.addRole({ tenantId: other.tenantId, userId: c.userId, roleId: 'member' });

      const seen = [];
      let after: string | undefined;
      do {
        const page = await t.server.admin.members.list(tenant.tenantId, { limit: 2, after });
        seen.push(...page.items);
        after = page.next ?? undefined;
      } while (after);
      expect(seen.map((m) => [m.user.userId, m.roles, m.permissions])).toEqual([
        [a.userId, [], []],
        [b.userId, ['admin'], []],
        [c.userId, [], ['impersonate-users']],
      ]);

      const cTenants = await t.server.admin.users.tenants(c.userId);
      expect(cTenants.items.map((m) => [m.tenant.tenantId, m.roles, m.permissions])).toEqual([
        [tenant.tenantId, [], ['impersonate-users']],
        [other.tenantId, ['member'], []],
      ]);

      await t.server.admin.members.remove(tenant.tenantId, b.userId);
      expect(
        await t.server.db.getRepository(TenantRoleGrantEntity).countBy({ tenantId: tenant.tenantId, userId: b.userId }),
      ).toBe(0);
      expect((await t.server.admin.members.list(tenant.tenantId)).items.map((m) => m.user.userId)).toEqual([
        a.userId,
        c.userId,
      ]);
    });

    it('answers unknown tenants, users, roles and permissions with 404 naming them', async () => {
      const tenant = await t.server.admin.tenants.create({ name: 'Known' });
      const user = await t.server.admin.users.create({ email: uniqueEmail() });
      const cases = [
        [() => t.server.admin.members.add('nope-tenant', user.userId), { type: 'tenant', id: 'nope-tenant' }],
        [() => t.server.admin.members.add(tenant.tenantId, 'nope-user'), { type: 'user', id: 'nope-user' }],
        [
          () => t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: user.userId, roleId: 'nope-role' }),
          { type: 'role', id: 'nope-role' },
        ],
        [
          () => t.server.admin.grants.addPermission({ userId: user.userId, permissionId: 'nope-perm' }),
          { type: 'permission', id: 'nope-perm' },
        ],
        [() => t.server.admin.members.list('nope-tenant'), { type: 'tenant', id: 'nope-tenant' }],
      ] as const;
      for (const [call, details] of cases) {
        const error = await failure(call());
        expect([error.status, error.code, error.details]).toEqual([404, 'not_found', details]);
      }
    });

    it('keeps super_admin global: granting it in a tenant is 400, globally it makes an admin', async () => {
      const tenant = await t.server.admin.tenants.create({ name: 'NoSupers' });
      const { user, client } = await signedInUser(t.server);
      const error = await failure(
        t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: user.userId, roleId: 'super_admin' }),
      );
      expect([error.status, error.code]).toEqual([400, 'invalid_request']);
      expect((await failure(client.users.list())).code).toBe('forbidden');
      await t.server.admin.grants.addRole({ userId: user.userId, roleId: 'super_admin' });
      await expect(client.users.list()).resolves.toHaveProperty('items');
      expect(await t.server.admin.grants.global(user.userId)).toEqual({ roles: ['super_admin'], permissions: [] });
      await t.server.admin.grants.removeRole({ userId: user.userId, roleId: 'super_admin' });
      expect((await failure(client.users.list())).code).toBe('forbidden');
    });

    it('leaves exactly one grant after concurrent identical grants', async () => {
      const tenant = await t.server.admin.tenants.create({ name: 'Race' });
      const user = await t.server.admin.users.create({ email: uniqueEmail() });
      await Promise.all(
        Array.from({ length: 8 }, () =>
          t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: user.userId, roleId: 'member' }),
        ),
      );
      expect(
        await t.server.db
          .getRepository(TenantRoleGrantEntity)
          .countBy({ tenantId: tenant.tenantId, userId: user.userId }),
      ).toBe(1);
      expect(
        await t.server.db.getRepository(MembershipEntity).countBy({ tenantId: tenant.tenantId, userId: user.userId }),
      ).toBe(1);
    });

    it('is for admins only (and tenant admins: a plain user administers no tenant)', async () => {
      const { client } = await signedInUser(t.server);
      await expect(client.tenants.list()).resolves.toEqual({ items: [], next: null });
      for (const call of [() => client.roles.list(), () => client.permissions.list(), () => client.members.list('x')]) {
        expect((await failure(call())).code).toBe('forbidden');
      }
    });
  });
});
