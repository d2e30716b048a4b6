import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { UsersModule } from '../users/users.module.js';
import { CatalogRepository } from './catalog.repository.js';
import { CatalogService } from './catalog.service.js';
import {
  CatalogVersionEntity,
  GlobalPermissionGrantEntity,
  GlobalRoleGrantEntity,
  GrantVersionEntity,
  MembershipEntity,
  PermissionEntity,
  RoleEntity,
  RolePermissionEntity,
  TenantEntity,
  TenantPermissionGrantEntity,
  TenantRoleGrantEntity,
} from './directory.entity.js';
import { GrantRepository } from './grant.repository.js';
import { GrantService } from './grant.service.js';
import { PermissionController, RoleController } from './role.controller.js';
import { TenantController } from './tenant.controller.js';
import { TenantRepository } from './tenant.repository.js';
import { TenantService } from './tenant.service.js';
import { TenantAccessService } from './tenant-access.service.js';

/** The design's tenant module: tenants, the roles and permissions catalog, memberships and grants. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      TenantEntity,
      RoleEntity,
      PermissionEntity,
      RolePermissionEntity,
      MembershipEntity,
      TenantRoleGrantEntity,
      TenantPermissionGrantEntity,
      GlobalRoleGrantEntity,
      GlobalPermissionGrantEntity,
      GrantVersionEntity,
      CatalogVersionEntity,
    ]),
    UsersModule,
    AuditModule,
  ],
  controllers: [TenantController, RoleController, PermissionController],
  providers: [
    TenantService,
    TenantAccessService,
    CatalogService,
    GrantService,
    TenantRepository,
    CatalogRepository,
    GrantRepository,
  ],
  exports: [TenantService, CatalogService, GrantService],
})
export class DirectoryModule {}
