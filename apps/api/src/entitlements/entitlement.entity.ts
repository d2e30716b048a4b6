import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { NamedRecord, TenantEntity } from '../directory/directory.entity.js';
import { UserEntity } from '../users/user.entity.js';

@Entity('features')
export class FeatureEntity extends NamedRecord {}

@Entity('pricing_tiers')
export class PricingTierEntity extends NamedRecord {}

/** A feature a pricing tier holds. */
@Entity('pricing_tier_features')
@Index('ix_pricing_tier_features_feature', ['featureId'])
export class PricingTierFeatureEntity {
  @PrimaryColumn({ name: 'pricing_tier_id', type: 'varchar', length: 128 })
  pricingTierId!: string;

  @PrimaryColumn({ name: 'feature_id', type: 'varchar', length: 128 })
  featureId!: string;

  @ManyToOne(() => PricingTierEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pricing_tier_id' })
  pricingTier?: Relation<PricingTierEntity>;

  @ManyToOne(() => FeatureEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'feature_id' })
  feature?: Relation<FeatureEntity>;
}

/**
 * A pricing tier included in another (Warrant's `pricing-tier:<included>#member@pricing-tier:<tier>`):
 * whoever holds `pricingTierId` holds the features of `includedTierId` too, at any depth.
 */
@Entity('pricing_tier_tiers')
@Index('ix_pricing_tier_tiers_included', ['includedTierId'])
export class PricingTierTierEntity {
  @PrimaryColumn({ name: 'pricing_tier_id', type: 'varchar', length: 128 })
  pricingTierId!: string;

  @PrimaryColumn({ name: 'included_tier_id', type: 'varchar', length: 128 })
  includedTierId!: string;

  @ManyToOne(() => PricingTierEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pricing_tier_id' })
  pricingTier?: Relation<PricingTierEntity>;

  @ManyToOne(() => PricingTierEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'included_tier_id' })
  includedTier?: Relation<PricingTierEntity>;
}

/** A pricing tier given to a tenant (its members hold its features there). */
@Entity('tenant_pricing_tiers')
@Index('ix_tenant_pricing_tiers_tier', ['pricingTierId'])
export class TenantPricingTierEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  @PrimaryColumn({ name: 'pricing_tier_id', type: 'varchar', length: 128 })
  pricingTierId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Relation<TenantEntity>;

  @ManyToOne(() => PricingTierEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pricing_tier_id' })
  pricingTier?: Relation<PricingTierEntity>;
}

/** A single feature given to a tenant. */
@Entity('tenant_features')
@Index('ix_tenant_features_feature', ['featureId'])
export class TenantFeatureEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  @PrimaryColumn({ name: 'feature_id', type: 'varchar', length: 128 })
  featureId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Relation<TenantEntity>;

  @ManyToOne(() => FeatureEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'feature_id' })
  feature?: Relation<FeatureEntity>;
}

/** A pricing tier given to one user. */
@Entity('user_pricing_tiers')
@Index('ix_user_pricing_tiers_tier', ['pricingTierId'])
export class UserPricingTierEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @PrimaryColumn({ name: 'pricing_tier_id', type: 'varchar', length: 128 })
  pricingTierId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;

  @ManyToOne(() => PricingTierEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pricing_tier_id' })
  pricingTier?: Relation<PricingTierEntity>;
}

/** A single feature given to one user. */
@Entity('user_features')
@Index('ix_user_features_feature', ['featureId'])
export class UserFeatureEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @PrimaryColumn({ name: 'feature_id', type: 'varchar', length: 128 })
  featureId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;

  @ManyToOne(() => FeatureEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'feature_id' })
  feature?: Relation<FeatureEntity>;
}
