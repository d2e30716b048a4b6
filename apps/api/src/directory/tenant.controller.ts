import { Controller, Delete, Get, Patch, Post, Put } from '@nestjs/common';
import {
  Assignable,
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
import { CurrentActor, CurrentPrincipal, type Actor, type Principal } from '../auth/principal.js';
import { GrantService, type GrantKind } from './grant.service.js';
import { TenantAccessService } from './tenant-access.service.js';
import { TenantService, toTenantDto } from './tenant.service.js';

/**
 * Tenants, their members and grants. Routes marked `@Auth('admin', 'user')` also serve tenant admins
 * (a `user` session holding `admin` in the tenant), within the limits TenantAccessService sets.
 */
@Controller('v1/tenants')
@Auth('admin')
export class TenantController {
  constructor(
    private readonly tenants: TenantService,
    private readonly grants: GrantService,
    private readonly access: TenantAccessService,
  ) {}

  @Post()
  @Contract({ summary: 'Create a tenant', body: CreateTenantRequest, response: Tenant, status: 201 })
  @Errors('duplicate_record')
  async create(@ValidBody() body: CreateTenantRequest, @CurrentActor() actor: Actor): Promise<Tenant> {
    return toTenantDto(await this.tenants.create(body, actor));
  }

  @Get()
  @Auth('admin', 'user')
  @Contract({ summary: 'List tenants (a tenant admin: those they administer)', query: ListQuery, response: TenantPage })
  async list(@ValidQuery() query: ListQuery, @CurrentPrincipal() principal: Principal): Promise<Page<Tenant>> {
    const page = await this.access.list(principal, query);
    return { items: page.items.map(toTenantDto), next: page.next };
  }

  @Get(':tenantId')
  @Auth('admin', 'user')
  @Contract({ summary: 'Get a tenant', response: Tenant })
  async get(@IdParam('tenantId') tenantId: string, @CurrentPrincipal() principal: Principal): Promise<Tenant> {
    await this.access.requireManager(principal, tenantId);
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
  @Auth('admin', 'user')
  @Contract({
    summary: 'Members of a tenant with their roles and permissions there',
    query: ListQuery,
    response: MemberPage,
  })
  async members(
    @IdParam('tenantId') tenantId: string,
    @ValidQuery() query: ListQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<Member>> {
    await this.access.requireManager(principal, tenantId);
    return this.tenants.members(tenantId, query);
  }

  @Get(':tenantId/assignable')
  @Auth('admin', 'user')
  @Contract({
    summary: 'The roles and permissions the caller may grant or revoke in this tenant',
    response: Assignable,
  })
  async assignable(
    @IdParam('tenantId') tenantId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Assignable> {
    return this.access.assignable(principal, tenantId);
  }

  @Put(':tenantId/users/:userId')
  @Auth('admin', 'user')
  @Contract({ summary: 'Add a member (idempotent)', status: 204 })
  async addMember(
    @IdParam('tenantId') t: string,
    @IdParam('userId') u: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.access.requireMayAdd(principal, t, u);
    await this.tenants.addMember(t, u, actor);
  }

  @Delete(':tenantId/users/:userId')
  @Auth('admin', 'user')
  @Contract({ summary: 'Remove a member and their grants in this tenant', status: 204 })
  async removeMember(
    @IdParam('tenantId') tenantId: string,
    @IdParam('userId') userId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.access.requireMayRemove(principal, tenantId, userId);
    await this.tenants.removeMember(tenantId, userId, actor);
  }

  /** A grant or revocation in the tenant, by an admin or within a tenant admin's own grants. */
  private async change(
    add: boolean,
    kind: GrantKind,
    target: { tenantId: string; userId: string; id: string },
    principal: Principal,
    actor: Actor,
  ): Promise<void> {
    const { tenantId, userId, id } = target;
    await this.access.requireMayChange(principal, tenantId, kind, id);
    if (add) await this.grants.grantInTenant(kind, tenantId, userId, id, actor);
    else await this.grants.revokeInTenant(kind, tenantId, userId, id, actor);
  }

  @Put(':tenantId/users/:userId/roles/:roleId')
  @Auth('admin', 'user')
  @Contract({ summary: 'Grant a role in this tenant (makes the user a member)', status: 204 })
  grantRole(
    @IdParam('tenantId') tenantId: string,
    @IdParam('userId') userId: string,
    @IdParam('roleId') id: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.change(true, 'role', { tenantId, userId, id }, principal, actor);
  }

  @Delete(':tenantId/users/:userId/roles/:roleId')
  @Auth('admin', 'user')
  @Contract({ summary: 'Revoke a role in this tenant', status: 204 })
  revokeRole(
    @IdParam('tenantId') tenantId: string,
    @IdParam('userId') userId: string,
    @IdParam('roleId') id: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.change(false, 'role', { tenantId, userId, id }, principal, actor);
  }

  @Put(':tenantId/users/:userId/permissions/:permissionId')
  @Auth('admin', 'user')
  @Contract({ summary: 'Grant a permission in this tenant (makes the user a member)', status: 204 })
  grantPermission(
    @IdParam('tenantId') tenantId: string,
    @IdParam('userId') userId: string,
    @IdParam('permissionId') id: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.change(true, 'permission', { tenantId, userId, id }, principal, actor);
  }

  @Delete(':tenantId/users/:userId/permissions/:permissionId')
  @Auth('admin', 'user')
  @Contract({ summary: 'Revoke a permission in this tenant', status: 204 })
  revokePermission(
    @IdParam('tenantId') tenantId: string,
    @IdParam('userId') userId: string,
    @IdParam('permissionId') id: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.change(false, 'permission', { tenantId, userId, id }, principal, actor);
  }
}
