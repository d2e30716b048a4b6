import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  Put,
  UseFilters,
  createParamDecorator,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { UserAdminService } from '../admin/user-admin.service.js';
import { ApiError } from '../infra/http/api-error.js';
import { z } from 'zod';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, IdParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, type Actor } from '../auth/principal.js';
import { CatalogService, type CatalogKind } from '../directory/catalog.service.js';
import type { NamedRecord, TenantEntity } from '../directory/directory.entity.js';
import { EntitlementService, type EntitlementOwner } from '../entitlements/entitlement.service.js';
import { GrantService } from '../directory/grant.service.js';
import { TenantService } from '../directory/tenant.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserService } from '../users/user.service.js';
import {
  WarrantListQuery,
  WarrantNamedUpdate,
  WarrantPermissionInput,
  WarrantRoleInput,
  WarrantTenantInput,
  WarrantTenantUpdate,
  WarrantUserInput,
  WarrantUserUpdate,
  WarrantTierInput,
  WarrantFeatureInput,
} from './warrant.dto.js';
import { WarrantErrorFilter } from './warrant-error.filter.js';
import { builtIns, toTessera, toWarrant } from './warrant-ids.js';
import { WarrantService } from './warrant.service.js';

const user = (u: UserEntity) => ({ userId: u.id, email: u.email });
const tenant = (t: TenantEntity) => ({ tenantId: t.id, name: t.name });
const role = (r: NamedRecord) => ({ roleId: toWarrant('role', r.id), name: r.name, description: r.description });
const permission = (p: NamedRecord) => ({
  permissionId: toWarrant('permission', p.id),
  name: p.name,
  description: p.description,
});
const tier = (t: NamedRecord) => ({ pricingTierId: t.id, name: t.name, description: t.description });
const feature = (f: NamedRecord) => ({ featureId: f.id, name: f.name, description: f.description });
/** The warrant an SDK remove call stands for (what is swept after it). */
const warrantOf = (objectType: string, objectId: string, subjectType: string, subjectId: string) => ({
  objectType,
  objectId,
  subject: { objectType: subjectType, objectId: subjectId },
});
const page = (q: WarrantListQuery) => ({ limit: q.limit, offset: (q.page - 1) * q.limit });
/** Warrant's `name`/`description` of a create: null when absent. */
const described = (b: { name?: string | null; description?: string | null }) => ({
  name: b.name ?? null,
  description: b.description ?? null,
});

/** `tenants` or `users` in the path, as the entitlement owner. */
const OwnerParam = createParamDecorator((_: unknown, ctx: ExecutionContext): EntitlementOwner => {
  const owner = ctx.switchToHttp().getRequest<FastifyRequest<{ Params: { owner: string } }>>().params.owner;
  if (owner === 'tenants') return 'tenant';
  if (owner === 'users') return 'user';
  throw new ApiError('not_found', 'No such route', { type: 'route' });
});

/** Tessera's built-ins are not Warrant's: /warrant lists leave them out. */
const withoutBuiltIns = (kind: 'role' | 'permission', ids: string[]) =>
  ids.filter((id) => !builtIns(kind).includes(id));

const UserBatch = z.union([z.array(WarrantUserInput).max(1000), WarrantUserInput]);
const TenantBatch = z.union([z.array(WarrantTenantInput).max(1000), WarrantTenantInput]);

/**
 * Warrant's v1 directory (users, tenants, roles, permissions and their assignments) as thin routes
 * over Tessera's own services. Warrant's shapes: bare arrays with page/limit, POST to assign.
 */
@Controller('warrant/v1')
@Auth('admin')
@UseFilters(WarrantErrorFilter)
export class WarrantDirectoryController {
  constructor(
    private readonly users: UserService,
    private readonly userAdmin: UserAdminService,
    private readonly tenants: TenantService,
    private readonly catalog: CatalogService,
    private readonly grants: GrantService,
    private readonly entitlements: EntitlementService,
    private readonly warrants: WarrantService,
  ) {}

