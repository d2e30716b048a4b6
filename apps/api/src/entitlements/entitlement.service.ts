import { Injectable } from '@nestjs/common';
import type { Entitlements, Feature, PricingTier } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError } from '../infra/http/api-error.js';
import { addTo } from '../common/map-of-sets.js';
import type { Actor } from '../auth/principal.js';
import { iso } from '../infra/database/columns.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { CatalogService } from '../directory/catalog.service.js';
import type { NamedRecord } from '../directory/directory.entity.js';
import { TenantService } from '../directory/tenant.service.js';
import { UserService } from '../users/user.service.js';
import {
  EntitlementRepository,
  type Entitlement,
  type EntitlementOwner,
  type FeatureTenants,
} from './entitlement.repository.js';

export type { Entitlement, EntitlementOwner, FeatureTenants } from './entitlement.repository.js';

/** What an entitlement event names: who was given (or lost) which pricing tier or feature. */
interface EntitlementChange {
  owner: EntitlementOwner | 'pricingTier';
  ownerId: string;
  kind: Entitlement;
  id: string;
}

export function toFeatureDto(f: NamedRecord): Feature {
  return {
    featureId: f.id,
    name: f.name,
    description: f.description,
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
  };
}

/** Pricing tiers, features, and who was given them: the only writer of those link tables. */
@Injectable()
export class EntitlementService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly links: EntitlementRepository,
    private readonly catalog: CatalogService,
    private readonly tenants: TenantService,
    private readonly users: UserService,
    private readonly audit: AuditService,
  ) {}

  /** Audits giving (or taking back) a pricing tier or feature, inside the transaction that does it. */
  private record(tx: Transaction, actor: Actor, given: boolean, change: EntitlementChange) {
    return this.audit.record(tx, {
      type: given ? 'entitlement.added' : 'entitlement.removed',
      actor,
      userId: change.owner === 'user' ? change.ownerId : null,
      tenantId: change.owner === 'tenant' ? change.ownerId : null,
      details: { ...change },
    });
  }

  /** 404 for an unknown tenant or user. */
  private async requireOwner(owner: EntitlementOwner, ownerId: string): Promise<void> {
    if (owner === 'tenant') await this.tenants.get(ownerId);
    else await this.users.getById(ownerId);
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
    await this.db.transaction(async (tx) => {
      if (given) await this.links.give(tx, owner, ownerId, what, id);
      else await this.links.take(tx, owner, ownerId, what, id);
      await this.record(tx, actor, given, { owner, ownerId, kind: what, id });
    });
  }

  async of(owner: EntitlementOwner, ownerId: string): Promise<Entitlements> {
    await this.requireOwner(owner, ownerId);
    return this.links.givenTo(owner, ownerId);
  }

  async setTierFeature(pricingTierId: string, featureId: string, held: boolean, actor: Actor): Promise<void> {
    await this.catalog.requireExisting('pricingTier', [pricingTierId]);
    await this.catalog.requireExisting('feature', [featureId]);
    await this.db.transaction(async (tx) => {
      if (held) await this.links.addFeatureToTier(tx, pricingTierId, featureId);
      else await this.links.removeFeatureFromTier(tx, pricingTierId, featureId);
      const change: EntitlementChange = {
        owner: 'pricingTier',
        ownerId: pricingTierId,
        kind: 'feature',
        id: featureId,
      };
      await this.record(tx, actor, held, change);
    });
  }

  /** Pricing tiers as the API shows them, with their features in one query for the batch. */
  async toPricingTierDtos(tiers: NamedRecord[]): Promise<PricingTier[]> {
    const links = tiers.length === 0 ? [] : await this.links.featuresOfTiers(tiers.map((t) => t.id));
    return tiers.map((t) => ({
      pricingTierId: t.id,
      name: t.name,
      description: t.description,
      features: links.filter((l) => l.pricingTierId === t.id).map((l) => l.featureId),
      createdAt: iso(t.createdAt),
      updatedAt: iso(t.updatedAt),
    }));
  }

  /**
   * The asked features the user may use, per scope ('' for their own, else the tenant's id), in these
   * tenants or in every tenant they belong to ('any'). One statement.
   */
  async featuresOfUser(
    userId: string,
    tenants: FeatureTenants,
    featureIds: string[],
  ): Promise<Map<string, Set<string>>> {
    const byScope = new Map<string, Set<string>>();
    if (featureIds.length === 0) return byScope;
    for (const r of await this.links.featuresOfUser(userId, tenants, featureIds)) addTo(byScope, r.scope, r.id);
    return byScope;
  }

  /** Who was given a pricing tier or a feature: tenants, users, and (features) pricing tiers. */
  async holdersOf(what: Entitlement, id: string): Promise<{ type: 'tenant' | 'user' | 'pricing-tier'; id: string }[]> {
    const { tenants, users, pricingTiers } = await this.links.holdersOf(what, id);
    return [
      ...tenants.map((t) => ({ type: 'tenant' as const, id: t })),
      ...users.map((u) => ({ type: 'user' as const, id: u })),
      ...pricingTiers.map((t) => ({ type: 'pricing-tier' as const, id: t })),
    ];
  }

  /** What a tenant, user or pricing tier was given. */
  async heldBy(owner: EntitlementOwner | 'pricingTier', id: string): Promise<{ type: Entitlement; id: string }[]> {
    if (owner === 'pricingTier') {
      const [features, tiers] = await Promise.all([this.links.featuresOfTiers([id]), this.links.tiersIncludedIn(id)]);
      return [
        ...tiers.map((t) => ({ type: 'pricingTier' as const, id: t })),
        ...features.map((l) => ({ type: 'feature' as const, id: l.featureId })),
      ];
    }
    const given = await this.of(owner, id);
    return [
      ...given.pricingTiers.map((p) => ({ type: 'pricingTier' as const, id: p })),
      ...given.features.map((f) => ({ type: 'feature' as const, id: f })),
    ];
  }

  /** Whether a tenant or a pricing tier holds a feature, through nested tiers too (Warrant subjects other than users). */
  holds(subject: 'tenant' | 'pricingTier', subjectId: string, featureId: string): Promise<boolean> {
    return this.links.holdsFeature(subject, subjectId, featureId);
  }

  /**
   * Lets a pricing tier include another (or stop): whoever holds `pricingTierId` then holds
   * `includedTierId`'s features. Idempotent; a tier cannot include itself.
   */
  async setTierIncludes(pricingTierId: string, includedTierId: string, included: boolean, actor: Actor): Promise<void> {
    await this.catalog.requireExisting('pricingTier', [pricingTierId, includedTierId]);
    if (included && pricingTierId === includedTierId) {
      throw new ApiError('invalid_request', 'A pricing tier cannot include itself', {
        fields: { pricingTierId: 'a pricing tier cannot include itself' },
      });
    }
    await this.db.transaction(async (tx) => {
      if (included) await this.links.includeTier(tx, pricingTierId, includedTierId);
      else await this.links.excludeTier(tx, pricingTierId, includedTierId);
      const change: EntitlementChange = {
        owner: 'pricingTier',
        ownerId: pricingTierId,
        kind: 'pricingTier',
        id: includedTierId,
      };
      await this.record(tx, actor, included, change);
    });
  }
}
