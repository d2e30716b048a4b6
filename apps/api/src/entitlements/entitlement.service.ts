import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { In, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { Entitlements, Feature, PricingTier } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { notFound } from '../infra/http/api-error.js';
import { addTo } from '../common/map-of-sets.js';
import type { Actor } from '../auth/principal.js';
import { iso } from '../infra/database/columns.js';
import { sqlRead } from '../infra/database/sql.js';
import { CatalogService } from '../directory/catalog.service.js';
import { TenantEntity, type NamedRecord } from '../directory/directory.entity.js';
import {
  PricingTierFeatureEntity,
  TenantFeatureEntity,
  TenantPricingTierEntity,
  UserFeatureEntity,
  UserPricingTierEntity,
} from './entitlement.entity.js';
import { UserEntity } from '../users/user.entity.js';

export type EntitlementOwner = 'tenant' | 'user';
export type Entitlement = 'pricingTier' | 'feature';

const LINKS: Record<EntitlementOwner, Record<Entitlement, EntityTarget<ObjectLiteral>>> = {
  tenant: { pricingTier: TenantPricingTierEntity, feature: TenantFeatureEntity },
  user: { pricingTier: UserPricingTierEntity, feature: UserFeatureEntity },
};
const OWNER = { tenant: TenantEntity, user: UserEntity } as const;
/** What an entitlement event names: who was given (or lost) which pricing tier or feature. */
interface EntitlementChange {
  owner: EntitlementOwner | 'pricingTier';
  ownerId: string;
  kind: Entitlement;
  id: string;
}
const ownerKey = (owner: EntitlementOwner) => (owner === 'tenant' ? 'tenantId' : 'userId');

export function toFeatureDto(f: NamedRecord): Feature {
  return {
    featureId: f.id,
    name: f.name,
    description: f.description,
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
  };
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

/** Pricing tiers, features, and who was given them: the only writer of those link tables. */
@Injectable()
export class EntitlementService {
  private readonly featureQueries = new Map<
    string,
    (...params: unknown[]) => Promise<{ scope: string; id: string }[]>
  >();

  constructor(
    private readonly db: TransactionRunner,
    private readonly catalog: CatalogService,
    private readonly audit: AuditService,
  ) {}

  /** Audits giving (or taking back) a pricing tier or feature, inside the transaction that does it. */
  private record(m: EntityManager, actor: Actor, given: boolean, change: EntitlementChange) {
    return this.audit.record(m, {
      type: given ? 'entitlement.added' : 'entitlement.removed',
      actor,
      userId: change.owner === 'user' ? change.ownerId : null,
      tenantId: change.owner === 'tenant' ? change.ownerId : null,
      details: { ...change },
    });
  }

  private async requireOwner(owner: EntitlementOwner, ownerId: string): Promise<void> {
    if (!(await this.db.manager.getRepository<ObjectLiteral>(OWNER[owner]).existsBy({ id: ownerId })))
      throw notFound(owner, ownerId);
  }

  /** Gives (or takes back) a pricing tier or a feature to a tenant or a user. Idempotent. */
  async set(
    owner: EntitlementOwner,
    ownerId: string,
    what: Entitlement,
    id: string,
    given: boolean,
    actor: Actor,
  ): Promise<void> {
    await this.requireOwner(owner, ownerId);
    await this.catalog.requireExisting(what, [id]);
    const row = { [ownerKey(owner)]: ownerId, [what === 'feature' ? 'featureId' : 'pricingTierId']: id };
    await this.db.transaction(async (m) => {
      if (given) await m.createQueryBuilder().insert().into(LINKS[owner][what]).values(row).orIgnore().execute();
      else await m.getRepository(LINKS[owner][what]).delete(row);
      await this.record(m, actor, given, { owner, ownerId, kind: what, id });
    });
  }

  async of(owner: EntitlementOwner, ownerId: string): Promise<Entitlements> {
    await this.requireOwner(owner, ownerId);
    const where = { [ownerKey(owner)]: ownerId };
    const [tiers, features] = await Promise.all([
      this.db.manager
        .getRepository<ObjectLiteral>(LINKS[owner].pricingTier)
        .find({ where, order: { pricingTierId: 'ASC' } }),
      this.db.manager.getRepository<ObjectLiteral>(LINKS[owner].feature).find({ where, order: { featureId: 'ASC' } }),
    ]);
    return {
      pricingTiers: tiers.map((t) => t.pricingTierId as string),
      features: features.map((f) => f.featureId as string),
    };
  }

  async setTierFeature(pricingTierId: string, featureId: string, held: boolean, actor: Actor): Promise<void> {
    await this.catalog.requireExisting('pricingTier', [pricingTierId]);
    await this.catalog.requireExisting('feature', [featureId]);
    const link = { pricingTierId, featureId };
    await this.db.transaction(async (m) => {
      if (held) await m.createQueryBuilder().insert().into(PricingTierFeatureEntity).values(link).orIgnore().execute();
      else await m.getRepository(PricingTierFeatureEntity).delete(link);
      const change: EntitlementChange = {
        owner: 'pricingTier',
        ownerId: pricingTierId,
        kind: 'feature',
        id: featureId,
      };
      await this.record(m, actor, held, change);
    });
  }

  /** Pricing tiers as the API shows them, with their features in one query for the batch. */
  async toPricingTierDtos(tiers: NamedRecord[]): Promise<PricingTier[]> {
    const links =
      tiers.length === 0
        ? []
        : await this.db.manager
            .getRepository(PricingTierFeatureEntity)
            .find({ where: { pricingTierId: In(tiers.map((t) => t.id)) }, order: { featureId: 'ASC' } });
    return tiers.map((t) => ({
      pricingTierId: t.id,
      name: t.name,
      description: t.description,
      features: links.filter((l) => l.pricingTierId === t.id).map((l) => l.featureId),
      createdAt: iso(t.createdAt),
      updatedAt: iso(t.updatedAt),
    }));
  }

  /** The asked features the user may use, per scope ('' for their own, else the tenant's id). One statement. */
  async featuresOfUser(userId: string, tenantIds: string[], featureIds: string[]): Promise<Map<string, Set<string>>> {
    const byScope = new Map<string, Set<string>>();
    if (featureIds.length === 0) return byScope;
    const key = `${tenantIds.length}:${featureIds.length}`;
    let query = this.featureQueries.get(key);
    if (!query) {
      if (this.featureQueries.size > 500) this.featureQueries.clear();
      query = sqlRead<{ scope: string; id: string }>(this.db, featureSql(tenantIds.length, featureIds.length));
      this.featureQueries.set(key, query);
    }
    const params: unknown[] = [userId, ...featureIds, userId, ...featureIds];
    if (tenantIds.length > 0) params.push(userId, ...tenantIds, ...featureIds, userId, ...tenantIds, ...featureIds);
    for (const r of await query(...params)) addTo(byScope, r.scope, r.id);
    return byScope;
  }

  /** Who was given a pricing tier or a feature: tenants, users, and (features) pricing tiers. */
  async holdersOf(what: Entitlement, id: string): Promise<{ type: 'tenant' | 'user' | 'pricing-tier'; id: string }[]> {
    const key = what === 'feature' ? 'featureId' : 'pricingTierId';
    const [tenants, users, tiers] = await Promise.all([
      this.db.manager.getRepository<ObjectLiteral>(LINKS.tenant[what]).find({ where: { [key]: id } }),
      this.db.manager.getRepository<ObjectLiteral>(LINKS.user[what]).find({ where: { [key]: id } }),
      what === 'feature'
        ? this.db.manager.getRepository(PricingTierFeatureEntity).find({ where: { featureId: id } })
        : [],
    ]);
    return [
      ...tenants.map((t) => ({ type: 'tenant' as const, id: t.tenantId as string })),
      ...users.map((u) => ({ type: 'user' as const, id: u.userId as string })),
      ...tiers.map((t) => ({ type: 'pricing-tier' as const, id: t.pricingTierId })),
    ];
  }

  /** What a tenant, user or pricing tier was given. */
  async heldBy(owner: EntitlementOwner | 'pricingTier', id: string): Promise<{ type: Entitlement; id: string }[]> {
    if (owner === 'pricingTier') {
      return (await this.db.manager.getRepository(PricingTierFeatureEntity).find({ where: { pricingTierId: id } })).map(
        (l) => ({ type: 'feature' as const, id: l.featureId }),
      );
    }
    const given = await this.of(owner, id);
    return [
      ...given.pricingTiers.map((p) => ({ type: 'pricingTier' as const, id: p })),
      ...given.features.map((f) => ({ type: 'feature' as const, id: f })),
    ];
  }

  /** Whether a tenant or a pricing tier holds a feature (Warrant subjects other than users). */
  async holds(subject: 'tenant' | 'pricingTier', subjectId: string, featureId: string): Promise<boolean> {
    if (subject === 'pricingTier')
      return this.db.manager.getRepository(PricingTierFeatureEntity).existsBy({ pricingTierId: subjectId, featureId });
    if (await this.db.manager.getRepository(TenantFeatureEntity).existsBy({ tenantId: subjectId, featureId }))
      return true;
    const tiers = (await this.db.manager.getRepository(TenantPricingTierEntity).findBy({ tenantId: subjectId })).map(
      (t) => t.pricingTierId,
    );
    return (
      tiers.length > 0 &&
      this.db.manager.getRepository(PricingTierFeatureEntity).existsBy({ pricingTierId: In(tiers), featureId })
    );
  }
}
