import { Injectable } from '@nestjs/common';
import { In, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { sqlRead } from '../infra/database/sql.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import {
  PricingTierFeatureEntity,
  PricingTierTierEntity,
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

/** The tenants a feature resolution looks in: these, or every tenant the user belongs to ('any'). */
export type FeatureTenants = readonly string[] | 'any';

/**
 * The pricing tiers held, per scope, with the tiers they include at any depth (Warrant's nested
 * tiers): a recursive CTE whose UNION drops rows already found, so a cycle ends. Without nesting the
 * recursive step is one index probe per held tier. Text casts: PostgreSQL wants one column type
 * through the recursion.
 */
function heldTiersSql(tenants: number | 'any'): string {
  const inTenants = tenants === 'any' ? '' : ` WHERE tp.tenant_id IN (${list(tenants)})`;
  const seeds = [`SELECT CAST('' AS TEXT), CAST(pricing_tier_id AS TEXT) FROM user_pricing_tiers WHERE user_id = ?`];
  if (tenants !== 0) {
    seeds.push(
      `SELECT CAST(tp.tenant_id AS TEXT), CAST(tp.pricing_tier_id AS TEXT) FROM tenant_pricing_tiers tp ` +
        `JOIN memberships m ON m.tenant_id = tp.tenant_id AND m.user_id = ?${inTenants}`,
    );
  }
  return (
    `WITH RECURSIVE held_tiers (scope, tier_id) AS (${seeds.join(' UNION ')} UNION ` +
    `SELECT h.scope, CAST(n.included_tier_id AS TEXT) FROM held_tiers h JOIN pricing_tier_tiers n ON n.pricing_tier_id = h.tier_id)`
  );
}

/**
 * The features a user may use, per scope ('' = the user's own, or a tenant id), among those asked:
 * given to the user (directly or through a pricing tier), or to a tenant the user belongs to (the
 * asked ones, or any with 'any'), directly or through its tiers.
 */
function featureSql(tenants: number | 'any', features: number): string {
  const f = list(features);
  const parts = [
    `SELECT '' AS scope, feature_id AS id FROM user_features WHERE user_id = ? AND feature_id IN (${f})`,
    `SELECT h.scope, ptf.feature_id FROM held_tiers h JOIN pricing_tier_features ptf ON ptf.pricing_tier_id = h.tier_id ` +
      `WHERE ptf.feature_id IN (${f})`,
  ];
  if (tenants !== 0) {
    const inTenants = tenants === 'any' ? '' : `tf.tenant_id IN (${list(tenants)}) AND `;
    parts.push(
      `SELECT tf.tenant_id, tf.feature_id FROM tenant_features tf JOIN memberships m ON m.tenant_id = tf.tenant_id AND m.user_id = ? ` +
        `WHERE ${inTenants}tf.feature_id IN (${f})`,
    );
  }
  return `${heldTiersSql(tenants)}\n${parts.join('\nUNION ALL ')}`;
}

/** The parameters of featureSql, in its order. */
function featureParams(userId: string, tenants: FeatureTenants, featureIds: string[]): unknown[] {
  const tenantIds = tenants === 'any' ? [] : tenants;
  const inTenants = tenants === 'any' || tenants.length > 0;
  const params: unknown[] = [userId];
  if (inTenants) params.push(userId, ...tenantIds);
  params.push(userId, ...featureIds, ...featureIds);
  if (inTenants) params.push(userId, ...tenantIds, ...featureIds);
  return params;
}

/** Whether a tenant or a pricing tier holds a feature: itself (a tenant), or through its tiers at any depth. */
const HOLDS_SQL = {
  tenant:
    `WITH RECURSIVE tiers (tier_id) AS (SELECT CAST(pricing_tier_id AS TEXT) FROM tenant_pricing_tiers WHERE tenant_id = ? UNION ` +
    `SELECT CAST(n.included_tier_id AS TEXT) FROM tiers t JOIN pricing_tier_tiers n ON n.pricing_tier_id = t.tier_id)\n` +
    `SELECT 1 AS "held" FROM tenant_features WHERE tenant_id = ? AND feature_id = ?\n` +
    `UNION ALL SELECT 1 FROM tiers t JOIN pricing_tier_features ptf ON ptf.pricing_tier_id = t.tier_id WHERE ptf.feature_id = ?`,
  pricingTier:
    `WITH RECURSIVE tiers (tier_id) AS (SELECT CAST(? AS TEXT) UNION ` +
    `SELECT CAST(n.included_tier_id AS TEXT) FROM tiers t JOIN pricing_tier_tiers n ON n.pricing_tier_id = t.tier_id)\n` +
    `SELECT 1 AS "held" FROM tiers t JOIN pricing_tier_features ptf ON ptf.pricing_tier_id = t.tier_id WHERE ptf.feature_id = ?`,
};

/** The links saying which tenant, user or pricing tier holds which pricing tier or feature. */
@Injectable()
export class EntitlementRepository {
  /** The check path's feature statement, prepared once per shape (how many tenants and features). */
  private readonly featureQueries = new Map<string, (...params: unknown[]) => Promise<FeatureHeld[]>>();

  private readonly holdsQueries: Record<'tenant' | 'pricingTier', (...params: unknown[]) => Promise<unknown[]>>;

  constructor(private readonly db: TransactionRunner) {
    this.holdsQueries = { tenant: sqlRead(db, HOLDS_SQL.tenant), pricingTier: sqlRead(db, HOLDS_SQL.pricingTier) };
  }

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
  featuresOfUser(userId: string, tenants: FeatureTenants, featureIds: string[]): Promise<FeatureHeld[]> {
    const t = tenants === 'any' ? tenants : tenants.length;
    const key = `${t}:${featureIds.length}`;
    let query = this.featureQueries.get(key);
    if (!query) {
      if (this.featureQueries.size > 500) this.featureQueries.clear();
      query = sqlRead<FeatureHeld>(this.db, featureSql(t, featureIds.length));
      this.featureQueries.set(key, query);
    }
    return query(...featureParams(userId, tenants, featureIds));
  }

  /**
   * Who was given a pricing tier or a feature: tenants, users, and pricing tiers (holding the feature,
   * or including the tier).
   */
  holdersOf(what: Entitlement, id: string): Promise<{ tenants: string[]; users: string[]; pricingTiers: string[] }> {
    const where = { [entitlementKey(what)]: id };
    return this.db.run(async (tx) => {
      const [tenants, users, tiers] = await Promise.all([
        tx.getRepository<ObjectLiteral>(LINKS.tenant[what]).find({ where }),
        tx.getRepository<ObjectLiteral>(LINKS.user[what]).find({ where }),
        what === 'feature'
          ? tx.getRepository(PricingTierFeatureEntity).find({ where: { featureId: id } })
          : tx.getRepository(PricingTierTierEntity).find({ where: { includedTierId: id } }),
      ]);
      return {
        tenants: tenants.map((t) => t.tenantId as string),
        users: users.map((u) => u.userId as string),
        pricingTiers: tiers.map((t) => t.pricingTierId),
      };
    });
  }

  /** Lets a pricing tier include another; idempotent. */
  async includeTier(tx: Transaction, pricingTierId: string, includedTierId: string): Promise<void> {
    const link = { pricingTierId, includedTierId };
    await tx.createQueryBuilder().insert().into(PricingTierTierEntity).values(link).orIgnore().execute();
  }

  async excludeTier(tx: Transaction, pricingTierId: string, includedTierId: string): Promise<void> {
    await tx.getRepository(PricingTierTierEntity).delete({ pricingTierId, includedTierId });
  }

  /** The tiers a pricing tier includes directly, sorted. */
  async tiersIncludedIn(pricingTierId: string): Promise<string[]> {
    const rows = await this.db.run((tx) =>
      tx.getRepository(PricingTierTierEntity).find({ where: { pricingTierId }, order: { includedTierId: 'ASC' } }),
    );
    return rows.map((r) => r.includedTierId);
  }

  /** Whether a tenant (itself or through its tiers) or a pricing tier (through the tiers it includes) holds a feature. */
  async holdsFeature(owner: 'tenant' | 'pricingTier', ownerId: string, featureId: string): Promise<boolean> {
    const params = owner === 'tenant' ? [ownerId, ownerId, featureId, featureId] : [ownerId, featureId];
    return (await this.holdsQueries[owner](...params)).length > 0;
  }
}
