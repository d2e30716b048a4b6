import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { EntitlementController } from './entitlement.controller.js';
import {
  FeatureEntity,
  PricingTierEntity,
  PricingTierFeatureEntity,
  TenantFeatureEntity,
  TenantPricingTierEntity,
  UserFeatureEntity,
  UserPricingTierEntity,
} from './entitlement.entity.js';
import { EntitlementService } from './entitlement.service.js';

/** Pricing tiers and features, and who has them. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      FeatureEntity,
      PricingTierEntity,
      PricingTierFeatureEntity,
      TenantPricingTierEntity,
      TenantFeatureEntity,
      UserPricingTierEntity,
      UserFeatureEntity,
    ]),
    DirectoryModule,
    AuditModule,
  ],
  controllers: [EntitlementController],
  providers: [EntitlementService],
  exports: [EntitlementService],
})
export class EntitlementsModule {}
