import { PricingTierFeatureEntity, TenantPricingTierEntity } from '../src/entitlements/entitlement.entity.js';
import { describeEachDatabase, failure, signedInUser, useServer, uid } from './harness.js';

describeEachDatabase('pricing tiers and features', (db) => {
  const t = useServer(db);

  it('creates, reads, updates and deletes tiers and features; a tier lists its features', async () => {
    const tierId = uid('pro');
    const featureId = uid('sso');
    await expect(t.server.admin.features.create({ featureId, name: 'SSO' })).resolves.toMatchObject({
      featureId,
      name: 'SSO',
      description: null,
    });
    await expect(t.server.admin.pricingTiers.create({ pricingTierId: tierId, name: 'Pro' })).resolves.toMatchObject({
      pricingTierId: tierId,
      features: [],
    });
    await t.server.admin.pricingTiers.addFeature(tierId, featureId);
    await t.server.admin.pricingTiers.addFeature(tierId, featureId);
    expect((await t.server.admin.pricingTiers.get(tierId)).features).toEqual([featureId]);
    expect((await t.server.admin.pricingTiers.update(tierId, { description: 'For teams' })).description).toBe(
      'For teams',
    );
    expect((await t.server.admin.features.update(featureId, { name: 'Single sign-on' })).name).toBe('Single sign-on');
    const dup = await failure(t.server.admin.features.create({ featureId }));
    expect([dup.status, dup.code]).toEqual([409, 'duplicate_record']);
    expect((await t.server.admin.pricingTiers.list({ limit: 100 })).items.map((x) => x.pricingTierId)).toContain(
      tierId,
    );
    expect((await t.server.admin.features.list({ limit: 100 })).items.map((x) => x.featureId)).toContain(featureId);

    const tenant = await t.server.admin.tenants.create({ name: 'Cascade' });
    await t.server.admin.entitlements.givePricingTier({ tenantId: tenant.tenantId }, tierId);
    await t.server.admin.features.delete(featureId);
    expect(await t.server.db.getRepository(PricingTierFeatureEntity).countBy({ featureId })).toBe(0);
    await t.server.admin.pricingTiers.delete(tierId);
    expect(await t.server.db.getRepository(TenantPricingTierEntity).countBy({ pricingTierId: tierId })).toBe(0);
    expect((await failure(t.server.admin.pricingTiers.get(tierId))).status).toBe(404);
  });

  it('answers feature checks through the user, their tiers, and their tenant (members only)', async () => {
    const [sso, audit, api, beta] = [uid('sso'), uid('audit'), uid('api'), uid('beta')];
    for (const featureId of [sso, audit, api, beta]) await t.server.admin.features.create({ featureId });
    const pro = uid('pro');
    await t.server.admin.pricingTiers.create({ pricingTierId: pro });
    await t.server.admin.pricingTiers.addFeature(pro, sso);
    const tenant = await t.server.admin.tenants.create({ name: 'Paying' });
    await t.server.admin.entitlements.givePricingTier({ tenantId: tenant.tenantId }, pro);
    await t.server.admin.entitlements.giveFeature({ tenantId: tenant.tenantId }, audit);

    const member = await signedInUser(t.server);
    const outsider = await signedInUser(t.server);
    await t.server.admin.members.add(tenant.tenantId, member.user.userId);
    await t.server.admin.entitlements.giveFeature({ userId: member.user.userId }, beta);
    const personal = uid('personal');
    await t.server.admin.pricingTiers.create({ pricingTierId: personal });
    await t.server.admin.pricingTiers.addFeature(personal, api);
    await t.server.admin.entitlements.givePricingTier({ userId: member.user.userId }, personal);

    const checks = [
      { feature: sso, tenantId: tenant.tenantId },
      { feature: audit, tenantId: tenant.tenantId },
      { feature: sso },
      { feature: beta },
      { feature: api, tenantId: tenant.tenantId },
      { feature: 'no-such-feature' },
    ];
    expect((await member.client.check({ checks })).results).toEqual([true, true, false, true, true, false]);
    expect((await t.server.admin.check({ userId: outsider.user.userId, checks })).results).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    await expect(t.server.admin.entitlements.of({ userId: member.user.userId })).resolves.toEqual({
      pricingTiers: [personal],
      features: [beta],
    });
    await expect(t.server.admin.entitlements.of({ tenantId: tenant.tenantId })).resolves.toEqual({
      pricingTiers: [pro],
      features: [audit],
    });

    await t.server.admin.entitlements.takePricingTier({ tenantId: tenant.tenantId }, pro);
    expect((await member.client.check({ checks: [{ feature: sso, tenantId: tenant.tenantId }] })).authorized).toBe(
      false,
    );
  });

  it('refuses a check naming two kinds at once, and unknown owners with 404', async () => {
    const error = await failure(t.server.admin.check({ userId: 'u', checks: [{ feature: 'f', role: 'r' }] }));
    expect(error.status).toBe(400);
    const missing = await failure(t.server.admin.entitlements.giveFeature({ tenantId: 'no-such-tenant' }, 'f'));
    expect([missing.status, missing.details]).toEqual([404, { type: 'tenant', id: 'no-such-tenant' }]);
  });
});
