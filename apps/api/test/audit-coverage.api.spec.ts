import { Secret, TOTP } from 'otpauth';
import type { TesseraClient } from '@tessera/client';
import {
  PASSWORD,
  describeEachDatabase,
  failure,
  signedInUser,
  sleep,
  uniqueEmail,
  useServer,
  uid,
  sessionOf,
} from './harness.js';
import { tokenIn, useSmtpSink } from './smtp.js';

/** Warrant's `tenant:T#member@user:U`: U is a member of T. */
const membershipWarrant = (tenantId: string, userId: string) => ({
  objectType: 'tenant',
  objectId: tenantId,
  relation: 'member',
  subject: { objectType: 'user', objectId: userId },
});

const codeOf = (url: string) => new URLSearchParams(new URL(url).hash.slice(1)).get('code')!;

/** Write routes that change nothing, so they write no audit event; each with the reason. */
const READS: Record<string, string> = {
  'POST /v1/check': 'a permission check: answers a question, changes nothing',
  'POST /warrant/v2/authorize': "Warrant's check: answers a question, changes nothing",
  'POST /v1/auth/mfa/totp': 'begins an enrolment: a pending secret changes no access until confirmed (mfa.enabled)',
};

/** The TOTP code of `secret` for the 30-second step `offset` steps from now. */
const totpCode = (secret: string, offset = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: Date.now() + offset * 30_000,
  });

/** The call under test; it must succeed. */
type Call = () => Promise<unknown>;
/** Sets up what a route needs, then gives the call under test. */
type Arrange = () => Call | Promise<Call>;

type OpenApi = { paths: Record<string, Record<string, unknown>> };

