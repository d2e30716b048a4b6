import { Controller, Delete, Get, Patch, Post, Put } from '@nestjs/common';
import {
  CreateUserRequest,
  GlobalGrants,
  ListQuery,
  MembershipPage,
  UpdateUserRequest,
  User,
  UserPage,
  type Membership,
  type Page,
} from '@tessera/dto';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, IdParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, type Actor } from '../auth/principal.js';
import { GrantService } from '../directory/grant.service.js';
import { TenantService } from '../directory/tenant.service.js';
import { UserService, toUserDto } from '../users/user.service.js';
import { UserAdminService } from './user-admin.service.js';

@Controller('v1/users')
@Auth('admin')
export class UserController {
  constructor(
    private readonly users: UserService,
    private readonly tenants: TenantService,
    private readonly grants: GrantService,
    private readonly userAdmin: UserAdminService,
  ) {}

  @Post()
  @Contract({ summary: 'Create a user', body: CreateUserRequest, response: User, status: 201 })
  @Errors('duplicate_record')
  async create(@ValidBody() body: CreateUserRequest, @CurrentActor() actor: Actor): Promise<User> {
    return toUserDto(await this.userAdmin.create(body, actor));
  }

  @Get()
  @Contract({ summary: 'List users', query: ListQuery, response: UserPage })
  async list(@ValidQuery() query: ListQuery): Promise<Page<User>> {
    const page = await this.users.list(query);
    return { items: page.items.map(toUserDto), next: page.next };
  }

  @Get(':userId')
  @Contract({ summary: 'Get a user', response: User })
  async get(@IdParam('userId') userId: string): Promise<User> {
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
  @Contract({
    summary: "A user's tenants, with their roles and permissions in each",
    query: ListQuery,
    response: MembershipPage,
  })
  tenantsOf(@IdParam('userId') userId: string, @ValidQuery() query: ListQuery): Promise<Page<Membership>> {
    return this.tenants.tenantsOf(userId, query);
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
