import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { UsersModule } from '../users/users.module.js';
import { EntitlementController } from './entitlement.controller.js';
import {
  FeatureEntity,
  PricingTierEntity,
  PricingTierFeatureEntity,
  PricingTierTierEntity,
  TenantFeatureEntity,
  TenantPricingTierEntity,
  UserFeatureEntity,
  UserPricingTierEntity,
} from './entitlement.entity.js';
import { EntitlementRepository } from './entitlement.repository.js';
import { EntitlementService } from './entitlement.service.js';

/** Pricing tiers and features, and who has them. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      FeatureEntity,
      PricingTierEntity,
      PricingTierFeatureEntity,
      PricingTierTierEntity,
      TenantPricingTierEntity,
      TenantFeatureEntity,
      UserPricingTierEntity,
      UserFeatureEntity,
    ]),
    DirectoryModule,
    UsersModule,
    AuditModule,
  ],
  controllers: [EntitlementController],
  providers: [EntitlementRepository, EntitlementService],
  exports: [EntitlementService],
})
export class EntitlementsModule {}
