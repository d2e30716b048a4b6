import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
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
import { PermissionController, RoleController } from './role.controller.js';
import { TenantService } from './tenant.service.js';

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
    AuditModule,
  ],
  controllers: [RoleController, PermissionController],
  providers: [TenantService, CatalogService],
  exports: [TenantService, CatalogService],
})
export class DirectoryModule {}
