import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SessionModule } from '../session/session.module.js';
import { TenantModule } from '../tenant/tenant.module.js';
import { AdminController } from './admin.controller.js';
import { ApiKeyService } from './api-key.service.js';
import { BootstrapService } from './bootstrap.service.js';
import { ImpersonationService } from './impersonation.service.js';
import { UserController } from './user.controller.js';
import { UserAdminService } from './user-admin.service.js';

/** Impersonation, API keys, user administration and the audit log's reader. */
@Module({
  imports: [TenantModule, SessionModule, AuditModule],
  controllers: [AdminController, UserController],
  providers: [ApiKeyService, BootstrapService, ImpersonationService, UserAdminService],
  exports: [ApiKeyService, ImpersonationService, UserAdminService],
})
export class AdminModule {}
