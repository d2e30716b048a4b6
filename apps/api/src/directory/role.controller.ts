import { Controller, Delete, Get, Patch, Post, Put } from '@nestjs/common';
import {
  CreatePermissionRequest,
  CreateRoleRequest,
  ListQuery,
  Permission,
  PermissionPage,
  Role,
  RolePage,
  UpdatePermissionRequest,
  UpdateRoleRequest,
  type Page,
} from '@tessera/dto';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, IdParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, type Actor } from '../auth/principal.js';
import { CatalogService, toPermissionDto } from './catalog.service.js';

@Controller('v1/roles')
@Auth('admin')
export class RoleController {
  constructor(private readonly catalog: CatalogService) {}

  private async one(roleId: string): Promise<Role> {
    const [role] = await this.catalog.toRoleDtos([await this.catalog.get('role', roleId)]);
    return role!;
  }

  @Post()
  @Contract({ summary: 'Create a role', body: CreateRoleRequest, response: Role, status: 201 })
  @Errors('duplicate_record')
  async create(@ValidBody() body: CreateRoleRequest, @CurrentActor() actor: Actor): Promise<Role> {
    await this.catalog.create('role', { id: body.roleId, name: body.name, description: body.description }, actor);
    return this.one(body.roleId);
  }

  @Get()
  @Contract({ summary: 'List roles with their permissions', query: ListQuery, response: RolePage })
  async list(@ValidQuery() query: ListQuery): Promise<Page<Role>> {
    const page = await this.catalog.list('role', query);
    return { items: await this.catalog.toRoleDtos(page.items), next: page.next };
  }

  @Get(':roleId')
  @Contract({ summary: 'Get a role with its permissions', response: Role })
  get(@IdParam('roleId') roleId: string): Promise<Role> {
    return this.one(roleId);
  }

  @Patch(':roleId')
  @Contract({ summary: 'Change the name or description of a role', body: UpdateRoleRequest, response: Role })
  async update(
    @IdParam('roleId') roleId: string,
    @ValidBody() body: UpdateRoleRequest,
    @CurrentActor() actor: Actor,
  ): Promise<Role> {
    await this.catalog.update('role', roleId, body, actor);
    return this.one(roleId);
  }

  @Delete(':roleId')
  @Contract({ summary: 'Delete a role and every grant of it', status: 204 })
  remove(@IdParam('roleId') roleId: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.catalog.remove('role', roleId, actor);
  }

  @Put(':roleId/permissions/:permissionId')
  @Contract({ summary: 'Let a role hold a permission (idempotent)', status: 204 })
  addPermission(
    @IdParam('roleId') roleId: string,
    @IdParam('permissionId') permissionId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.catalog.addPermissionToRole(roleId, permissionId, actor);
  }

  @Delete(':roleId/permissions/:permissionId')
  @Contract({ summary: 'Take a permission from a role', status: 204 })
  removePermission(
    @IdParam('roleId') roleId: string,
    @IdParam('permissionId') permissionId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.catalog.removePermissionFromRole(roleId, permissionId, actor);
  }
}

@Controller('v1/permissions')
@Auth('admin')
export class PermissionController {
  constructor(private readonly catalog: CatalogService) {}

  @Post()
  @Contract({ summary: 'Create a permission', body: CreatePermissionRequest, response: Permission, status: 201 })
  @Errors('duplicate_record')
  async create(@ValidBody() body: CreatePermissionRequest, @CurrentActor() actor: Actor): Promise<Permission> {
    const input = { id: body.permissionId, name: body.name, description: body.description };
    return toPermissionDto(await this.catalog.create('permission', input, actor));
  }

  @Get()
  @Contract({ summary: 'List permissions', query: ListQuery, response: PermissionPage })
  async list(@ValidQuery() query: ListQuery): Promise<Page<Permission>> {
    const page = await this.catalog.list('permission', query);
    return { items: page.items.map(toPermissionDto), next: page.next };
  }

  @Get(':permissionId')
  @Contract({ summary: 'Get a permission', response: Permission })
  async get(@IdParam('permissionId') permissionId: string): Promise<Permission> {
    return toPermissionDto(await this.catalog.get('permission', permissionId));
  }

  @Patch(':permissionId')
  @Contract({
    summary: 'Change the name or description of a permission',
    body: UpdatePermissionRequest,
    response: Permission,
  })
  async update(
    @IdParam('permissionId') permissionId: string,
    @ValidBody() body: UpdatePermissionRequest,
    @CurrentActor() actor: Actor,
  ): Promise<Permission> {
    return toPermissionDto(await this.catalog.update('permission', permissionId, body, actor));
  }

  @Delete(':permissionId')
  @Contract({ summary: 'Delete a permission and every grant of it', status: 204 })
  remove(@IdParam('permissionId') permissionId: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.catalog.remove('permission', permissionId, actor);
  }
}
