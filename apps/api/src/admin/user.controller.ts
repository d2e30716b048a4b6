import { Controller, Delete, Get, Patch, Post, Put } from '@nestjs/common';
import {
  CreateUserRequest,
  GlobalGrants,
  ListQuery,
  MembershipPage,
  UpdateUserRequest,
  User,
  UserListQuery,
  UserPage,
  type Membership,
  type Page,
} from '@tessera/dto';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, IdParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, CurrentPrincipal, type Actor, type Principal } from '../auth/principal.js';
import { notFound } from '../infra/http/api-error.js';
import { GrantService } from '../directory/grant.service.js';
import { TenantService } from '../directory/tenant.service.js';
import { UserService, toUserDto } from '../users/user.service.js';
import { AccessService } from './access.service.js';
import { UserAdminService } from './user-admin.service.js';

@Controller('v1/users')
@Auth('admin')
export class UserController {
  constructor(
    private readonly users: UserService,
    private readonly tenants: TenantService,
    private readonly grants: GrantService,
    private readonly userAdmin: UserAdminService,
    private readonly access: AccessService,
  ) {}

  /** 404 for a user outside a tenant admin's tenants, as for an unknown one. */
  private async requireInScope(principal: Principal, userId: string): Promise<string[] | null> {
    const scope = await this.access.scopeOf(principal);
    if (scope === null) return null;
    const page = await this.users.list({ limit: 1 }, { id: userId, tenantIds: scope });
    if (page.items.length === 0) throw notFound('user', userId);
    return scope;
  }

  @Post()
  @Contract({ summary: 'Create a user', body: CreateUserRequest, response: User, status: 201 })
  @Errors('duplicate_record')
  async create(@ValidBody() body: CreateUserRequest, @CurrentActor() actor: Actor): Promise<User> {
    return toUserDto(await this.userAdmin.create(body, actor));
  }

  /** Tenant admins see their tenants' members only. */
  @Get()
  @Auth('admin', 'user')
  @Contract({
    summary: 'List users: search by email or id, filter; a tenant admin sees the members of their tenants',
    query: UserListQuery,
    response: UserPage,
  })
  async list(@ValidQuery() query: UserListQuery, @CurrentPrincipal() principal: Principal): Promise<Page<User>> {
    const { q, disabled, superAdmin, mfa, tenantId, ...listing } = query;
    const scope = await this.access.scopeOf(principal);
    const wanted = tenantId === undefined ? undefined : [tenantId];
    const tenantIds = scope === null ? wanted : (wanted ?? scope).filter((id) => scope.includes(id));
    const page = await this.users.list(listing, { q, disabled, superAdmin, mfa, tenantIds });
    return { items: page.items.map(toUserDto), next: page.next };
  }

  @Get(':userId')
  @Auth('admin', 'user')
  @Contract({ summary: 'Get a user (a tenant admin: a member of their tenants)', response: User })
  async get(@IdParam('userId') userId: string, @CurrentPrincipal() principal: Principal): Promise<User> {
    await this.requireInScope(principal, userId);
    return toUserDto(await this.users.getById(userId));
  }

  @Patch(':userId')
  @Contract({
    summary: "Change a user's email or password; a new password ends the user's sessions",
    body: UpdateUserRequest,
    response: User,
  })
  @Errors('duplicate_record')
  async update(
    @IdParam('userId') userId: string,
    @ValidBody() body: UpdateUserRequest,
    @CurrentActor() actor: Actor,
  ): Promise<User> {
    return toUserDto(await this.userAdmin.update(userId, body, actor));
  }

  @Delete(':userId')
  @Contract({ summary: 'Delete a user, their memberships and grants; their sessions end', status: 204 })
  async remove(@IdParam('userId') userId: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.userAdmin.remove(userId, actor);
  }

  @Get(':userId/tenants')
  @Auth('admin', 'user')
  @Contract({
    summary: "A user's tenants, with their roles and permissions in each (a tenant admin: their tenants only)",
    query: ListQuery,
    response: MembershipPage,
  })
  async tenantsOf(
    @IdParam('userId') userId: string,
    @ValidQuery() query: ListQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<Membership>> {
    const scope = await this.requireInScope(principal, userId);
    if (scope === null) return this.tenants.tenantsOf(userId, query);
    // A tenant admin's tenants are few: their part of the user's memberships, in one page.
    const items: Membership[] = [];
    let after: string | undefined;
    do {
      const page = await this.tenants.tenantsOf(userId, { limit: 100, after });
      items.push(...page.items.filter((m) => scope.includes(m.tenant.tenantId)));
      after = page.next ?? undefined;
    } while (after !== undefined);
    return { items, next: null };
  }

  @Get(':userId/grants')
  @Contract({ summary: "A user's global roles and permissions", response: GlobalGrants })
  globalGrants(@IdParam('userId') userId: string): Promise<GlobalGrants> {
    return this.grants.globalGrants(userId);
  }

  @Put(':userId/roles/:roleId')
  @Contract({ summary: 'Grant a role globally (super_admin included)', status: 204 })
  grantRole(
    @IdParam('userId') userId: string,
    @IdParam('roleId') roleId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.grants.grantGlobal('role', userId, roleId, actor);
  }

  @Delete(':userId/roles/:roleId')
  @Contract({ summary: 'Revoke a global role', status: 204 })
  revokeRole(
    @IdParam('userId') userId: string,
    @IdParam('roleId') roleId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.grants.revokeGlobal('role', userId, roleId, actor);
  }

  @Put(':userId/permissions/:permissionId')
  @Contract({ summary: 'Grant a permission globally', status: 204 })
  grantPermission(
    @IdParam('userId') userId: string,
    @IdParam('permissionId') permissionId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.grants.grantGlobal('permission', userId, permissionId, actor);
  }

  @Delete(':userId/permissions/:permissionId')
  @Contract({ summary: 'Revoke a global permission', status: 204 })
  revokePermission(
    @IdParam('userId') userId: string,
    @IdParam('permissionId') permissionId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.grants.revokeGlobal('permission', userId, permissionId, actor);
  }
}
