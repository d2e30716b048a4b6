import { Controller, Delete, Get, Patch, Post, Put } from '@nestjs/common';
import {
  CreateFeatureRequest,
  CreatePricingTierRequest,
  Entitlements,
  Feature,
  FeaturePage,
  ListQuery,
  PricingTier,
  PricingTierPage,
  UpdateFeatureRequest,
  UpdatePricingTierRequest,
  type Page,
} from '@tessera/dto';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, IdParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, type Actor } from '../auth/principal.js';
import { CatalogService } from '../directory/catalog.service.js';
import { EntitlementService, toFeatureDto } from './entitlement.service.js';

/** Pricing tiers, features, and what tenants and users were given. */
@Controller('v1')
@Auth('admin')
export class EntitlementController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly entitlements: EntitlementService,
  ) {}

  private async tier(id: string): Promise<PricingTier> {
    const [dto] = await this.entitlements.toPricingTierDtos([await this.catalog.get('pricingTier', id)]);
    return dto!;
  }

  @Post('pricing-tiers')
  @Contract({ summary: 'Create a pricing tier', body: CreatePricingTierRequest, response: PricingTier, status: 201 })
  @Errors('duplicate_record')
  async createTier(@ValidBody() body: CreatePricingTierRequest, @CurrentActor() actor: Actor): Promise<PricingTier> {
    const input = { id: body.pricingTierId, name: body.name, description: body.description };
    await this.catalog.create('pricingTier', input, actor);
    return this.tier(body.pricingTierId);
  }

  @Get('pricing-tiers')
  @Contract({ summary: 'List pricing tiers with their features', query: ListQuery, response: PricingTierPage })
  async listTiers(@ValidQuery() query: ListQuery): Promise<Page<PricingTier>> {
    const page = await this.catalog.list('pricingTier', query);
    return { items: await this.entitlements.toPricingTierDtos(page.items), next: page.next };
  }

  @Get('pricing-tiers/:pricingTierId')
  @Contract({ summary: 'Get a pricing tier with its features', response: PricingTier })
  getTier(@IdParam('pricingTierId') id: string): Promise<PricingTier> {
    return this.tier(id);
  }

  @Patch('pricing-tiers/:pricingTierId')
  @Contract({
    summary: 'Change the name or description of a pricing tier',
    body: UpdatePricingTierRequest,
    response: PricingTier,
  })
  async updateTier(
    @IdParam('pricingTierId') id: string,
    @ValidBody() body: UpdatePricingTierRequest,
    @CurrentActor() actor: Actor,
  ): Promise<PricingTier> {
    await this.catalog.update('pricingTier', id, body, actor);
    return this.tier(id);
  }

  @Delete('pricing-tiers/:pricingTierId')
  @Contract({ summary: 'Delete a pricing tier; whoever had it loses it', status: 204 })
  deleteTier(@IdParam('pricingTierId') id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.catalog.remove('pricingTier', id, actor);
  }

  @Put('pricing-tiers/:pricingTierId/features/:featureId')
  @Contract({ summary: 'Let a pricing tier hold a feature (idempotent)', status: 204 })
  addTierFeature(
    @IdParam('pricingTierId') id: string,
    @IdParam('featureId') featureId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.setTierFeature(id, featureId, true, actor);
  }

  @Delete('pricing-tiers/:pricingTierId/features/:featureId')
  @Contract({ summary: 'Take a feature from a pricing tier', status: 204 })
  removeTierFeature(
    @IdParam('pricingTierId') id: string,
    @IdParam('featureId') featureId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.setTierFeature(id, featureId, false, actor);
  }

  @Post('features')
  @Contract({ summary: 'Create a feature', body: CreateFeatureRequest, response: Feature, status: 201 })
  @Errors('duplicate_record')
  async createFeature(@ValidBody() body: CreateFeatureRequest, @CurrentActor() actor: Actor): Promise<Feature> {
    const input = { id: body.featureId, name: body.name, description: body.description };
    return toFeatureDto(await this.catalog.create('feature', input, actor));
  }

  @Get('features')
  @Contract({ summary: 'List features', query: ListQuery, response: FeaturePage })
  async listFeatures(@ValidQuery() query: ListQuery): Promise<Page<Feature>> {
    const page = await this.catalog.list('feature', query);
    return { items: page.items.map(toFeatureDto), next: page.next };
  }

  @Get('features/:featureId')
  @Contract({ summary: 'Get a feature', response: Feature })
  async getFeature(@IdParam('featureId') id: string): Promise<Feature> {
    return toFeatureDto(await this.catalog.get('feature', id));
  }

  @Patch('features/:featureId')
  @Contract({ summary: 'Change the name or description of a feature', body: UpdateFeatureRequest, response: Feature })
  async updateFeature(
    @IdParam('featureId') id: string,
    @ValidBody() body: UpdateFeatureRequest,
    @CurrentActor() actor: Actor,
  ): Promise<Feature> {
    return toFeatureDto(await this.catalog.update('feature', id, body, actor));
  }

  @Delete('features/:featureId')
  @Contract({ summary: 'Delete a feature; whoever had it loses it', status: 204 })
  deleteFeature(@IdParam('featureId') id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.catalog.remove('feature', id, actor);
  }

  @Get('tenants/:tenantId/entitlements')
  @Contract({ summary: 'The pricing tiers and features given to a tenant', response: Entitlements })
  ofTenant(@IdParam('tenantId') tenantId: string): Promise<Entitlements> {
    return this.entitlements.of('tenant', tenantId);
  }

  @Put('tenants/:tenantId/pricing-tiers/:pricingTierId')
  @Contract({ summary: "Give a tenant a pricing tier (its members get the tier's features there)", status: 204 })
  giveTenantTier(
    @IdParam('tenantId') tenantId: string,
    @IdParam('pricingTierId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.set('tenant', tenantId, 'pricingTier', id, true, actor);
  }

  @Delete('tenants/:tenantId/pricing-tiers/:pricingTierId')
  @Contract({ summary: 'Take a pricing tier from a tenant', status: 204 })
  takeTenantTier(
    @IdParam('tenantId') tenantId: string,
    @IdParam('pricingTierId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.set('tenant', tenantId, 'pricingTier', id, false, actor);
  }

  @Put('tenants/:tenantId/features/:featureId')
  @Contract({ summary: 'Give a tenant a feature', status: 204 })
  giveTenantFeature(
    @IdParam('tenantId') tenantId: string,
    @IdParam('featureId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.set('tenant', tenantId, 'feature', id, true, actor);
  }

  @Delete('tenants/:tenantId/features/:featureId')
  @Contract({ summary: 'Take a feature from a tenant', status: 204 })
  takeTenantFeature(
    @IdParam('tenantId') tenantId: string,
    @IdParam('featureId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.set('tenant', tenantId, 'feature', id, false, actor);
  }

  @Get('users/:userId/entitlements')
  @Contract({ summary: 'The pricing tiers and features given to a user', response: Entitlements })
  ofUser(@IdParam('userId') userId: string): Promise<Entitlements> {
    return this.entitlements.of('user', userId);
  }

  @Put('users/:userId/pricing-tiers/:pricingTierId')
  @Contract({ summary: 'Give a user a pricing tier', status: 204 })
  giveUserTier(
    @IdParam('userId') userId: string,
    @IdParam('pricingTierId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.set('user', userId, 'pricingTier', id, true, actor);
  }

  @Delete('users/:userId/pricing-tiers/:pricingTierId')
  @Contract({ summary: 'Take a pricing tier from a user', status: 204 })
  takeUserTier(
    @IdParam('userId') userId: string,
    @IdParam('pricingTierId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.set('user', userId, 'pricingTier', id, false, actor);
  }

  @Put('users/:userId/features/:featureId')
  @Contract({ summary: 'Give a user a feature', status: 204 })
  giveUserFeature(
    @IdParam('userId') userId: string,
    @IdParam('featureId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.set('user', userId, 'feature', id, true, actor);
  }

  @Delete('users/:userId/features/:featureId')
  @Contract({ summary: 'Take a feature from a user', status: 204 })
  takeUserFeature(
    @IdParam('userId') userId: string,
    @IdParam('featureId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.entitlements.set('user', userId, 'feature', id, false, actor);
  }
}
