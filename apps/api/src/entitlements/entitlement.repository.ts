import { Injectable } from '@nestjs/common';
import { In, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { sqlRead } from '../infra/database/sql.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import {
  PricingTierFeatureEntity,
  TenantFeatureEntity,
  TenantPricingTierEntity,
  UserFeatureEntity,
  UserPricingTierEntity,
} from './entitlement.entity.js';

export type EntitlementOwner = 'tenant' | 'user';
export type Entitlement = 'pricingTier' | 'feature';

const LINKS: Record<EntitlementOwner, Record<Entitlement, EntityTarget<ObjectLiteral>>> = {
  tenant: { pricingTier: TenantPricingTierEntity, feature: TenantFeatureEntity },
  user: { pricingTier: UserPricingTierEntity, feature: UserFeatureEntity },
};
const ownerKey = (owner: EntitlementOwner) => (owner === 'tenant' ? 'tenantId' : 'userId');
const entitlementKey = (what: Entitlement) => (what === 'feature' ? 'featureId' : 'pricingTierId');

/** A feature a user may use, in a scope: '' for their own, else the tenant's id. */
export interface FeatureHeld {
  scope: string;
  id: string;
}

const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * The features a user may use, per scope ('' = the user's own, or a tenant id), among those asked:
 * given to the user (directly or through a pricing tier), or to a tenant the user belongs to.
 */
function featureSql(tenants: number, features: number): string {
  const f = list(features);
  const parts = [
    `SELECT '' AS scope, feature_id AS id FROM user_features WHERE user_id = ? AND feature_id IN (${f})`,
    `SELECT '', ptf.feature_id FROM user_pricing_tiers u JOIN pricing_tier_features ptf ON ptf.pricing_tier_id = u.pricing_tier_id ` +
      `WHERE u.user_id = ? AND ptf.feature_id IN (${f})`,
  ];
  if (tenants > 0) {
    const t = list(tenants);
    parts.push(
      `SELECT tf.tenant_id, tf.feature_id FROM tenant_features tf JOIN memberships m ON m.tenant_id = tf.tenant_id AND m.user_id = ? ` +
        `WHERE tf.tenant_id IN (${t}) AND tf.feature_id IN (${f})`,
      `SELECT tp.tenant_id, ptf.feature_id FROM tenant_pricing_tiers tp JOIN memberships m ON m.tenant_id = tp.tenant_id AND m.user_id = ? ` +
        `JOIN pricing_tier_features ptf ON ptf.pricing_tier_id = tp.pricing_tier_id WHERE tp.tenant_id IN (${t}) AND ptf.feature_id IN (${f})`,
    );
  }
  return parts.join('\nUNION ALL ');
}

/** The links saying which tenant, user or pricing tier holds which pricing tier or feature. */
@Injectable()
export class EntitlementRepository {
  /** The check path's feature statement, prepared once per shape (how many tenants and features). */
  private readonly featureQueries = new Map<string, (...params: unknown[]) => Promise<FeatureHeld[]>>();

  constructor(private readonly db: TransactionRunner) {}

  /** Gives a tenant or user a pricing tier or feature; giving it again changes nothing. */
  async give(tx: Transaction, owner: EntitlementOwner, ownerId: string, what: Entitlement, id: string): Promise<void> {
    const link = { [ownerKey(owner)]: ownerId, [entitlementKey(what)]: id };
    await tx.createQueryBuilder().insert().into(LINKS[owner][what]).values(link).orIgnore().execute();
  }

  async take(tx: Transaction, owner: EntitlementOwner, ownerId: string, what: Entitlement, id: string): Promise<void> {
    await tx.getRepository(LINKS[owner][what]).delete({ [ownerKey(owner)]: ownerId, [entitlementKey(what)]: id });
  }

  /** Lets a pricing tier hold a feature; idempotent. */
  async addFeatureToTier(tx: Transaction, pricingTierId: string, featureId: string): Promise<void> {
    const link = { pricingTierId, featureId };
    await tx.createQueryBuilder().insert().into(PricingTierFeatureEntity).values(link).orIgnore().execute();
  }

  async removeFeatureFromTier(tx: Transaction, pricingTierId: string, featureId: string): Promise<void> {
    await tx.getRepository(PricingTierFeatureEntity).delete({ pricingTierId, featureId });
  }

  /** The pricing tiers and the features given to a tenant or user, each sorted by id. */
  givenTo(owner: EntitlementOwner, ownerId: string): Promise<{ pricingTiers: string[]; features: string[] }> {
    const where = { [ownerKey(owner)]: ownerId };
    return this.db.run(async (tx) => {
      const [tiers, features] = await Promise.all([
        tx.getRepository<ObjectLiteral>(LINKS[owner].pricingTier).find({ where, order: { pricingTierId: 'ASC' } }),
        tx.getRepository<ObjectLiteral>(LINKS[owner].feature).find({ where, order: { featureId: 'ASC' } }),
      ]);
      return {
        pricingTiers: tiers.map((t) => t.pricingTierId as string),
        features: features.map((f) => f.featureId as string),
      };
    });
  }

  /** The features of these pricing tiers, sorted by feature id, in one statement. */
  featuresOfTiers(pricingTierIds: string[]): Promise<{ pricingTierId: string; featureId: string }[]> {
    return this.db.run((tx) =>
      tx
        .getRepository(PricingTierFeatureEntity)
        .find({ where: { pricingTierId: In(pricingTierIds) }, order: { featureId: 'ASC' } }),
    );
  }

  /** Of these features, those the user holds per scope. One statement; `featureIds` must not be empty. */
  featuresOfUser(userId: string, tenantIds: string[], featureIds: string[]): Promise<FeatureHeld[]> {
    const key = `${tenantIds.length}:${featureIds.length}`;
    let query = this.featureQueries.get(key);
    if (!query) {
      if (this.featureQueries.size > 500) this.featureQueries.clear();
      query = sqlRead<FeatureHeld>(this.db, featureSql(tenantIds.length, featureIds.length));
      this.featureQueries.set(key, query);
    }
    const params: unknown[] = [userId, ...featureIds, userId, ...featureIds];
    if (tenantIds.length > 0) params.push(userId, ...tenantIds, ...featureIds, userId, ...tenantIds, ...featureIds);
    return query(...params);
  }

  /** Who was given a pricing tier or a feature: tenants, users, and (for a feature) pricing tiers. */
  holdersOf(what: Entitlement, id: string): Promise<{ tenants: string[]; users: string[]; pricingTiers: string[] }> {
    const where = { [entitlementKey(what)]: id };
    return this.db.run(async (tx) => {
      const [tenants, users, tiers] = await Promise.all([
        tx.getRepository<ObjectLiteral>(LINKS.tenant[what]).find({ where }),
        tx.getRepository<ObjectLiteral>(LINKS.user[what]).find({ where }),
        what === 'feature' ? tx.getRepository(PricingTierFeatureEntity).find({ where: { featureId: id } }) : [],
      ]);
      return {
        tenants: tenants.map((t) => t.tenantId as string),
        users: users.map((u) => u.userId as string),
        pricingTiers: tiers.map((t) => t.pricingTierId),
      };
    });
  }

  tierHoldsFeature(pricingTierId: string, featureId: string): Promise<boolean> {
    return this.db.run((tx) => tx.getRepository(PricingTierFeatureEntity).existsBy({ pricingTierId, featureId }));
  }

  /** Whether a tenant was given the feature, itself or through one of its pricing tiers. */
  tenantHoldsFeature(tenantId: string, featureId: string): Promise<boolean> {
    return this.db.run(async (tx) => {
      if (await tx.getRepository(TenantFeatureEntity).existsBy({ tenantId, featureId })) return true;
      const tiers = (await tx.getRepository(TenantPricingTierEntity).findBy({ tenantId })).map((t) => t.pricingTierId);
      return (
        tiers.length > 0 && tx.getRepository(PricingTierFeatureEntity).existsBy({ pricingTierId: In(tiers), featureId })
      );
    });
  }
}
