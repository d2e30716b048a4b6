import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { TenantController } from '../directory/tenant.controller.js';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { CheckController } from './check.controller.js';
import { GrantService } from './grant.service.js';

/** The one permission resolver: every "does U hold P" asks it. */
@Module({
  imports: [DirectoryModule, EntitlementsModule, AuditModule],
  controllers: [CheckController, TenantController],
  providers: [GrantService],
  exports: [GrantService],
})
export class CheckModule {}