  // Users
  @Post('users')
  @Contract({ summary: 'Warrant: create a user, or a batch of them', body: UserBatch, status: 200 })
  @Errors('duplicate_record')
  async createUsers(@ValidBody() body: z.infer<typeof UserBatch>, @CurrentActor() actor: Actor) {
    const one = async (u: z.infer<typeof WarrantUserInput>) =>
      user(await this.userAdmin.create({ userId: u.userId, email: u.email ?? undefined }, actor));
    if (!Array.isArray(body)) return one(body);
    const created = [];
    for (const u of body) created.push(await one(u));
    return created;
  }

  @Get('users')
  @Contract({ summary: 'Warrant: list users', query: WarrantListQuery })
  async listUsers(@ValidQuery() q: WarrantListQuery) {
    return (await this.users.list(page(q))).items.map(user);
  }

  @Get('users/:userId')
  @Contract({ summary: 'Warrant: get a user' })
  async getUser(@IdParam('userId') userId: string) {
    return user(await this.users.getById(userId));
  }

  @Put('users/:userId')
  @Contract({ summary: "Warrant: change a user's email", body: WarrantUserUpdate })
  @Errors('duplicate_record')
  async updateUser(
    @IdParam('userId') userId: string,
    @ValidBody() body: z.infer<typeof WarrantUserUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    if (body.email === undefined || body.email === null) return user(await this.users.getById(userId));
    return user(await this.userAdmin.update(userId, { email: body.email }, actor));
  }

