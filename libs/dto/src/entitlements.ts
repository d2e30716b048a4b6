import { z } from 'zod';
import { Id, Timestamp, pageOf } from './common.js';

const Name = z.string().min(1).max(200);
const Description = z.string().max(1000);

/** A feature of the product a customer may be entitled to (Warrant's `feature`). */
export const Feature = z.object({
  featureId: Id,
  name: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Feature = z.infer<typeof Feature>;
export const CreateFeatureRequest = z.strictObject({
  featureId: Id,
  name: Name.optional(),
  description: Description.optional(),
});
export type CreateFeatureRequest = z.infer<typeof CreateFeatureRequest>;
export const UpdateFeatureRequest = z.strictObject({
  name: Name.nullable().optional(),
  description: Description.nullable().optional(),
});
export type UpdateFeatureRequest = z.infer<typeof UpdateFeatureRequest>;
export const FeaturePage = pageOf(Feature);

/** A bundle of features (a plan such as "pro"), given to tenants or users (Warrant's `pricing-tier`). */
export const PricingTier = z.object({
  pricingTierId: Id,
  name: z.string().nullable(),
  description: z.string().nullable(),
  /** The features this tier holds. */
  features: z.array(Id),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type PricingTier = z.infer<typeof PricingTier>;
export const CreatePricingTierRequest = z.strictObject({
  pricingTierId: Id,
  name: Name.optional(),
  description: Description.optional(),
});
export type CreatePricingTierRequest = z.infer<typeof CreatePricingTierRequest>;
export const UpdatePricingTierRequest = UpdateFeatureRequest;
export type UpdatePricingTierRequest = z.infer<typeof UpdatePricingTierRequest>;
export const PricingTierPage = pageOf(PricingTier);

/** What a tenant or a user was given directly: pricing tiers and single features. */
export const Entitlements = z.object({ pricingTiers: z.array(Id), features: z.array(Id) });
export type Entitlements = z.infer<typeof Entitlements>;
