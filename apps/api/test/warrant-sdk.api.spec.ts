import { Query, WarrantClient, type ApiError } from '@warrantdev/warrant-node';
import { describeEachDatabase, signedInUser, useServer, uid } from './harness.js';

/** The SDK's error for a call that must fail. */
async function sdkError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected the SDK call to fail');
}

describeEachDatabase('the official Warrant Node SDK 3.4.0 against Tessera', (db) => {
  const t = useServer(db, { TESSERA_SELF_SERVICE_REDIRECT_ORIGINS: 'https://app.example.test' });
  let warrant: WarrantClient;

  beforeAll(() => {
    // The SDK keeps one process-wide configuration: this suite's server.
    warrant = new WarrantClient({ apiKey: t.server.rootKey, endpoint: `${t.server.url}/warrant` });
  });

  it('creates, gets, updates, lists and deletes users, one or a batch', async () => {
    const id = uid('u');
    const created = await warrant.User.create({ userId: id, email: `${id}@example.test` });
    expect(created).toMatchObject({ userId: id, email: `${id}@example.test` });
    expect((await warrant.User.get(id)).email).toBe(`${id}@example.test`);
    expect((await warrant.User.update(id, { email: `new-${id}@example.test` })).email).toBe(`new-${id}@example.test`);
    const batch = await warrant.User.batchCreate([
      { userId: uid('b') },
      { userId: uid('b'), email: `${uid('b')}@example.test` },
    ]);
    expect(batch).toHaveLength(2);
    const anonymous = await warrant.User.create();
    expect(anonymous.userId).toMatch(/^[0-9a-f-]{36}$/);
    const page1 = await warrant.User.listUsers({ limit: 2, page: 1 });
    const page2 = await warrant.User.listUsers({ limit: 2, page: 2 });
    expect(page1).toHaveLength(2);
    expect(page2.map((u) => u.userId)).not.toContain(page1[0]!.userId);
    await warrant.User.delete(id);
    const gone = await sdkError(warrant.User.get(id));
    expect([gone.name, gone.code]).toEqual(['NotFoundError', 'not_found']);
  });

  it('manages tenants and tenant users through warrants', async () => {
    const tenantId = uid('t');
    expect(await warrant.Tenant.create({ tenantId, name: 'Acme' })).toMatchObject({ tenantId, name: 'Acme' });
    expect((await warrant.Tenant.update(tenantId, { name: 'Acme Inc.' })).name).toBe('Acme Inc.');
    const userId = uid('u');
    await warrant.User.create({ userId });
    await warrant.User.assignUserToTenant(tenantId, userId, 'member');
    expect((await warrant.User.listUsersForTenant(tenantId)).map((u) => u.userId)).toEqual([userId]);
    expect((await warrant.Tenant.listTenantsForUser(userId)).map((x) => x.tenantId)).toEqual([tenantId]);
    await warrant.User.assignUserToTenant(tenantId, userId, 'admin');
    await warrant.User.assignUserToTenant(tenantId, userId, 'manager');
    expect(
      await t.server.admin.check({
        userId,
        checks: [
          { role: 'admin', tenantId },
          { role: 'manager', tenantId },
        ],
      }),
    ).toMatchObject({ authorized: true });
    const asTenant = (relation: string) =>
      warrant.Authorization.check({
        object: { objectType: 'tenant', objectId: tenantId },
        relation,
        subject: { objectType: 'user', objectId: userId },
      });
    expect([await asTenant('member'), await asTenant('manager'), await asTenant('admin')]).toEqual([true, true, true]);
    await warrant.User.removeUserFromTenant(tenantId, userId, 'manager');
    expect(await asTenant('manager')).toBe(false);
    await warrant.User.removeUserFromTenant(tenantId, userId, 'member');
    expect(await warrant.User.listUsersForTenant(tenantId)).toEqual([]);
    const batch = await warrant.Tenant.batchCreate([
      { tenantId: uid('t'), name: 'One' },
      { tenantId: uid('t'), name: 'Two' },
    ]);
    expect(batch.map((x) => x.name)).toEqual(['One', 'Two']);
    await warrant.Tenant.delete(tenantId);
    expect((await sdkError(warrant.Tenant.get(tenantId))).name).toBe('NotFoundError');
  });

  it('manages roles, permissions and their assignments; hasPermission sees role and direct grants', async () => {
    const roleId = uid('editor');
    const permissionId = uid('edit');
    const direct = uid('direct');
    expect(await warrant.Role.create({ roleId, name: 'Editor', description: 'Edits' })).toMatchObject({
      roleId,
      name: 'Editor',
      description: 'Edits',
    });
    await warrant.Permission.create({ permissionId, name: 'Edit' });
    await warrant.Permission.create({ permissionId: direct });
    expect((await warrant.Permission.update(permissionId, { description: 'Edit things' })).description).toBe(
      'Edit things',
    );
    expect((await warrant.Role.update(roleId, { name: 'Editors' })).name).toBe('Editors');
    await warrant.Permission.assignPermissionToRole(roleId, permissionId);
    expect((await warrant.Permission.listPermissionsForRole(roleId)).map((p) => p.permissionId)).toEqual([
      permissionId,
    ]);

    const userId = uid('u');
    const user = await warrant.User.create({ userId });
    expect(await user.hasPermission(permissionId)).toBe(false);
    await warrant.Role.assignRoleToUser(userId, roleId);
    expect((await warrant.Role.listRolesForUser(userId)).map((r) => r.roleId)).toEqual([roleId]);
    expect(await warrant.Authorization.hasPermission({ permissionId, subject: user })).toBe(true);
    expect(await user.hasPermission(direct)).toBe(false);
    await warrant.Permission.assignPermissionToUser(userId, direct);
    expect((await warrant.Permission.listPermissionsForUser(userId)).map((p) => p.permissionId)).toEqual([direct]);
    expect(await user.hasPermission(direct)).toBe(true);
    expect((await warrant.Role.get(roleId)).hasPermission).toBeDefined();
    expect(await (await warrant.Role.get(roleId)).hasPermission(permissionId)).toBe(true);

    await warrant.Role.removeRoleFromUser(userId, roleId);
    await warrant.Permission.removePermissionFromUser(userId, direct);
    expect(await user.hasPermission(permissionId)).toBe(false);
    expect(await user.hasPermission(direct)).toBe(false);
    await warrant.Permission.removePermissionFromRole(roleId, permissionId);
    await warrant.Role.delete(roleId);
    await warrant.Permission.delete(permissionId);
    expect((await sdkError(warrant.Role.get(roleId))).name).toBe('NotFoundError');
  });

  it('scopes a grant to a tenant with context {tenant} (Warrant policy), and checks with check/checkMany', async () => {
    const tenantId = uid('t');
    const other = uid('t');
    await warrant.Tenant.create({ tenantId, name: 'A' });
    await warrant.Tenant.create({ tenantId: other, name: 'B' });
    const permissionId = uid('approve');
    await warrant.Permission.create({ permissionId });
    const userId = uid('u');
    await warrant.User.create({ userId });
    await warrant.Warrant.create({
      object: { objectType: 'permission', objectId: permissionId },
      relation: 'member',
      subject: { objectType: 'user', objectId: userId },
      context: { tenant: tenantId },
    });
    const ask = (tenant: string) =>
      warrant.Authorization.check({
        object: { objectType: 'permission', objectId: permissionId },
        relation: 'member',
        subject: { objectType: 'user', objectId: userId },
        context: { tenant },
      });
    expect(await ask(tenantId)).toBe(true);
    expect(await ask(other)).toBe(false);
    const many = (op: 'anyOf' | 'allOf') =>
      warrant.Authorization.checkMany({
        op: op as never,
        warrants: [tenantId, other].map((tenant) => ({
          object: { objectType: 'permission', objectId: permissionId },
          relation: 'member',
          subject: { objectType: 'user', objectId: userId },
          context: { tenant },
        })),
      });
    expect(await many('anyOf')).toBe(true);
    expect(await many('allOf')).toBe(false);
    await warrant.Warrant.delete({
      object: { objectType: 'permission', objectId: permissionId },
      relation: 'member',
      subject: { objectType: 'user', objectId: userId },
      context: { tenant: tenantId },
    });
    expect(await ask(tenantId)).toBe(false);
  });

  it('manages pricing tiers and features; hasFeature answers for users, tenants and tiers', async () => {
    const tierId = uid('pro');
    const sso = uid('sso');
    const beta = uid('beta');
    expect(await warrant.PricingTier.create({ pricingTierId: tierId })).toMatchObject({ pricingTierId: tierId });
    expect(await warrant.Feature.create({ featureId: sso })).toMatchObject({ featureId: sso });
    await warrant.Feature.create({ featureId: beta });
    expect((await warrant.PricingTier.get(tierId)).pricingTierId).toBe(tierId);
    expect((await warrant.Feature.listFeatures({ limit: 1000 })).map((f) => f.featureId)).toEqual(
      expect.arrayContaining([sso, beta]),
    );
    expect((await warrant.PricingTier.listPricingTiers({ limit: 1000 })).map((p) => p.pricingTierId)).toContain(tierId);
    await warrant.Feature.assignFeatureToPricingTier(tierId, sso);
    expect((await warrant.Feature.listFeaturesForPricingTier(tierId)).map((f) => f.featureId)).toEqual([sso]);
    const tier = await warrant.PricingTier.get(tierId);
    expect(await tier.hasFeature(sso)).toBe(true);
    expect(await tier.hasFeature(beta)).toBe(false);

    const tenantId = uid('t');
    const tenant = await warrant.Tenant.create({ tenantId, name: 'Paying' });
    await warrant.PricingTier.assignPricingTierToTenant(tenantId, tierId);
    expect((await warrant.PricingTier.listPricingTiersForTenant(tenantId)).map((p) => p.pricingTierId)).toEqual([
      tierId,
    ]);
    expect(await tenant.hasFeature(sso)).toBe(true);
    await warrant.Feature.assignFeatureToTenant(tenantId, beta);
    expect((await warrant.Feature.listFeaturesForTenant(tenantId)).map((f) => f.featureId)).toEqual([beta]);
    expect(await tenant.hasFeature(beta)).toBe(true);

    const userId = uid('u');
    const user = await warrant.User.create({ userId });
    expect(await user.hasFeature(sso)).toBe(false);
    await warrant.PricingTier.assignPricingTierToUser(userId, tierId);
    expect((await warrant.PricingTier.listPricingTiersForUser(userId)).map((p) => p.pricingTierId)).toEqual([tierId]);
    expect(await warrant.Authorization.hasFeature({ featureId: sso, subject: user })).toBe(true);
    await warrant.Feature.assignFeatureToUser(userId, beta);
    expect((await warrant.Feature.listFeaturesForUser(userId)).map((f) => f.featureId)).toEqual([beta]);
    expect(await user.hasFeature(beta)).toBe(true);
    await warrant.Feature.removeFeatureFromUser(userId, beta);
    await warrant.PricingTier.removePricingTierFromUser(userId, tierId);
    expect(await user.hasFeature(sso)).toBe(false);
    expect(await user.hasFeature(beta)).toBe(false);

    await warrant.Feature.removeFeatureFromTenant(tenantId, beta);
    await warrant.PricingTier.removePricingTierFromTenant(tenantId, tierId);
    expect(await tenant.hasFeature(sso)).toBe(false);
    await warrant.Feature.removeFeatureFromPricingTier(tierId, sso);
    expect(await tier.hasFeature(sso)).toBe(false);
    await warrant.Feature.delete(sso);
    await warrant.PricingTier.delete(tierId);
    expect((await sdkError(warrant.Feature.get(sso))).name).toBe('NotFoundError');
  });

  it('queries the warrants of an object or a subject (Warrant.queryWarrants)', async () => {
    const tenantId = uid('t');
    const roleId = uid('r');
    const permissionId = uid('p');
    const userId = uid('u');
    await warrant.Tenant.create({ tenantId, name: 'Q' });
    await warrant.Role.create({ roleId });
    await warrant.Permission.create({ permissionId });
    await warrant.User.create({ userId });
    await warrant.User.assignUserToTenant(tenantId, userId, 'member');
    await warrant.Warrant.create({
      object: { objectType: 'role', objectId: roleId },
      relation: 'member',
      subject: { objectType: 'user', objectId: userId },
      context: { tenant: tenantId },
    });
    await warrant.Permission.assignPermissionToRole(roleId, permissionId);

    const ofUser = await warrant.Warrant.queryWarrants(
      Query.selectWarrants().where({ subject: { objectType: 'user', objectId: userId } }),
    );
    expect(ofUser).toEqual(
      expect.arrayContaining([
        {
          objectType: 'tenant',
          objectId: tenantId,
          relation: 'member',
          subject: { objectType: 'user', objectId: userId },
        },
        {
          objectType: 'role',
          objectId: roleId,
          relation: 'member',
          subject: { objectType: 'user', objectId: userId },
          context: { tenant: tenantId },
        },
      ]),
    );
    expect(ofUser).toHaveLength(2);
    const ofRole = await warrant.Warrant.queryWarrants(
      Query.selectWarrants()
        .for({ object: { objectType: 'role', objectId: roleId } })
        .where({ context: { tenant: tenantId } }),
    );
    expect(ofRole).toEqual([
      {
        objectType: 'role',
        objectId: roleId,
        relation: 'member',
        subject: { objectType: 'user', objectId: userId },
        context: { tenant: tenantId },
      },
    ]);
    const ofPermission = await warrant.Warrant.queryWarrants(
      Query.selectExplicitWarrants().for({ object: { objectType: 'permission', objectId: permissionId } }),
    );
    expect(ofPermission).toEqual([
      {
        objectType: 'permission',
        objectId: permissionId,
        relation: 'member',
        subject: { objectType: 'role', objectId: roleId },
      },
    ]);
    expect(
      await warrant.Warrant.queryWarrants(
        Query.selectWarrants().where({ subject: { objectType: 'user', objectId: userId } }),
        { limit: 1, page: 2 },
      ),
    ).toHaveLength(1);
    expect((await sdkError(warrant.Warrant.queryWarrants(Query.selectWarrants()))).name).toBe('InvalidParameterError');
  });

  it('mints sessions whose tokens are Tessera tokens that work', async () => {
    const { user } = await signedInUser(t.server);
    const token = await warrant.Session.createAuthorizationSession({ userId: user.userId });
    await expect(t.server.anon.withToken(token).sessions.current()).resolves.toMatchObject({
      session: { type: 'authorization', userId: user.userId },
    });

    const tenantId = uid('t');
    await warrant.Tenant.create({ tenantId, name: 'Dash' });
    await t.server.admin.grants.addRole({ tenantId, userId: user.userId, roleId: 'admin' });
    const url = await warrant.Session.createSelfServiceSession(
      { userId: user.userId, tenantId, selfServiceStrategy: 'rbac' as never },
      'https://app.example.test/back',
    );
    // The SDK hard-codes Warrant's dashboard host; the token in it is ours.
    const dashToken = new URL(url).pathname.slice(1);
    await expect(t.server.anon.withToken(dashToken).selfService.context()).resolves.toHaveProperty(
      'tenant.tenantId',
      tenantId,
    );
  });

  it('answers authorize for an authorization session only about its own user (403 for another)', async () => {
    const me = await signedInUser(t.server);
    const other = await signedInUser(t.server);
    const token = await t.server.admin.sessions.createAuthorizationSession({ userId: me.user.userId });
    const ask = (userId: string) =>
      fetch(`${t.server.url}/warrant/v2/authorize`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          warrants: [
            {
              objectType: 'role',
              objectId: 'member',
              relation: 'member',
              subject: { objectType: 'user', objectId: userId },
            },
          ],
        }),
      });
    const mine = await ask(me.user.userId);
    expect([mine.status, await mine.json()]).toEqual([200, { code: 403, result: 'Not Authorized' }]);
    const theirs = await ask(other.user.userId);
    expect([theirs.status, ((await theirs.json()) as { code: string }).code]).toEqual([403, 'forbidden']);
  });

  it('maps each error class to its cause', async () => {
    const id = uid('dup');
    await warrant.Role.create({ roleId: id });
    const duplicate = await sdkError(warrant.Role.create({ roleId: id }));
    expect([duplicate.name, duplicate.code]).toEqual(['DuplicateRecordError', 'duplicate_record']);
    const missing = await sdkError(warrant.Role.create({} as never));
    expect([missing.name, missing.code]).toEqual(['MissingRequiredParameterError', 'missing_required_parameter']);
    const invalid = await sdkError(warrant.Role.create({ roleId: 'has spaces' }));
    expect([invalid.name, invalid.code]).toEqual(['InvalidParameterError', 'invalid_parameter']);
    const unknownType = await sdkError(
      warrant.Warrant.create({
        object: { objectType: 'store', objectId: 's1' },
        relation: 'owner',
        subject: { objectType: 'user', objectId: 'u1' },
      }),
    );
    const featureViaWarrant = await sdkError(
      warrant.Warrant.create({
        object: { objectType: 'feature', objectId: 'f1' },
        relation: 'owner',
        subject: { objectType: 'user', objectId: 'u1' },
      }),
    );
    expect(featureViaWarrant.name).toBe('InvalidParameterError');
    expect([unknownType.name, unknownType.message]).toEqual([
      'InvalidParameterError',
      'Object type store is not modelled by Tessera',
    ]);
    const notFound = await sdkError(warrant.Permission.get('no-such-permission'));
    expect(notFound.name).toBe('NotFoundError');
    new WarrantClient({ apiKey: 'tsk_not_a_key', endpoint: `${t.server.url}/warrant` });
    try {
      const unauthorized = await sdkError(warrant.User.listUsers());
      expect([unauthorized.name, unauthorized.code]).toEqual(['UnauthorizedError', 'unauthorized']);
    } finally {
      warrant = new WarrantClient({ apiKey: t.server.rootKey, endpoint: `${t.server.url}/warrant` });
    }
  });
});