  @Delete('users/:userId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: delete a user', status: 200 })
  deleteUser(@IdParam('userId') userId: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.warrants.removeObject('user', userId, () => this.userAdmin.remove(userId, actor), actor);
  }

  @Get('users/:userId/tenants')
  @Contract({ summary: "Warrant: a user's tenants", query: WarrantListQuery })
  async tenantsOfUser(@IdParam('userId') userId: string, @ValidQuery() q: WarrantListQuery) {
    return (await this.tenants.tenantsOf(userId, page(q))).items.map((m) => ({
      tenantId: m.tenant.tenantId,
      name: m.tenant.name,
    }));
  }

  @Get('users/:userId/roles')
  @Contract({ summary: "Warrant: a user's global roles", query: WarrantListQuery })
  async rolesOfUser(@IdParam('userId') userId: string, @ValidQuery() _q: WarrantListQuery) {
    const { roles } = await this.grants.globalGrants(userId);
    return (await this.catalog.getMany('role', withoutBuiltIns('role', roles))).map(role);
  }

  @Get('users/:userId/permissions')
  @Contract({ summary: "Warrant: a user's global permissions", query: WarrantListQuery })
  async permissionsOfUser(@IdParam('userId') userId: string, @ValidQuery() _q: WarrantListQuery) {
    const { permissions } = await this.grants.globalGrants(userId);
    return (await this.catalog.getMany('permission', withoutBuiltIns('permission', permissions))).map(permission);
  }

  @Post('users/:userId/roles/:roleId')
  @Contract({ summary: 'Warrant: grant a role globally', status: 200 })
  async assignRole(@IdParam('userId') userId: string, @IdParam('roleId') roleId: string, @CurrentActor() actor: Actor) {
    const id = toTessera('role', roleId);
    await this.grants.grantGlobal('role', userId, id, actor);
    return role(await this.catalog.get('role', id));
  }

  @Delete('users/:userId/roles/:roleId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: revoke a global role', status: 200 })
  async removeRole(
    @IdParam('userId') userId: string,
    @IdParam('roleId') roleId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.grants.revokeGlobal('role', userId, toTessera('role', roleId), actor);
    await this.warrants.afterRemoved(warrantOf('role', roleId, 'user', userId), actor);
  }

  @Post('users/:userId/permissions/:permissionId')
  @Contract({ summary: 'Warrant: grant a permission globally', status: 200 })
  async assignPermission(
    @IdParam('userId') userId: string,
    @IdParam('permissionId') permissionId: string,
    @CurrentActor() actor: Actor,
  ) {
    const id = toTessera('permission', permissionId);
    await this.grants.grantGlobal('permission', userId, id, actor);
    return permission(await this.catalog.get('permission', id));
  }

  @Delete('users/:userId/permissions/:permissionId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: revoke a global permission', status: 200 })
  async removePermission(
    @IdParam('userId') userId: string,
    @IdParam('permissionId') permissionId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.grants.revokeGlobal('permission', userId, toTessera('permission', permissionId), actor);
    await this.warrants.afterRemoved(warrantOf('permission', permissionId, 'user', userId), actor);
  }

  // Tenants
  @Post('tenants')
  @Contract({ summary: 'Warrant: create a tenant, or a batch of them', body: TenantBatch, status: 200 })
  @Errors('duplicate_record')
  async createTenants(@ValidBody() body: z.infer<typeof TenantBatch>, @CurrentActor() actor: Actor) {
    const one = async (t: z.infer<typeof WarrantTenantInput>) =>
      tenant(await this.tenants.create({ tenantId: t.tenantId, name: t.name ?? null }, actor));
    if (!Array.isArray(body)) return one(body);
    const created = [];
    for (const t of body) created.push(await one(t));
    return created;
  }

  @Get('tenants')
  @Contract({ summary: 'Warrant: list tenants', query: WarrantListQuery })
  async listTenants(@ValidQuery() q: WarrantListQuery) {
    return (await this.tenants.list(page(q))).items.map(tenant);
  }

  @Get('tenants/:tenantId')
  @Contract({ summary: 'Warrant: get a tenant' })
  async getTenant(@IdParam('tenantId') tenantId: string) {
    return tenant(await this.tenants.get(tenantId));
  }

  @Put('tenants/:tenantId')
  @Contract({ summary: 'Warrant: rename a tenant', body: WarrantTenantUpdate })
  async updateTenant(
    @IdParam('tenantId') tenantId: string,
    @ValidBody() body: z.infer<typeof WarrantTenantUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    // Without a name nothing changes, so nothing is audited.
    if (body.name === undefined) return tenant(await this.tenants.get(tenantId));
    return tenant(await this.tenants.rename(tenantId, body.name, actor));
  }

  @Delete('tenants/:tenantId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: delete a tenant', status: 200 })
  deleteTenant(@IdParam('tenantId') tenantId: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.warrants.removeObject('tenant', tenantId, () => this.tenants.remove(tenantId, actor), actor);
  }

  @Get('tenants/:tenantId/users')
  @Contract({ summary: "Warrant: a tenant's users", query: WarrantListQuery })
  async usersOfTenant(@IdParam('tenantId') tenantId: string, @ValidQuery() q: WarrantListQuery) {
    return (await this.tenants.members(tenantId, page(q))).items.map((m) => ({
      userId: m.user.userId,
      email: m.user.email,
    }));
  }

  // Roles and permissions
  @Post('roles')
  @Contract({ summary: 'Warrant: create a role', body: WarrantRoleInput, status: 200 })
  @Errors('duplicate_record')
  async createRole(@ValidBody() body: z.infer<typeof WarrantRoleInput>, @CurrentActor() actor: Actor) {
    return role(await this.catalog.create('role', { id: toTessera('role', body.roleId), ...described(body) }, actor));
  }

  @Get('roles')
  @Contract({ summary: 'Warrant: list roles', query: WarrantListQuery })
  listRoles(@ValidQuery() q: WarrantListQuery) {
    return this.listCatalog('role', q, role, builtIns('role'));
  }

  @Get('roles/:roleId')
  @Contract({ summary: 'Warrant: get a role' })
  async getRole(@IdParam('roleId') roleId: string) {
    return role(await this.catalog.get('role', toTessera('role', roleId)));
  }

  @Put('roles/:roleId')
  @Contract({ summary: 'Warrant: change a role', body: WarrantNamedUpdate })
  async updateRole(
    @IdParam('roleId') roleId: string,
    @ValidBody() body: z.infer<typeof WarrantNamedUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    return role(await this.catalog.update('role', toTessera('role', roleId), body, actor));
  }

  /** Warrant also takes POST for an update. */
  @Post('roles/:roleId')
  @Contract({ summary: 'Warrant: change a role (POST, as Warrant takes it)', body: WarrantNamedUpdate, status: 200 })
  updateRoleByPost(
    @IdParam('roleId') roleId: string,
    @ValidBody() body: z.infer<typeof WarrantNamedUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    return this.updateRole(roleId, body, actor);
  }

  @Delete('roles/:roleId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: delete a role', status: 200 })
  deleteRole(@IdParam('roleId') roleId: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.warrants.removeObject(
      'role',
      roleId,
      () => this.catalog.remove('role', toTessera('role', roleId), actor),
      actor,
    );
  }

  @Get('roles/:roleId/permissions')
  @Contract({ summary: "Warrant: a role's permissions", query: WarrantListQuery })
  async permissionsOfRole(@IdParam('roleId') roleId: string, @ValidQuery() _q: WarrantListQuery) {
    const [dto] = await this.catalog.toRoleDtos([await this.catalog.get('role', toTessera('role', roleId))]);
    return (await this.catalog.getMany('permission', dto!.permissions)).map(permission);
  }

  @Post('roles/:roleId/permissions/:permissionId')
  @Contract({ summary: 'Warrant: let a role hold a permission', status: 200 })
  async addPermissionToRole(
    @IdParam('roleId') roleId: string,
    @IdParam('permissionId') permissionId: string,
    @CurrentActor() actor: Actor,
  ) {
    const id = toTessera('permission', permissionId);
    await this.catalog.addPermissionToRole(toTessera('role', roleId), id, actor);
    return permission(await this.catalog.get('permission', id));
  }

  @Delete('roles/:roleId/permissions/:permissionId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: take a permission from a role', status: 200 })
  async removePermissionFromRole(
    @IdParam('roleId') roleId: string,
    @IdParam('permissionId') permissionId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.catalog.removePermissionFromRole(
      toTessera('role', roleId),
      toTessera('permission', permissionId),
      actor,
    );
    await this.warrants.afterRemoved(warrantOf('permission', permissionId, 'role', roleId), actor);
  }

  @Post('permissions')
  @Contract({ summary: 'Warrant: create a permission', body: WarrantPermissionInput, status: 200 })
  @Errors('duplicate_record')
  async createPermission(@ValidBody() body: z.infer<typeof WarrantPermissionInput>, @CurrentActor() actor: Actor) {
    const input = { id: toTessera('permission', body.permissionId), ...described(body) };
    return permission(await this.catalog.create('permission', input, actor));
  }

  @Get('permissions')
  @Contract({ summary: 'Warrant: list permissions', query: WarrantListQuery })
  listPermissions(@ValidQuery() q: WarrantListQuery) {
    return this.listCatalog('permission', q, permission, builtIns('permission'));
  }

  @Get('permissions/:permissionId')
  @Contract({ summary: 'Warrant: get a permission' })
  async getPermission(@IdParam('permissionId') permissionId: string) {
    return permission(await this.catalog.get('permission', toTessera('permission', permissionId)));
  }

  @Put('permissions/:permissionId')
  @Contract({ summary: 'Warrant: change a permission', body: WarrantNamedUpdate })
  async updatePermission(
    @IdParam('permissionId') permissionId: string,
    @ValidBody() body: z.infer<typeof WarrantNamedUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    return permission(await this.catalog.update('permission', toTessera('permission', permissionId), body, actor));
  }

  /** Warrant also takes POST for an update. */
  @Post('permissions/:permissionId')
  @Contract({
    summary: 'Warrant: change a permission (POST, as Warrant takes it)',
    body: WarrantNamedUpdate,
    status: 200,
  })
  updatePermissionByPost(
    @IdParam('permissionId') permissionId: string,
    @ValidBody() body: z.infer<typeof WarrantNamedUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    return this.updatePermission(permissionId, body, actor);
  }

  @Delete('permissions/:permissionId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: delete a permission', status: 200 })
  deletePermission(@IdParam('permissionId') permissionId: string, @CurrentActor() actor: Actor): Promise<void> {
    const remove = () => this.catalog.remove('permission', toTessera('permission', permissionId), actor);
    return this.warrants.removeObject('permission', permissionId, remove, actor);
  }

  // Pricing tiers and features
  @Post('pricing-tiers')
  @Contract({ summary: 'Warrant: create a pricing tier', body: WarrantTierInput, status: 200 })
  @Errors('duplicate_record')
  async createTier(@ValidBody() body: z.infer<typeof WarrantTierInput>, @CurrentActor() actor: Actor) {
    return tier(await this.catalog.create('pricingTier', { id: body.pricingTierId, ...described(body) }, actor));
  }

  @Get('pricing-tiers')
  @Contract({ summary: 'Warrant: list pricing tiers', query: WarrantListQuery })
  listTiers(@ValidQuery() q: WarrantListQuery) {
    return this.listCatalog('pricingTier', q, tier);
  }

  @Get('pricing-tiers/:pricingTierId')
  @Contract({ summary: 'Warrant: get a pricing tier' })
  async getTier(@IdParam('pricingTierId') id: string) {
    return tier(await this.catalog.get('pricingTier', id));
  }

  @Put('pricing-tiers/:pricingTierId')
  @Contract({ summary: 'Warrant: change a pricing tier', body: WarrantNamedUpdate })
  async updateTier(
    @IdParam('pricingTierId') id: string,
    @ValidBody() body: z.infer<typeof WarrantNamedUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    return tier(await this.catalog.update('pricingTier', id, body, actor));
  }

  /** Warrant also takes POST for an update. */
  @Post('pricing-tiers/:pricingTierId')
  @Contract({
    summary: 'Warrant: change a pricing tier (POST, as Warrant takes it)',
    body: WarrantNamedUpdate,
    status: 200,
  })
  updateTierByPost(
    @IdParam('pricingTierId') id: string,
    @ValidBody() body: z.infer<typeof WarrantNamedUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    return this.updateTier(id, body, actor);
  }

  @Delete('pricing-tiers/:pricingTierId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: delete a pricing tier', status: 200 })
  deleteTier(@IdParam('pricingTierId') id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.warrants.removeObject('pricing-tier', id, () => this.catalog.remove('pricingTier', id, actor), actor);
  }

  @Get('pricing-tiers/:pricingTierId/features')
  @Contract({ summary: "Warrant: a pricing tier's features", query: WarrantListQuery })
  async featuresOfTier(@IdParam('pricingTierId') id: string, @ValidQuery() _q: WarrantListQuery) {
    const [dto] = await this.entitlements.toPricingTierDtos([await this.catalog.get('pricingTier', id)]);
    return (await this.catalog.getMany('feature', dto!.features)).map(feature);
  }

  @Post('pricing-tiers/:pricingTierId/features/:featureId')
  @Contract({ summary: 'Warrant: let a pricing tier hold a feature', status: 200 })
  async addTierFeature(
    @IdParam('pricingTierId') id: string,
    @IdParam('featureId') featureId: string,
    @CurrentActor() actor: Actor,
  ) {
    await this.entitlements.setTierFeature(id, featureId, true, actor);
    return feature(await this.catalog.get('feature', featureId));
  }

  @Delete('pricing-tiers/:pricingTierId/features/:featureId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: take a feature from a pricing tier', status: 200 })
  async removeTierFeature(
    @IdParam('pricingTierId') id: string,
    @IdParam('featureId') featureId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.entitlements.setTierFeature(id, featureId, false, actor);
    await this.warrants.afterRemoved(warrantOf('feature', featureId, 'pricing-tier', id), actor);
  }

  @Post('features')
  @Contract({ summary: 'Warrant: create a feature', body: WarrantFeatureInput, status: 200 })
  @Errors('duplicate_record')
  async createFeature(@ValidBody() body: z.infer<typeof WarrantFeatureInput>, @CurrentActor() actor: Actor) {
    return feature(await this.catalog.create('feature', { id: body.featureId, ...described(body) }, actor));
  }

  @Get('features')
  @Contract({ summary: 'Warrant: list features', query: WarrantListQuery })
  listFeatures(@ValidQuery() q: WarrantListQuery) {
    return this.listCatalog('feature', q, feature);
  }

  @Get('features/:featureId')
  @Contract({ summary: 'Warrant: get a feature' })
  async getFeature(@IdParam('featureId') id: string) {
    return feature(await this.catalog.get('feature', id));
  }

  @Put('features/:featureId')
  @Contract({ summary: 'Warrant: change a feature', body: WarrantNamedUpdate })
  async updateFeature(
    @IdParam('featureId') id: string,
    @ValidBody() body: z.infer<typeof WarrantNamedUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    return feature(await this.catalog.update('feature', id, body, actor));
  }

  /** Warrant also takes POST for an update. */
  @Post('features/:featureId')
  @Contract({ summary: 'Warrant: change a feature (POST, as Warrant takes it)', body: WarrantNamedUpdate, status: 200 })
  updateFeatureByPost(
    @IdParam('featureId') id: string,
    @ValidBody() body: z.infer<typeof WarrantNamedUpdate>,
    @CurrentActor() actor: Actor,
  ) {
    return this.updateFeature(id, body, actor);
  }

  @Delete('features/:featureId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: delete a feature', status: 200 })
  deleteFeature(@IdParam('featureId') id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.warrants.removeObject('feature', id, () => this.catalog.remove('feature', id, actor), actor);
  }

  @Get(':owner/:ownerId/pricing-tiers')
  @Contract({ summary: "Warrant: a tenant's or user's pricing tiers", query: WarrantListQuery })
  async tiersOf(
    @OwnerParam() owner: EntitlementOwner,
    @IdParam('ownerId') ownerId: string,
    @ValidQuery() _q: WarrantListQuery,
  ) {
    return (await this.catalog.getMany('pricingTier', (await this.entitlements.of(owner, ownerId)).pricingTiers)).map(
      tier,
    );
  }

  @Post(':owner/:ownerId/pricing-tiers/:pricingTierId')
  @Contract({ summary: 'Warrant: give a tenant or user a pricing tier', status: 200 })
  async giveTier(
    @OwnerParam() owner: EntitlementOwner,
    @IdParam('ownerId') ownerId: string,
    @IdParam('pricingTierId') id: string,
    @CurrentActor() actor: Actor,
  ) {
    await this.entitlements.set(owner, ownerId, 'pricingTier', id, true, actor);
    return tier(await this.catalog.get('pricingTier', id));
  }

  @Delete(':owner/:ownerId/pricing-tiers/:pricingTierId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: take a pricing tier from a tenant or user', status: 200 })
  async takeTier(
    @OwnerParam() owner: EntitlementOwner,
    @IdParam('ownerId') ownerId: string,
    @IdParam('pricingTierId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.entitlements.set(owner, ownerId, 'pricingTier', id, false, actor);
    await this.warrants.afterRemoved(warrantOf('pricing-tier', id, owner, ownerId), actor);
  }

  @Get(':owner/:ownerId/features')
  @Contract({ summary: "Warrant: a tenant's or user's features", query: WarrantListQuery })
  async featuresOf(
    @OwnerParam() owner: EntitlementOwner,
    @IdParam('ownerId') ownerId: string,
    @ValidQuery() _q: WarrantListQuery,
  ) {
    return (await this.catalog.getMany('feature', (await this.entitlements.of(owner, ownerId)).features)).map(feature);
  }

  @Post(':owner/:ownerId/features/:featureId')
  @Contract({ summary: 'Warrant: give a tenant or user a feature', status: 200 })
  async giveFeature(
    @OwnerParam() owner: EntitlementOwner,
    @IdParam('ownerId') ownerId: string,
    @IdParam('featureId') id: string,
    @CurrentActor() actor: Actor,
  ) {
    await this.entitlements.set(owner, ownerId, 'feature', id, true, actor);
    return feature(await this.catalog.get('feature', id));
  }

  @Delete(':owner/:ownerId/features/:featureId')
  @HttpCode(200)
  @Contract({ summary: 'Warrant: take a feature from a tenant or user', status: 200 })
  async takeFeature(
    @OwnerParam() owner: EntitlementOwner,
    @IdParam('ownerId') ownerId: string,
    @IdParam('featureId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.entitlements.set(owner, ownerId, 'feature', id, false, actor);
    await this.warrants.afterRemoved(warrantOf('feature', id, owner, ownerId), actor);
  }

  private async listCatalog<T>(
    kind: CatalogKind,
    q: WarrantListQuery,
    map: (e: NamedRecord) => T,
    except: readonly string[] = [],
  ): Promise<T[]> {
    return (await this.catalog.list(kind, page(q), except)).items.map(map);
  }
}
