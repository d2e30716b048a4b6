import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { CatalogService } from './catalog.service.js';
import { CheckController } from './check.controller.js';
import { EntitlementController } from './entitlement.controller.js';
import { EntitlementService } from './entitlement.service.js';
import { GrantService } from './grant.service.js';
import { PasswordService } from './password.service.js';
import { PermissionController, RoleController } from './role.controller.js';
import { TenantController } from './tenant.controller.js';
import { TenantService } from './tenant.service.js';
import { UserService } from './user.service.js';

/** The directory: users, tenants, roles, permissions, grants, and the check that reads them. */
@Module({
  imports: [AuditModule],
  controllers: [TenantController, RoleController, PermissionController, CheckController, EntitlementController],
  providers: [UserService, PasswordService, TenantService, CatalogService, GrantService, EntitlementService],
  exports: [UserService, PasswordService, TenantService, GrantService, CatalogService, EntitlementService],
})
export class TenantModule {}
