import { Controller, Delete, Get, Patch, Post, Put } from '@nestjs/common';
import {
  CreateTenantRequest,
  ListQuery,
  MemberPage,
  Tenant,
  TenantPage,
  UpdateTenantRequest,
  type Member,
  type Page,
} from '@tessera/dto';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, IdParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, type Actor } from '../auth/principal.js';
import { GrantService } from './grant.service.js';
import { TenantService, toTenantDto } from './tenant.service.js';

@Controller('v1/tenants')
@Auth('admin')
export class TenantController {
  constructor(
    private readonly tenants: TenantService,
    private readonly grants: GrantService,
  ) {}

  @Post()
  @Contract({ summary: 'Create a tenant', body: CreateTenantRequest, response: Tenant, status: 201 })
  @Errors('duplicate_record')
  async create(@ValidBody() body: CreateTenantRequest, @CurrentActor() actor: Actor): Promise<Tenant> {
    return toTenantDto(await this.tenants.create(body, actor));
  }

  @Get()
  @Contract({ summary: 'List tenants', query: ListQuery, response: TenantPage })
  async list(@ValidQuery() query: ListQuery): Promise<Page<Tenant>> {
    const page = await this.tenants.list(query);
    return { items: page.items.map(toTenantDto), next: page.next };
  }

  @Get(':tenantId')
  @Contract({ summary: 'Get a tenant', response: Tenant })
  async get(@IdParam('tenantId') tenantId: string): Promise<Tenant> {
    return toTenantDto(await this.tenants.get(tenantId));
  }

  @Patch(':tenantId')
  @Contract({ summary: 'Rename a tenant', body: UpdateTenantRequest, response: Tenant })
  async update(
    @IdParam('tenantId') tenantId: string,
    @ValidBody() body: UpdateTenantRequest,
    @CurrentActor() actor: Actor,
  ): Promise<Tenant> {
    return toTenantDto(await this.tenants.rename(tenantId, body.name, actor));
  }

  @Delete(':tenantId')
  @Contract({ summary: 'Delete a tenant with its memberships and grants', status: 204 })
  remove(@IdParam('tenantId') tenantId: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.tenants.remove(tenantId, actor);
  }

  @Get(':tenantId/users')
  @Contract({
    summary: 'Members of a tenant with their roles and permissions there',
    query: ListQuery,
    response: MemberPage,
  })
  members(@IdParam('tenantId') tenantId: string, @ValidQuery() query: ListQuery): Promise<Page<Member>> {
    return this.tenants.members(tenantId, query);
  }

  @Put(':tenantId/users/:userId')
  @Contract({ summary: 'Add a member (idempotent)', status: 204 })
  addMember(@IdParam('tenantId') t: string, @IdParam('userId') u: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.tenants.addMember(t, u, actor);
  }

  @Delete(':tenantId/users/:userId')
  @Contract({ summary: 'Remove a member and their grants in this tenant', status: 204 })
  removeMember(
    @IdParam('tenantId') tenantId: string,
    @IdParam('userId') userId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.tenants.removeMember(tenantId, userId, actor);
  }

  @Put(':tenantId/users/:userId/roles/:roleId')
  @Contract({ summary: 'Grant a role in this tenant (makes the user a member)', status: 204 })
  grantRole(
    @IdParam('tenantId') t: string,
    @IdParam('userId') u: string,
    @IdParam('roleId') r: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.grants.grantInTenant('role', t, u, r, actor);
  }

  @Delete(':tenantId/users/:userId/roles/:roleId')
  @Contract({ summary: 'Revoke a role in this tenant', status: 204 })
  revokeRole(
    @IdParam('tenantId') t: string,
    @IdParam('userId') u: string,
    @IdParam('roleId') r: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.grants.revokeInTenant('role', t, u, r, actor);
  }

  @Put(':tenantId/users/:userId/permissions/:permissionId')
  @Contract({ summary: 'Grant a permission in this tenant (makes the user a member)', status: 204 })
  grantPermission(
    @IdParam('tenantId') t: string,
    @IdParam('userId') u: string,
    @IdParam('permissionId') p: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.grants.grantInTenant('permission', t, u, p, actor);
  }

  @Delete(':tenantId/users/:userId/permissions/:permissionId')
  @Contract({ summary: 'Revoke a permission in this tenant', status: 204 })
  revokePermission(
    @IdParam('tenantId') t: string,
    @IdParam('userId') u: string,
    @IdParam('permissionId') p: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.grants.revokeInTenant('permission', t, u, p, actor);
  }
}
