import { Query, WarrantClient, type ApiError } from '@warrantdev/warrant-node';
import { RoleEntity, TenantEntity, TenantPermissionGrantEntity } from '../src/directory/directory.entity.js';
import { PricingTierTierEntity } from '../src/entitlements/entitlement.entity.js';
import { describeEachDatabase, failure, useServer, uid } from './harness.js';

/** The SDK's error for a call that must fail. */
async function sdkError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected the SDK call to fail');
}

/** What /warrant answered; `body` holds the fields these tests read. */
interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown> & { code?: string; parameter?: string; userId?: string };
}

/**
 * Where /warrant answers as Warrant does (its public API specs and documented behaviour) beyond the
 * common SDK paths of warrant-sdk.api.spec.ts, and where it refuses instead of widening a grant.
 */
describeEachDatabase('Warrant fidelity of /warrant', (db) => {
  const t = useServer(db);
  let warrant: WarrantClient;

  beforeAll(() => {
    warrant = new WarrantClient({ apiKey: t.server.rootKey, endpoint: `${t.server.url}/warrant` });
  });

  /** A request to /warrant with the root key: the status, the body as sent, and its JSON ({} when empty). */
  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${t.server.url}/warrant/${path}`, {
      method,
      headers: {
        authorization: `ApiKey ${t.server.rootKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, body: text === '' ? {} : (JSON.parse(text) as Answer['body']) };
  }

  /** Status and body of an answer, for comparing whole answers. */
  const shown = ({ status, body }: Answer) => ({ status, body });

  const roleWarrant = (roleId: string, userId: string, context?: Record<string, string>) => ({
    objectType: 'role',
    objectId: roleId,
    relation: 'member',
    subject: { objectType: 'user', objectId: userId },
    ...(context ? { context } : {}),
  });

  describe('never widens a grant', () => {
    it('refuses a warrant whose context has a key other than tenant, naming it, and writes nothing', async () => {
      const [tenantId, roleId, userId] = [uid('t'), uid('r'), uid('u')];
      const refused = await call(
        'POST',
        'v1/warrants',
        roleWarrant(roleId, userId, { tenant: tenantId, organization: 'o' }),
      );
      expect(shown(refused)).toEqual({
        status: 400,
        body: {
          code: 'invalid_parameter',
          parameter: 'context.organization',
          message: 'context key organization is not supported: Tessera scopes by tenant only',
        },
      });
      // Nothing was created on the way: not the tenant, not the role.
      expect(await t.server.db.getRepository(TenantEntity).existsBy({ id: tenantId })).toBe(false);
      expect(await t.server.db.getRepository(RoleEntity).existsBy({ id: roleId })).toBe(false);
      const sdk = await sdkError(
        warrant.Warrant.create({
          object: { objectType: 'role', objectId: roleId },
          relation: 'member',
          subject: { objectType: 'user', objectId: userId },
          context: { tenant: tenantId, organization: 'o' },
        }),
      );
      expect([sdk.name, sdk.code]).toEqual(['InvalidParameterError', 'invalid_parameter']);
    });

    it('refuses a check whose context has a key other than tenant, instead of answering for the tenant', async () => {
      const [tenantId, permissionId] = [uid('t'), uid('p')];
      const userId = uid('u');
      await warrant.Warrant.create({
        object: { objectType: 'permission', objectId: permissionId },
        relation: 'member',
        subject: { objectType: 'user', objectId: userId },
        context: { tenant: tenantId },
      });
      const check = (context: Record<string, string>) =>
        warrant.Authorization.check({
          object: { objectType: 'permission', objectId: permissionId },
          relation: 'member',
          subject: { objectType: 'user', objectId: userId },
          context,
        });
      expect(await check({ tenant: tenantId })).toBe(true);
      const refused = await sdkError(check({ tenant: tenantId, organization: 'o' }));
      expect([refused.name, refused.code]).toEqual(['InvalidParameterError', 'invalid_parameter']);
      const http = await call('POST', 'v2/authorize', {
        warrants: [
          { ...roleWarrant(permissionId, userId, { tenant: tenantId, region: 'eu' }), objectType: 'permission' },
        ],
      });
      expect([http.status, http.body.code, http.body.parameter]).toEqual([
        400,
        'invalid_parameter',
        'warrants.0.context.region',
      ]);
    });
  });

  describe('creates what a warrant names on first use, and takes it away with the last warrant naming it', () => {
    it('a grant in a tenant that does not exist yet creates the tenant (name null), the user and the role', async () => {
      const [tenantId, other, roleId, permissionId, userId] = [uid('t'), uid('t'), uid('r'), uid('p'), uid('u')];
      await warrant.Permission.create({ permissionId });
      await warrant.Role.create({ roleId });
      await warrant.Permission.assignPermissionToRole(roleId, permissionId);
      const created = await call('POST', 'v1/warrants', roleWarrant(roleId, userId, { tenant: tenantId }));
      expect(shown(created)).toEqual({ status: 200, body: roleWarrant(roleId, userId, { tenant: tenantId }) });
      expect(await warrant.Tenant.get(tenantId)).toMatchObject({ tenantId, name: null });
      expect(await t.server.admin.tenants.get(tenantId)).toMatchObject({ tenantId, name: null });
      expect((await warrant.User.get(userId)).email).toBeNull();
      const check = (tenant: string) =>
        warrant.Authorization.check({
          object: { objectType: 'permission', objectId: permissionId },
          relation: 'member',
          subject: { objectType: 'user', objectId: userId },
          context: { tenant },
        });
      expect([await check(tenantId), await check(other)]).toEqual([true, false]);

      const [newRole, newUser] = [uid('r'), uid('u')];
      await warrant.Warrant.create({
        object: { objectType: 'role', objectId: newRole },
        relation: 'member',
        subject: { objectType: 'user', objectId: newUser },
      });
      expect((await warrant.Role.get(newRole)).roleId).toBe(newRole);
      expect((await warrant.Role.listRolesForUser(newUser)).map((r) => r.roleId)).toEqual([newRole]);
    });

    it('a warrant refused for its shape creates nothing it names', async () => {
      const [tenantId, roleId, userId] = [uid('t'), uid('r'), uid('u')];
      const group = await call('POST', 'v1/warrants', {
        objectType: 'role',
        objectId: roleId,
        relation: 'member',
        subject: { objectType: 'group', objectId: 'g1' },
        context: { tenant: tenantId },
      });
      expect([group.status, group.body.code, group.body.parameter]).toEqual([
        400,
        'invalid_parameter',
        'subject.objectType',
      ]);
      const unknownRole = await call('POST', 'v1/warrants', {
        objectType: 'tenant',
        objectId: tenantId,
        relation: uid('no-such-role'),
        subject: { objectType: 'user', objectId: userId },
      });
      expect([unknownRole.status, unknownRole.body.code]).toEqual([404, 'not_found']);
      expect(await t.server.db.getRepository(RoleEntity).existsBy({ id: roleId })).toBe(false);
      expect(await t.server.db.getRepository(TenantEntity).existsBy({ id: tenantId })).toBe(false);
      expect((await call('GET', `v1/users/${userId}`)).status).toBe(404);
    });

    it('the last warrant naming what a warrant created takes it away; what was made otherwise stays', async () => {
      const [tenantId, kept, keptRole, roleId, userId] = [uid('t'), uid('u'), uid('r'), uid('r'), uid('u')];
      await warrant.User.create({ userId: kept, email: `${kept}@example.com` });
      await warrant.Role.create({ roleId: keptRole });
      // kept and keptRole were created on their own; tenantId, roleId, userId and kept's membership by warrants.
      await call('POST', 'v1/warrants', roleWarrant(keptRole, kept, { tenant: tenantId }));
      await call('POST', 'v1/warrants', roleWarrant(roleId, userId, { tenant: tenantId }));
      const members = async () => (await warrant.Tenant.get(tenantId).then((x) => x.listUsers())).map((u) => u.userId);
      expect((await members()).sort()).toEqual([kept, userId].sort());

      expect((await call('DELETE', 'v1/warrants', roleWarrant(keptRole, kept, { tenant: tenantId }))).status).toBe(200);
      expect((await warrant.User.get(kept)).email).toBe(`${kept}@example.com`);
      expect((await warrant.Role.get(keptRole)).roleId).toBe(keptRole);
      expect(await members()).toEqual([userId]); // the membership only the grant needed went with it

      expect((await call('DELETE', 'v1/warrants', roleWarrant(roleId, userId, { tenant: tenantId }))).status).toBe(200);
      for (const path of [`v1/users/${userId}`, `v1/roles/${roleId}`, `v1/tenants/${tenantId}`])
        expect([path, (await call('GET', path)).status]).toEqual([path, 404]);
      expect((await call('GET', `v1/users/${kept}`)).status).toBe(200);
      expect((await call('GET', `v1/roles/${keptRole}`)).status).toBe(200);
    });

    it('what was given a name, its own membership or a new life since is not taken away', async () => {
      const [named, namedUser, tenantId, memberRole, member, again, againRole] = [
        uid('r'),
        uid('u'),
        uid('t'),
        uid('r'),
        uid('u'),
        uid('u'),
        uid('r'),
      ];
      // Named since: the role stays, the user nothing else kept goes.
      await call('POST', 'v1/warrants', roleWarrant(named, namedUser));
      await call('PUT', `v1/roles/${named}`, { name: 'Kept' });
      await call('DELETE', 'v1/warrants', roleWarrant(named, namedUser));
      expect((await warrant.Role.get(named)).name).toBe('Kept');
      expect((await call('GET', `v1/users/${namedUser}`)).status).toBe(404);

      // A membership asked for by its own warrant outlives the grant that first needed it.
      const membership = {
        objectType: 'tenant',
        objectId: tenantId,
        relation: 'member',
        subject: { objectType: 'user', objectId: member },
      };
      await call('POST', 'v1/warrants', roleWarrant(memberRole, member, { tenant: tenantId }));
      await call('POST', 'v1/warrants', membership);
      await call('DELETE', 'v1/warrants', roleWarrant(memberRole, member, { tenant: tenantId }));
      expect((await warrant.Tenant.listTenantsForUser(member)).map((x) => x.tenantId)).toEqual([tenantId]);
      expect((await call('GET', `v1/roles/${memberRole}`)).status).toBe(404);
      await call('DELETE', 'v1/warrants', membership);
      expect((await call('GET', `v1/users/${member}`)).status).toBe(404);
      expect((await call('GET', `v1/tenants/${tenantId}`)).status).toBe(404);

      // A user a warrant created, deleted and made again on its own, is another user: it stays.
      await call('POST', 'v1/warrants', roleWarrant(againRole, again));
      await warrant.User.delete(again);
      await warrant.User.create({ userId: again });
      await call('POST', 'v1/warrants', roleWarrant(againRole, again));
      await call('DELETE', 'v1/warrants', roleWarrant(againRole, again));
      expect((await call('GET', `v1/users/${again}`)).status).toBe(200);
    });

    it('deleting a role through /warrant takes away the tenant and membership only its grant kept', async () => {
      const [tenantId, roleId, userId] = [uid('t'), uid('r'), uid('u')];
      await warrant.User.create({ userId, email: `${userId}@example.com` });
      await call('POST', 'v1/warrants', roleWarrant(roleId, userId, { tenant: tenantId }));
      expect((await call('DELETE', `v1/roles/${roleId}`)).status).toBe(200);
      expect((await call('GET', `v1/tenants/${tenantId}`)).status).toBe(404);
      expect(await warrant.Tenant.listTenantsForUser(userId)).toEqual([]);
      expect((await warrant.User.get(userId)).userId).toBe(userId);
    });

    it('deleting a warrant that does not exist is 404 and changes nothing', async () => {
      const [tenantId, roleId, userId] = [uid('t'), uid('r'), uid('u')];
      const missing = await sdkError(
        warrant.Warrant.delete({
          object: { objectType: 'role', objectId: roleId },
          relation: 'member',
          subject: { objectType: 'user', objectId: userId },
        }),
      );
      expect([missing.name, missing.code]).toEqual(['NotFoundError', 'not_found']);
      await call('POST', 'v1/warrants', roleWarrant(roleId, userId, { tenant: tenantId }));
      // The same warrant without its context is another warrant: still 404, the tenant grant stays.
      expect((await call('DELETE', 'v1/warrants', roleWarrant(roleId, userId))).status).toBe(404);
      expect(await t.server.admin.check({ userId, checks: [{ role: roleId, tenantId }] })).toMatchObject({
        authorized: true,
      });
      const deleted = await call('DELETE', 'v1/warrants', roleWarrant(roleId, userId, { tenant: tenantId }));
      expect([deleted.status, deleted.text]).toEqual([200, '']);
      expect(await t.server.admin.check({ userId, checks: [{ role: roleId, tenantId }] })).toMatchObject({
        authorized: false,
      });
      expect((await call('DELETE', 'v1/warrants', roleWarrant(roleId, userId, { tenant: tenantId }))).status).toBe(404);
    });
  });

  describe("a Warrant user's own admin, member and manager", () => {
    it('are theirs to create, update, assign, check and delete; never the built-ins of that name', async () => {
      const tenantId = uid('t');
      await warrant.Tenant.create({ tenantId });
      const userId = uid('u');
      const user = await warrant.User.create({ userId });
      await warrant.Permission.create({ permissionId: 'view-self-service-dashboard', name: 'Their own view' });
      expect(await warrant.Role.create({ roleId: 'admin', name: 'Admin', description: 'Theirs' })).toMatchObject({
        roleId: 'admin',
        name: 'Admin',
        description: 'Theirs',
      });
      await warrant.Role.create({ roleId: 'member' });
      await warrant.Role.create({ roleId: 'manager' });
      expect((await warrant.Role.update('admin', { name: 'Administrators' })).name).toBe('Administrators');
      await warrant.Permission.assignPermissionToRole('admin', 'view-self-service-dashboard');
      await warrant.Warrant.create({
        object: { objectType: 'role', objectId: 'admin' },
        relation: 'member',
        subject: { objectType: 'user', objectId: userId },
        context: { tenant: tenantId },
      });
      await warrant.Role.assignRoleToUser(userId, 'member');
      expect(
        await warrant.Authorization.hasPermission({
          permissionId: 'view-self-service-dashboard',
          subject: user,
          context: { tenant: tenantId },
        }),
      ).toBe(true);
      expect(
        await warrant.Authorization.check({
          object: { objectType: 'role', objectId: 'admin' },
          relation: 'member',
          subject: user,
          context: { tenant: tenantId },
        }),
      ).toBe(true);
      expect((await warrant.Role.listRolesForUser(userId)).map((r) => r.roleId)).toEqual(['member']);
      expect((await warrant.Permission.listPermissionsForRole('admin')).map((p) => p.permissionId)).toEqual([
        'view-self-service-dashboard',
      ]);

      // Tessera's built-ins are untouched and not granted: the user is no admin of the tenant.
      expect(
        await t.server.admin.check({
          userId,
          checks: [
            { role: 'admin', tenantId },
            { permission: 'view-self-service-dashboard', tenantId },
          ],
        }),
      ).toMatchObject({ results: [false, false] });
      expect(await t.server.admin.roles.get('admin')).toMatchObject({
        name: 'Admin',
        description: 'Tenant administrator',
      });
      expect(await t.server.admin.roles.get('warrant:admin')).toMatchObject({ name: 'Administrators' });
      // The /warrant lists show the user's own records, never Tessera's built-ins.
      const roles = (await warrant.Role.listRoles({ limit: 1000 })).map((r) => r.roleId);
      expect(roles.filter((r) => ['admin', 'member', 'manager', 'super_admin'].includes(r)).sort()).toEqual([
        'admin',
        'manager',
        'member',
      ]);
      const permissions = (await warrant.Permission.listPermissions({ limit: 1000 })).map((p) => p.permissionId);
      expect(permissions.filter((p) => p === 'view-self-service-dashboard' || p === 'impersonate-users')).toEqual([
        'view-self-service-dashboard',
      ]);
      // Warrant's own tenant relation admin stays Tessera's tenant admin role.
      await warrant.User.assignUserToTenant(tenantId, userId, 'admin');
      expect(await t.server.admin.check({ userId, checks: [{ role: 'admin', tenantId }] })).toMatchObject({
        authorized: true,
      });
      // The query names each once: their own role admin in the tenant, and the tenant relation admin.
      const ofUser = await warrant.Warrant.queryWarrants(
        Query.selectWarrants().where({ subject: { objectType: 'user', objectId: userId } }),
      );
      const shownAs = (type: string, relation: string) =>
        ofUser.filter((w) => w.objectType === type && w.relation === relation).map((w) => [w.objectId, w.context]);
      expect(shownAs('role', 'member')).toEqual(
        expect.arrayContaining([
          ['admin', { tenant: tenantId }],
          ['member', undefined],
        ]),
      );
      expect(shownAs('role', 'member')).toHaveLength(2);
      expect(shownAs('tenant', 'member')).toEqual([[tenantId, undefined]]);

      await warrant.Role.delete('admin');
      expect((await sdkError(warrant.Role.get('admin'))).name).toBe('NotFoundError');
      expect(await t.server.admin.roles.get('admin')).toMatchObject({ roleId: 'admin' });
      expect((await failure(t.server.admin.roles.delete('admin'))).code).toBe('forbidden');
      const reserved = await call('POST', 'v1/roles', { roleId: 'warrant:member' });
      expect([reserved.status, reserved.body.code, reserved.body.parameter]).toEqual([
        400,
        'invalid_parameter',
        'roleId',
      ]);
    });
  });

  describe('entitlements as Warrant has them', () => {
    it('a tier holds other tiers; hasFeature without a tenant sees the features of the tenants a user belongs to', async () => {
      const [free, enterprise, dashboard, analytics] = [uid('free'), uid('ent'), uid('dash'), uid('an')];
      const tier = await call('POST', 'v1/pricing-tiers', {
        pricingTierId: free,
        name: 'Free',
        description: 'The free tier',
      });
      expect(shown(tier)).toEqual({
        status: 200,
        body: { pricingTierId: free, name: 'Free', description: 'The free tier' },
      });
      await warrant.PricingTier.create({ pricingTierId: enterprise });
      expect(shown(await call('GET', `v1/pricing-tiers/${enterprise}`))).toEqual({
        status: 200,
        body: { pricingTierId: enterprise, name: null, description: null },
      });
      expect((await call('POST', `v1/pricing-tiers/${enterprise}`, { name: 'Enterprise' })).body.name).toBe(
        'Enterprise',
      );
      expect((await call('PUT', `v1/pricing-tiers/${enterprise}`, { description: 'Big' })).body).toEqual({
        pricingTierId: enterprise,
        name: 'Enterprise',
        description: 'Big',
      });
      await warrant.Feature.create({ featureId: dashboard });
      expect((await call('GET', `v1/features/${dashboard}`)).body).toEqual({
        featureId: dashboard,
        name: null,
        description: null,
      });
      expect((await call('PUT', `v1/features/${dashboard}`, { name: 'Dashboard' })).body.name).toBe('Dashboard');
      await call('POST', 'v1/features', { featureId: analytics, name: 'Analytics' });
      await warrant.Feature.assignFeatureToPricingTier(free, dashboard);
      await warrant.Feature.assignFeatureToPricingTier(enterprise, analytics);
      const includes = {
        object: { objectType: 'pricing-tier', objectId: free },
        relation: 'member',
        subject: { objectType: 'pricing-tier', objectId: enterprise },
      };
      await warrant.Warrant.create(includes);
      expect(await t.server.db.getRepository(PricingTierTierEntity).findBy({ pricingTierId: enterprise })).toEqual([
        { pricingTierId: enterprise, includedTierId: free },
      ]);

      const [tenantId, userId, outsider] = [uid('t'), uid('u'), uid('u')];
      const tenant = await warrant.Tenant.create({ tenantId });
      const user = await warrant.User.create({ userId });
      const stranger = await warrant.User.create({ userId: outsider });
      await warrant.User.assignUserToTenant(tenantId, userId, 'member');
      await warrant.PricingTier.assignPricingTierToTenant(tenantId, enterprise);
      expect(await tenant.hasFeature(dashboard)).toBe(true);
      expect(await (await warrant.PricingTier.get(enterprise)).hasFeature(dashboard)).toBe(true);
      expect(await (await warrant.PricingTier.get(free)).hasFeature(analytics)).toBe(false);
      expect([await user.hasFeature(dashboard), await user.hasFeature(analytics)]).toEqual([true, true]);
      expect(await stranger.hasFeature(dashboard)).toBe(false);
      // /v1 keeps its answer: a feature check without a tenant counts only the user's own features.
      expect(await t.server.admin.check({ userId, checks: [{ feature: dashboard }] })).toMatchObject({
        authorized: false,
      });
      expect(await t.server.admin.check({ userId, checks: [{ feature: dashboard, tenantId }] })).toMatchObject({
        authorized: true,
      });

      await warrant.Warrant.delete(includes);
      expect([await tenant.hasFeature(dashboard), await user.hasFeature(dashboard)]).toEqual([false, false]);
      expect(await user.hasFeature(analytics)).toBe(true);
      // A tier cannot include itself (longer cycles are harmless: a resolution visits a tier once).
      const loop = await call('POST', 'v1/warrants', {
        objectType: 'pricing-tier',
        objectId: free,
        relation: 'member',
        subject: { objectType: 'pricing-tier', objectId: free },
      });
      expect([loop.status, loop.body.code, loop.body.parameter]).toEqual([400, 'invalid_parameter', 'pricingTierId']);
    });
  });

  describe("Warrant's shapes", () => {
    it('tenants keep a missing name null and an empty one empty; email is any string or null', async () => {
      const [unnamed, empty] = [uid('t'), uid('t')];
      expect(shown(await call('POST', 'v1/tenants', { tenantId: unnamed }))).toEqual({
        status: 200,
        body: { tenantId: unnamed, name: null },
      });
      expect(shown(await call('POST', 'v1/tenants', { tenantId: empty, name: '' }))).toEqual({
        status: 200,
        body: { tenantId: empty, name: '' },
      });
      expect((await t.server.db.getRepository(TenantEntity).findOneByOrFail({ id: unnamed })).name).toBeNull();
      expect((await warrant.Tenant.update(unnamed, { name: 'Named' })).name).toBe('Named');
      const odd = await call('POST', 'v1/users', { email: 'not-an-email' });
      expect([odd.status, odd.body.email]).toEqual([200, 'not-an-email']);
      const none = await call('POST', 'v1/users', { userId: uid('u'), email: null });
      expect([none.status, none.body.email]).toEqual([200, null]);
      expect((await t.server.admin.users.get(odd.body.userId!)).email).toBe('not-an-email');
    });

    it("a duplicate is Warrant's 400 duplicate_record with type and key; a bad id names the parameter", async () => {
      const tenantId = uid('t');
      await warrant.Tenant.create({ tenantId });
      expect(shown(await call('POST', 'v1/tenants', { tenantId }))).toEqual({
        status: 400,
        body: {
          code: 'duplicate_record',
          type: 'Tenant',
          key: tenantId,
          message: `Duplicate Tenant ${tenantId}, A tenant with the given tenantId already exists`,
        },
      });
      await warrant.Role.create({ roleId: 'manager' }).catch(() => undefined);
      expect((await call('POST', 'v1/roles', { roleId: 'manager' })).body).toMatchObject({
        type: 'Role',
        key: 'manager',
      });
      const duplicate = await sdkError(warrant.Tenant.create({ tenantId }));
      expect([duplicate.name, duplicate.code]).toEqual(['DuplicateRecordError', 'duplicate_record']);
      expect(shown(await call('POST', 'v1/users', { userId: 'bad id*' }))).toEqual({
        status: 400,
        body: {
          code: 'invalid_parameter',
          parameter: 'userId',
          message: "can only contain alphanumeric characters and/or '-', '_', '@', ':', and '|'",
        },
      });
      const missing = await call('POST', 'v1/roles', {});
      expect([missing.status, missing.body.code, missing.body.parameter]).toEqual([
        400,
        'missing_required_parameter',
        'roleId',
      ]);
    });

    it('debug: true answers the decision path of an authorized check, none when it is not', async () => {
      const [tenantId, roleId, permissionId, userId] = [uid('t'), uid('r'), uid('p'), uid('u')];
      await warrant.Permission.create({ permissionId });
      await warrant.Role.create({ roleId });
      await warrant.Permission.assignPermissionToRole(roleId, permissionId);
      await call('POST', 'v1/warrants', roleWarrant(roleId, userId, { tenant: tenantId }));
      const ask = (tenant: string) =>
        call('POST', 'v2/authorize', {
          op: 'anyOf',
          debug: true,
          warrants: [
            {
              objectType: 'permission',
              objectId: permissionId,
              relation: 'member',
              subject: { objectType: 'user', objectId: userId },
              context: { tenant },
            },
          ],
        });
      expect(shown(await ask(tenantId))).toEqual({
        status: 200,
        body: {
          code: 200,
          result: 'Authorized',
          decisionPath: {
            [`permission:${permissionId}#member@user:${userId}[tenant=${tenantId}]`]: [
              roleWarrant(roleId, userId, { tenant: tenantId }),
              {
                objectType: 'permission',
                objectId: permissionId,
                relation: 'member',
                subject: { objectType: 'role', objectId: roleId },
              },
            ],
          },
        },
      });
      expect(shown(await ask(uid('t')))).toEqual({ status: 200, body: { code: 403, result: 'Not Authorized' } });
    });
  });

  describe('list options of the newer SDKs', () => {
    it.each(['sortBy=email', 'sortOrder=DESC', 'afterId=x', 'beforeId=x', 'afterValue=x', 'beforeValue=x'])(
      '%s answers 400 invalid_parameter naming it, on every list',
      async (option) => {
        const key = option.split('=')[0]!;
        for (const list of [
          'v1/users',
          'v1/tenants',
          'v1/roles',
          'v1/permissions',
          'v1/pricing-tiers',
          'v1/features',
        ]) {
          const answer = await call('GET', `${list}?limit=2&${option}`);
          expect([list, answer.status, answer.body.code, answer.body.parameter]).toEqual([
            list,
            400,
            'invalid_parameter',
            key,
          ]);
        }
        expect((await call('GET', 'v1/users?limit=2')).status).toBe(200);
      },
    );
  });

  it('refused writes leave no trace: no tenant grant from a refused context', async () => {
    const [tenantId, permissionId, userId] = [uid('t'), uid('p'), uid('u')];
    await warrant.Tenant.create({ tenantId });
    await warrant.Permission.create({ permissionId });
    await warrant.User.create({ userId });
    const refused = await call('POST', 'v1/warrants', {
      ...roleWarrant(permissionId, userId, { tenant: tenantId, organization: 'o' }),
      objectType: 'permission',
    });
    expect(refused.status).toBe(400);
    expect(await t.server.db.getRepository(TenantPermissionGrantEntity).countBy({ userId })).toBe(0);
  });
});