describeEachDatabase('every change of access is audited', (db) => {
  const { sink, env } = useSmtpSink({ TESSERA_SIGN_UP: 'open' });
  const t = useServer(db, env);
  const admin = (): TesseraClient => t.server.admin;
  /** A /warrant route, called with the root key. */
  const warrant = (method: string, path: string, body?: unknown) =>
    admin().request(method, `warrant/${path}`, { body });

  const auditRows = async (): Promise<number> => {
    const rows: { n: number | string }[] = await t.server.db.query('SELECT COUNT(*) AS n FROM audit_events');
    return Number(rows[0]!.n); // PostgreSQL answers COUNT as a string
  };

  /** Makes the call, then waits until its audit event has been written. */
  const written = async (call: Call) => {
    const before = await auditRows();
    await call();
    for (let waited = 0; (await auditRows()) === before && waited < 5000; waited += 20) await sleep(20);
  };

  const user = async () => (await admin().users.create({ email: uniqueEmail(), password: PASSWORD })).userId;
  const tenant = async () => (await admin().tenants.create({ name: 'Audited' })).tenantId;
  const role = async () => (await admin().roles.create({ roleId: uid('role') })).roleId;
  const permission = async () => (await admin().permissions.create({ permissionId: uid('perm') })).permissionId;
  const tier = async () => (await admin().pricingTiers.create({ pricingTierId: uid('tier') })).pricingTierId;
  const feature = async () => (await admin().features.create({ featureId: uid('feature') })).featureId;
  const memberOf = async (tenantId: string) => {
    const userId = await user();
    await admin().members.add(tenantId, userId);
    return userId;
  };

  /**
   * A tenant with a dashboard user (view-self-service-dashboard and a role `role` there), a member,
   * and a link to the dashboard; `dash()` exchanges the link for the dashboard's session.
   */
  const dashboard = async () => {
    const tenantId = await tenant();
    const roleId = await role();
    const dashUser = await user();
    await admin().grants.addPermission({ tenantId, userId: dashUser, permissionId: 'view-self-service-dashboard' });
    await admin().grants.addRole({ tenantId, userId: dashUser, roleId });
    const memberId = await memberOf(tenantId);
    const url = await admin().sessions.createSelfServiceSession({ userId: dashUser, tenantId });
    const dash = async () => t.server.anon.withToken((await t.server.anon.selfService.exchange(codeOf(url))).token);
    return { tenantId, roleId, memberId, url, dash };
  };

  /** A signed-in user who began TOTP enrolment: their client and the pending secret. */
  const enrolling = async () => {
    const signedIn = await signedInUser(t.server);
    const { secret } = await signedIn.client.request<{ secret: string }>('POST', 'v1/auth/mfa/totp', {
      body: { password: PASSWORD },
    });
    return { ...signedIn, secret };
  };
  /** A signed-in user with TOTP confirmed (with the current step's code) and their recovery codes. */
  const enrolled = async () => {
    const e = await enrolling();
    const { recoveryCodes } = await e.client.request<{ recoveryCodes: string[] }>('POST', 'v1/auth/mfa/totp/confirm', {
      body: { code: totpCode(e.secret) },
    });
    return { ...e, recoveryCodes };
  };

  const AUDITED: Record<string, Arrange> = {
    // Sessions and client sessions
    'POST /v1/auth/sign-in': async () => {
      const email = uniqueEmail();
      await admin().users.create({ email, password: PASSWORD });
      return () => t.server.anon.auth.signIn({ email, password: PASSWORD });
    },
    // Contember's Tenant API: its sign-in writes sign_in.succeeded (its other mutations, the /v1 events).
    'POST /tenant': async () => {
      const email = uniqueEmail();
      await admin().users.create({ email, password: PASSWORD });
      const query = `mutation { signIn(email: "${email}", password: "${PASSWORD}") { ok } }`;
      return () => t.server.anon.request('POST', 'tenant', { body: { query } });
    },
    'POST /v1/auth/sign-out': async () => {
      const { client } = await signedInUser(t.server);
      return () => client.auth.signOut();
    },
    'POST /v1/auth/change-password': async () => {
      const { client } = await signedInUser(t.server);
      const newPassword = 'another horse battery staple';
      return () => client.auth.changePassword({ currentPassword: PASSWORD, newPassword });
    },
    'POST /v1/auth/sign-in/mfa': async () => {
      const { email, recoveryCodes } = await enrolled();
      const { challenge } = await t.server.anon.request<{ challenge: string }>('POST', 'v1/auth/sign-in', {
        body: { email, password: PASSWORD },
      });
      return () =>
        t.server.anon.request('POST', 'v1/auth/sign-in/mfa', { body: { challenge, recoveryCode: recoveryCodes[0] } });
    },
    'POST /v1/auth/mfa/totp/confirm': async () => {
      const { client, secret } = await enrolling();
      return () => client.request('POST', 'v1/auth/mfa/totp/confirm', { body: { code: totpCode(secret) } });
    },
    'DELETE /v1/auth/mfa/totp': async () => {
      const { client, recoveryCodes } = await enrolled();
      return () =>
        client.request('DELETE', 'v1/auth/mfa/totp', { body: { password: PASSWORD, code: recoveryCodes[0] } });
    },
    'POST /v1/auth/mfa/recovery-codes': async () => {
      const { client, secret } = await enrolled();
      return () =>
        client.request('POST', 'v1/auth/mfa/recovery-codes', {
          body: { password: PASSWORD, code: totpCode(secret, 1) },
        });
    },
    'DELETE /v1/sessions/{id}': async () => {
      const { client, email } = await signedInUser(t.server);
      const other = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      return () => client.sessions.revoke(other.session.id);
    },
    'POST /v1/sessions': async () => {
      const userId = await user();
      return () => admin().sessions.createAuthorizationSession({ userId });
    },
    'POST /v1/self-service/exchange': async () => {
      const { url } = await dashboard();
      return () => t.server.anon.selfService.exchange(codeOf(url));
    },
    'PUT /v1/self-service/members/{userId}/roles/{roleId}': async () => {
      const { dash, memberId, roleId } = await dashboard();
      const client = await dash();
      return () => client.selfService.grantRole(memberId, roleId);
    },
    'DELETE /v1/self-service/members/{userId}/roles/{roleId}': async () => {
      const { dash, tenantId, memberId, roleId } = await dashboard();
      await admin().grants.addRole({ tenantId, userId: memberId, roleId });
      const client = await dash();
      return () => client.selfService.revokeRole(memberId, roleId);
    },
    'PUT /v1/self-service/members/{userId}/permissions/{permissionId}': async () => {
      const { dash, memberId } = await dashboard();
      const client = await dash();
      return () => client.selfService.grantPermission(memberId, 'view-self-service-dashboard');
    },
    'DELETE /v1/self-service/members/{userId}/permissions/{permissionId}': async () => {
      const { dash, tenantId, memberId } = await dashboard();
      await admin().grants.addPermission({ tenantId, userId: memberId, permissionId: 'view-self-service-dashboard' });
      const client = await dash();
      return () => client.selfService.revokePermission(memberId, 'view-self-service-dashboard');
    },

    // Administration
    'POST /v1/admin/session-tokens': async () => {
      const userId = await user();
      return () => admin().admin.createSessionToken({ userId });
    },
    'DELETE /v1/admin/users/{userId}/mfa': async () => {
      const { user: enrolledUser } = await enrolled();
      return () => admin().request('DELETE', `v1/admin/users/${enrolledUser.userId}/mfa`);
    },
    'DELETE /v1/admin/users/{userId}/sessions': async () => {
      const { user: signedIn } = await signedInUser(t.server);
      return () => admin().admin.users.revokeSessions(signedIn.userId);
    },
    'DELETE /v1/admin/users/{userId}/sessions/{sessionId}': async () => {
      const { user: signedIn, session } = await signedInUser(t.server);
      return () => admin().admin.users.revokeSession(signedIn.userId, session.id);
    },
    'POST /v1/admin/users/{userId}/disable': async () => {
      const userId = await user();
      return () => admin().admin.users.disable(userId);
    },
    'POST /v1/admin/users/{userId}/enable': async () => {
      const userId = await user();
      await admin().admin.users.disable(userId);
      return () => admin().admin.users.enable(userId);
    },
    'POST /v1/admin/api-keys': () => () => admin().admin.apiKeys.create({ name: 'audited', roles: ['login'] }),
    'DELETE /v1/admin/api-keys/{id}': async () => {
      const { apiKey } = await admin().admin.apiKeys.create({ name: 'audited', roles: ['login'] });
      return () => admin().admin.apiKeys.revoke(apiKey.id);
    },

    // Users and their global grants
    'POST /v1/users': () => () => admin().users.create({ email: uniqueEmail() }),
    'PATCH /v1/users/{userId}': async () => {
      const userId = await user();
      return () => admin().users.update(userId, { email: uniqueEmail() });
    },
    'DELETE /v1/users/{userId}': async () => {
      const userId = await user();
      return () => admin().users.delete(userId);
    },
    'PUT /v1/users/{userId}/roles/{roleId}': async () => {
      const [userId, roleId] = [await user(), await role()];
      return () => admin().grants.addRole({ userId, roleId });
    },
    'DELETE /v1/users/{userId}/roles/{roleId}': async () => {
      const [userId, roleId] = [await user(), await role()];
      await admin().grants.addRole({ userId, roleId });
      return () => admin().grants.removeRole({ userId, roleId });
    },
    'PUT /v1/users/{userId}/permissions/{permissionId}': async () => {
      const [userId, permissionId] = [await user(), await permission()];
      return () => admin().grants.addPermission({ userId, permissionId });
    },
    'DELETE /v1/users/{userId}/permissions/{permissionId}': async () => {
      const [userId, permissionId] = [await user(), await permission()];
      await admin().grants.addPermission({ userId, permissionId });
      return () => admin().grants.removePermission({ userId, permissionId });
    },

    // Tenants, members and grants in a tenant
    'POST /v1/tenants': () => () => admin().tenants.create({ name: 'Audited' }),
    'PATCH /v1/tenants/{tenantId}': async () => {
      const tenantId = await tenant();
      return () => admin().tenants.update(tenantId, { name: 'Renamed' });
    },
    'DELETE /v1/tenants/{tenantId}': async () => {
      const tenantId = await tenant();
      return () => admin().tenants.delete(tenantId);
    },
    'PUT /v1/tenants/{tenantId}/users/{userId}': async () => {
      const [tenantId, userId] = [await tenant(), await user()];
      return () => admin().members.add(tenantId, userId);
    },
    'DELETE /v1/tenants/{tenantId}/users/{userId}': async () => {
      const tenantId = await tenant();
      const userId = await memberOf(tenantId);
      return () => admin().members.remove(tenantId, userId);
    },
    'PUT /v1/tenants/{tenantId}/users/{userId}/roles/{roleId}': async () => {
      const [tenantId, userId, roleId] = [await tenant(), await user(), await role()];
      return () => admin().grants.addRole({ tenantId, userId, roleId });
    },
    'DELETE /v1/tenants/{tenantId}/users/{userId}/roles/{roleId}': async () => {
      const [tenantId, userId, roleId] = [await tenant(), await user(), await role()];
      await admin().grants.addRole({ tenantId, userId, roleId });
      return () => admin().grants.removeRole({ tenantId, userId, roleId });
    },
    'PUT /v1/tenants/{tenantId}/users/{userId}/permissions/{permissionId}': async () => {
      const [tenantId, userId, permissionId] = [await tenant(), await user(), await permission()];
      return () => admin().grants.addPermission({ tenantId, userId, permissionId });
    },
    'DELETE /v1/tenants/{tenantId}/users/{userId}/permissions/{permissionId}': async () => {
      const [tenantId, userId, permissionId] = [await tenant(), await user(), await permission()];
      await admin().grants.addPermission({ tenantId, userId, permissionId });
      return () => admin().grants.removePermission({ tenantId, userId, permissionId });
    },

    // Roles and permissions
    'POST /v1/roles': () => () => admin().roles.create({ roleId: uid('role') }),
    'PATCH /v1/roles/{roleId}': async () => {
      const roleId = await role();
      return () => admin().roles.update(roleId, { name: 'Renamed' });
    },
    'DELETE /v1/roles/{roleId}': async () => {
      const roleId = await role();
      return () => admin().roles.delete(roleId);
    },
    'PUT /v1/roles/{roleId}/permissions/{permissionId}': async () => {
      const [roleId, permissionId] = [await role(), await permission()];
      return () => admin().roles.addPermission(roleId, permissionId);
    },
    'DELETE /v1/roles/{roleId}/permissions/{permissionId}': async () => {
      const [roleId, permissionId] = [await role(), await permission()];
      await admin().roles.addPermission(roleId, permissionId);
      return () => admin().roles.removePermission(roleId, permissionId);
    },
    'POST /v1/permissions': () => () => admin().permissions.create({ permissionId: uid('perm') }),
    'PATCH /v1/permissions/{permissionId}': async () => {
      const permissionId = await permission();
      return () => admin().permissions.update(permissionId, { description: 'Changed' });
    },
    'DELETE /v1/permissions/{permissionId}': async () => {
      const permissionId = await permission();
      return () => admin().permissions.delete(permissionId);
    },

    // Pricing tiers, features and who was given them
    'POST /v1/pricing-tiers': () => () => admin().pricingTiers.create({ pricingTierId: uid('tier') }),
    'PATCH /v1/pricing-tiers/{pricingTierId}': async () => {
      const id = await tier();
      return () => admin().pricingTiers.update(id, { name: 'Renamed' });
    },
    'DELETE /v1/pricing-tiers/{pricingTierId}': async () => {
      const id = await tier();
      return () => admin().pricingTiers.delete(id);
    },
    'PUT /v1/pricing-tiers/{pricingTierId}/features/{featureId}': async () => {
      const [id, featureId] = [await tier(), await feature()];
      return () => admin().pricingTiers.addFeature(id, featureId);
    },
    'DELETE /v1/pricing-tiers/{pricingTierId}/features/{featureId}': async () => {
      const [id, featureId] = [await tier(), await feature()];
      await admin().pricingTiers.addFeature(id, featureId);
      return () => admin().pricingTiers.removeFeature(id, featureId);
    },
    'POST /v1/features': () => () => admin().features.create({ featureId: uid('feature') }),
    'PATCH /v1/features/{featureId}': async () => {
      const id = await feature();
      return () => admin().features.update(id, { name: 'Renamed' });
    },
    'DELETE /v1/features/{featureId}': async () => {
      const id = await feature();
      return () => admin().features.delete(id);
    },
    'PUT /v1/tenants/{tenantId}/pricing-tiers/{pricingTierId}': async () => {
      const [tenantId, id] = [await tenant(), await tier()];
      return () => admin().entitlements.givePricingTier({ tenantId }, id);
    },
    'DELETE /v1/tenants/{tenantId}/pricing-tiers/{pricingTierId}': async () => {
      const [tenantId, id] = [await tenant(), await tier()];
      await admin().entitlements.givePricingTier({ tenantId }, id);
      return () => admin().entitlements.takePricingTier({ tenantId }, id);
    },
    'PUT /v1/tenants/{tenantId}/features/{featureId}': async () => {
      const [tenantId, id] = [await tenant(), await feature()];
      return () => admin().entitlements.giveFeature({ tenantId }, id);
    },
    'DELETE /v1/tenants/{tenantId}/features/{featureId}': async () => {
      const [tenantId, id] = [await tenant(), await feature()];
      await admin().entitlements.giveFeature({ tenantId }, id);
      return () => admin().entitlements.takeFeature({ tenantId }, id);
    },
    'PUT /v1/users/{userId}/pricing-tiers/{pricingTierId}': async () => {
      const [userId, id] = [await user(), await tier()];
      return () => admin().entitlements.givePricingTier({ userId }, id);
    },
    'DELETE /v1/users/{userId}/pricing-tiers/{pricingTierId}': async () => {
      const [userId, id] = [await user(), await tier()];
      await admin().entitlements.givePricingTier({ userId }, id);
      return () => admin().entitlements.takePricingTier({ userId }, id);
    },
    'PUT /v1/users/{userId}/features/{featureId}': async () => {
      const [userId, id] = [await user(), await feature()];
      return () => admin().entitlements.giveFeature({ userId }, id);
    },
    'DELETE /v1/users/{userId}/features/{featureId}': async () => {
      const [userId, id] = [await user(), await feature()];
      await admin().entitlements.giveFeature({ userId }, id);
      return () => admin().entitlements.takeFeature({ userId }, id);
    },

    // Warrant's layer
    'POST /warrant/v1/users': () => () => warrant('POST', 'v1/users', { userId: uid('wuser'), email: uniqueEmail() }),
    'PUT /warrant/v1/users/{userId}': async () => {
      const userId = await user();
      return () => warrant('PUT', `v1/users/${userId}`, { email: uniqueEmail() });
    },
    'DELETE /warrant/v1/users/{userId}': async () => {
      const userId = await user();
      return () => warrant('DELETE', `v1/users/${userId}`);
    },
    'POST /warrant/v1/users/{userId}/roles/{roleId}': async () => {
      const [userId, roleId] = [await user(), await role()];
      return () => warrant('POST', `v1/users/${userId}/roles/${roleId}`);
    },
    'DELETE /warrant/v1/users/{userId}/roles/{roleId}': async () => {
      const [userId, roleId] = [await user(), await role()];
      await admin().grants.addRole({ userId, roleId });
      return () => warrant('DELETE', `v1/users/${userId}/roles/${roleId}`);
    },
    'POST /warrant/v1/users/{userId}/permissions/{permissionId}': async () => {
      const [userId, permissionId] = [await user(), await permission()];
      return () => warrant('POST', `v1/users/${userId}/permissions/${permissionId}`);
    },
    'DELETE /warrant/v1/users/{userId}/permissions/{permissionId}': async () => {
      const [userId, permissionId] = [await user(), await permission()];
      await admin().grants.addPermission({ userId, permissionId });
      return () => warrant('DELETE', `v1/users/${userId}/permissions/${permissionId}`);
    },
    'POST /warrant/v1/tenants': () => () => warrant('POST', 'v1/tenants', { tenantId: uid('wtenant'), name: 'A' }),
    'PUT /warrant/v1/tenants/{tenantId}': async () => {
      const tenantId = await tenant();
      return () => warrant('PUT', `v1/tenants/${tenantId}`, { name: 'Renamed' });
    },
    'DELETE /warrant/v1/tenants/{tenantId}': async () => {
      const tenantId = await tenant();
      return () => warrant('DELETE', `v1/tenants/${tenantId}`);
    },
    'POST /warrant/v1/roles': () => () => warrant('POST', 'v1/roles', { roleId: uid('wrole') }),
    'PUT /warrant/v1/roles/{roleId}': async () => {
      const roleId = await role();
      return () => warrant('PUT', `v1/roles/${roleId}`, { name: 'Renamed' });
    },
    'POST /warrant/v1/roles/{roleId}': async () => {
      const roleId = await role();
      return () => warrant('POST', `v1/roles/${roleId}`, { name: 'Renamed by POST' });
    },
    'DELETE /warrant/v1/roles/{roleId}': async () => {
      const roleId = await role();
      return () => warrant('DELETE', `v1/roles/${roleId}`);
    },
    'POST /warrant/v1/roles/{roleId}/permissions/{permissionId}': async () => {
      const [roleId, permissionId] = [await role(), await permission()];
      return () => warrant('POST', `v1/roles/${roleId}/permissions/${permissionId}`);
    },
    'DELETE /warrant/v1/roles/{roleId}/permissions/{permissionId}': async () => {
      const [roleId, permissionId] = [await role(), await permission()];
      await admin().roles.addPermission(roleId, permissionId);
      return () => warrant('DELETE', `v1/roles/${roleId}/permissions/${permissionId}`);
    },
    'POST /warrant/v1/permissions': () => () => warrant('POST', 'v1/permissions', { permissionId: uid('wperm') }),
    'PUT /warrant/v1/permissions/{permissionId}': async () => {
      const permissionId = await permission();
      return () => warrant('PUT', `v1/permissions/${permissionId}`, { description: 'Changed' });
    },
    'POST /warrant/v1/permissions/{permissionId}': async () => {
      const permissionId = await permission();
      return () => warrant('POST', `v1/permissions/${permissionId}`, { description: 'Changed by POST' });
    },
    'DELETE /warrant/v1/permissions/{permissionId}': async () => {
      const permissionId = await permission();
      return () => warrant('DELETE', `v1/permissions/${permissionId}`);
    },
    'POST /warrant/v1/pricing-tiers': () => () => warrant('POST', 'v1/pricing-tiers', { pricingTierId: uid('wtier') }),
    'PUT /warrant/v1/pricing-tiers/{pricingTierId}': async () => {
      const id = await tier();
      return () => warrant('PUT', `v1/pricing-tiers/${id}`, { name: 'Gold' });
    },
    'POST /warrant/v1/pricing-tiers/{pricingTierId}': async () => {
      const id = await tier();
      return () => warrant('POST', `v1/pricing-tiers/${id}`, { description: 'The gold tier' });
    },
    'DELETE /warrant/v1/pricing-tiers/{pricingTierId}': async () => {
      const id = await tier();
      return () => warrant('DELETE', `v1/pricing-tiers/${id}`);
    },
    'POST /warrant/v1/pricing-tiers/{pricingTierId}/features/{featureId}': async () => {
      const [id, featureId] = [await tier(), await feature()];
      return () => warrant('POST', `v1/pricing-tiers/${id}/features/${featureId}`);
    },
    'DELETE /warrant/v1/pricing-tiers/{pricingTierId}/features/{featureId}': async () => {
      const [id, featureId] = [await tier(), await feature()];
      await admin().pricingTiers.addFeature(id, featureId);
      return () => warrant('DELETE', `v1/pricing-tiers/${id}/features/${featureId}`);
    },
    'POST /warrant/v1/features': () => () => warrant('POST', 'v1/features', { featureId: uid('wfeature') }),
    'PUT /warrant/v1/features/{featureId}': async () => {
      const id = await feature();
      return () => warrant('PUT', `v1/features/${id}`, { name: 'SSO' });
    },
    'POST /warrant/v1/features/{featureId}': async () => {
      const id = await feature();
      return () => warrant('POST', `v1/features/${id}`, { description: 'Single sign-on' });
    },
    'DELETE /warrant/v1/features/{featureId}': async () => {
      const id = await feature();
      return () => warrant('DELETE', `v1/features/${id}`);
    },
    'POST /warrant/v1/{owner}/{ownerId}/pricing-tiers/{pricingTierId}': async () => {
      const [tenantId, id] = [await tenant(), await tier()];
      return () => warrant('POST', `v1/tenants/${tenantId}/pricing-tiers/${id}`);
    },
    'DELETE /warrant/v1/{owner}/{ownerId}/pricing-tiers/{pricingTierId}': async () => {
      const [tenantId, id] = [await tenant(), await tier()];
      await admin().entitlements.givePricingTier({ tenantId }, id);
      return () => warrant('DELETE', `v1/tenants/${tenantId}/pricing-tiers/${id}`);
    },
    'POST /warrant/v1/{owner}/{ownerId}/features/{featureId}': async () => {
      const [userId, id] = [await user(), await feature()];
      return () => warrant('POST', `v1/users/${userId}/features/${id}`);
    },
    'DELETE /warrant/v1/{owner}/{ownerId}/features/{featureId}': async () => {
      const [userId, id] = [await user(), await feature()];
      await admin().entitlements.giveFeature({ userId }, id);
      return () => warrant('DELETE', `v1/users/${userId}/features/${id}`);
    },
    'POST /warrant/v1/warrants': async () => {
      const [tenantId, userId] = [await tenant(), await user()];
      return () => warrant('POST', 'v1/warrants', membershipWarrant(tenantId, userId));
    },
    'DELETE /warrant/v1/warrants': async () => {
      const tenantId = await tenant();
      const userId = await memberOf(tenantId);
      return () => warrant('DELETE', 'v1/warrants', membershipWarrant(tenantId, userId));
    },
    'POST /warrant/v1/sessions': async () => {
      const userId = await user();
      return () => warrant('POST', 'v1/sessions', { type: 'sess', userId });
    },

    // Account security. A reset request and a sign-up answer before their work is done (their
    // answer must not depend on the address): the call waits for the event.
    'POST /v1/auth/password-reset': async () => {
      const { email } = await signedInUser(t.server);
      return () => written(() => t.server.anon.request('POST', 'v1/auth/password-reset', { body: { email } }));
    },
    'POST /v1/auth/sign-up': () => () =>
      written(() =>
        t.server.anon.request('POST', 'v1/auth/sign-up', { body: { email: uniqueEmail(), password: PASSWORD } }),
      ),
    'POST /v1/auth/password-reset/confirm': async () => {
      const { email } = await signedInUser(t.server);
      await t.server.anon.request('POST', 'v1/auth/password-reset', { body: { email } });
      const token = tokenIn(await sink.next(email));
      return () =>
        t.server.anon.request('POST', 'v1/auth/password-reset/confirm', {
          body: { token, newPassword: 'an audited new passphrase' },
        });
    },
    'POST /v1/auth/verify-email/request': async () => {
      const { token } = await signedInUser(t.server);
      return () => t.server.anon.withToken(token).request('POST', 'v1/auth/verify-email/request');
    },
    'POST /v1/auth/verify-email': async () => {
      const email = uniqueEmail();
      await admin().users.create({ email, sendVerificationEmail: true });
      const token = tokenIn(await sink.next(email));
      return () => t.server.anon.request('POST', 'v1/auth/verify-email', { body: { token } });
    },
    'POST /v1/auth/change-email': async () => {
      const { token } = await signedInUser(t.server);
      return () =>
        t.server.anon
          .withToken(token)
          .request('POST', 'v1/auth/change-email', { body: { password: PASSWORD, newEmail: uniqueEmail() } });
    },
  };

  it('the table names every write route of the OpenAPI document except the listed reads', async () => {
    const doc = (await (await fetch(`${t.server.url}/docs/openapi.json`)).json()) as OpenApi;
    const writes = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(Object.keys(READS).filter((route) => !writes.includes(route))).toEqual([]);
    expect(Object.keys(AUDITED).sort()).toEqual(writes.filter((route) => !(route in READS)).sort());
  });

  it.each(Object.keys(AUDITED))('%s writes an audit event', async (route) => {
    const call = await AUDITED[route]!();
    const before = await auditRows();
    await call();
    expect(await auditRows()).toBeGreaterThan(before);
  });

  it("a member's removal lists the roles and permissions it drops; GET audit-events?userId= finds it", async () => {
    const [tenantId, userId, roleId, permissionId] = [await tenant(), await user(), await role(), await permission()];
    await admin().grants.addRole({ tenantId, userId, roleId });
    await admin().grants.addPermission({ tenantId, userId, permissionId });
    await admin().members.remove(tenantId, userId);
    const { items } = await admin().admin.auditEvents({ userId, type: 'member.removed' });
    expect(items).toHaveLength(1);
    const details = { roles: [roleId], permissions: [permissionId] };
    expect(items[0]).toMatchObject({ userId, tenantId, actorUserId: null, details });
    expect(items[0]!.actorApiKeyId).not.toBeNull();
  });

  it("Warrant's membership warrants are audited as member.added and member.removed", async () => {
    const [tenantId, userId, roleId] = [await tenant(), await user(), await role()];
    const membership = membershipWarrant(tenantId, userId);
    await warrant('POST', 'v1/warrants', membership);
    await warrant('POST', 'v1/warrants', { ...membership, relation: roleId });
    await warrant('DELETE', 'v1/warrants', membership);
    const { items } = await admin().admin.auditEvents({ userId });
    expect(items.map((e) => e.type)).toEqual(['member.removed', 'grant.added', 'member.added', 'user.created']);
    expect(items[0]).toMatchObject({ tenantId, details: { roles: [roleId], permissions: [] } });
  });

  it('a catalog change names the kind and id; a role gaining or losing a permission names both', async () => {
    const roleId = uid('role');
    await admin().roles.create({ roleId });
    await admin().pricingTiers.update(await tier(), { name: 'Gold' });
    const permissionId = await permission();
    await admin().roles.addPermission(roleId, permissionId);
    await admin().roles.removePermission(roleId, permissionId);
    await admin().roles.delete(roleId);
    const recent = (await admin().admin.auditEvents({ limit: 7 })).items;
    expect(recent.map((e) => [e.type, e.details])).toEqual([
      ['catalog.deleted', { kind: 'role', id: roleId }],
      ['role.permission_removed', { roleId, permissionId }],
      ['role.permission_added', { roleId, permissionId }],
      ['catalog.created', { kind: 'permission', id: permissionId }],
      ['catalog.updated', { kind: 'pricingTier', id: expect.any(String) }],
      ['catalog.created', { kind: 'pricingTier', id: expect.any(String) }],
      ['catalog.created', { kind: 'role', id: roleId }],
    ]);
  });

  it('a write that fails records nothing; the same write succeeding records one event', async () => {
    const tenantId = await tenant();
    const roleId = await role();
    const before = await auditRows();
    expect((await failure(admin().tenants.delete(uid('missing')))).status).toBe(404);
    expect((await failure(admin().tenants.create({ tenantId, name: 'Again' }))).code).toBe('duplicate_record');
    expect((await failure(admin().roles.delete('member'))).code).toBe('forbidden');
    expect((await failure(admin().roles.addPermission(roleId, uid('missing')))).status).toBe(404);
    expect((await failure(admin().members.remove(tenantId, uid('missing')))).status).toBe(404);
    expect(await auditRows()).toBe(before);
    await admin().tenants.delete(tenantId);
    expect(await auditRows()).toBe(before + 1);
  });
});
