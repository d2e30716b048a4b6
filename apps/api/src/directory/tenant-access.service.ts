import { Injectable } from '@nestjs/common';
import { BUILT_IN_ROLES, type Assignable, type Page } from '@tessera/dto';
import type { Principal } from '../auth/principal.js';
import { forbidden, notFound } from '../infra/http/api-error.js';
import type { Listing } from '../infra/database/pagination.js';
import { CatalogService, toPermissionDto } from './catalog.service.js';
import type { PermissionEntity, RoleEntity, TenantEntity } from './directory.entity.js';
import { GrantRepository } from './grant.repository.js';
import { SUPER_ADMIN, type GrantKind } from './grant.service.js';
import { TenantRepository } from './tenant.repository.js';
import type { UserEntity } from '../users/user.entity.js';

/** The built-in role that makes its holder a tenant admin of the tenant it is held in. */
export const TENANT_ADMIN_ROLE = BUILT_IN_ROLES[0]; // 'admin'
/** Roles and permissions an admin's picker offers at most (in id order). */
const MAX_OFFERED = 1000;

/** What a caller may grant or revoke in one tenant: everything (admins), or these ids. */
type Grantable = { all: true } | { all: false; roles: Set<string>; permissions: Set<string> };

const notYours = () => forbidden('You do not administer this tenant');

/**
 * Who may manage a tenant's members and their grants. Admins (an admin key, a super admin's `user`
 * session) manage every tenant. A person's `user` session manages the tenants where they hold the
 * built-in `admin` role, and there grants or revokes only what they hold themselves, the rule of the
 * self-service dashboard: a role they hold whose every permission they hold, a permission they hold.
 */
@Injectable()
export class TenantAccessService {
  constructor(
    private readonly grants: GrantRepository,
    private readonly tenants: TenantRepository,
    private readonly catalog: CatalogService,
  ) {}

  /** The person behind a route's caller, or null for admins (the guard admitted admins and `user` sessions). */
  private person(principal: Principal): UserEntity | null {
    return principal.kind === 'api_key' || principal.user.superAdmin ? null : principal.user;
  }

  /** The tenants the caller manages: all for admins; for a tenant admin those where they hold `admin`. */
  async list(principal: Principal, query: Listing): Promise<Page<TenantEntity>> {
    const userId = this.person(principal)?.id;
    if (userId === undefined) return this.tenants.page(query);
    if (await this.grants.holdsGlobally(userId, TENANT_ADMIN_ROLE)) return this.tenants.page(query);
    return this.tenants.pageWhereHeld(userId, TENANT_ADMIN_ROLE, query);
  }

  /**
   * What the caller may grant or revoke in the tenant; 403 for a tenant it does not manage. Decided
   * from the caller's own grants before anything named in the request is looked up.
   */
  async grantable(principal: Principal, tenantId: string): Promise<Grantable> {
    const person = this.person(principal);
    if (person === null) return { all: true };
    const held = await this.grants.heldIn(person.id, tenantId);
    const roles = new Set(held.roles.filter((r) => r !== SUPER_ADMIN));
    if (!roles.has(TENANT_ADMIN_ROLE)) throw notYours();
    const links = await this.catalog.permissionsOfRoles([...roles]);
    const permissions = new Set(held.permissions);
    for (const ids of links.values()) for (const id of ids) permissions.add(id);
    // A role is handed on only by one who holds it and every permission it carries.
    const assignable = [...roles].filter((r) => [...(links.get(r) ?? [])].every((p) => permissions.has(p)));
    return { all: false, roles: new Set(assignable), permissions };
  }

  /** 403 unless the caller manages the tenant. */
  async requireManager(principal: Principal, tenantId: string): Promise<void> {
    await this.grantable(principal, tenantId);
  }

  /** 403 unless the caller may grant and revoke this role or permission in the tenant. */
  async requireMayChange(principal: Principal, tenantId: string, kind: GrantKind, id: string): Promise<void> {
    const grantable = await this.grantable(principal, tenantId);
    if (grantable.all) return;
    const ids = kind === 'role' ? grantable.roles : grantable.permissions;
    if (!ids.has(id)) throw forbidden(`You can grant or revoke only a ${kind} you hold here yourself`);
  }

  /**
   * A tenant admin adds people they can already see: members of a tenant they administer. Anyone
   * else, unknown users included, is the same 403, so the route tells nobody who has an account.
   */
  async requireMayAdd(principal: Principal, tenantId: string, userId: string): Promise<void> {
    await this.requireManager(principal, tenantId);
    const admin = this.person(principal)?.id;
    if (admin === undefined) return;
    const visible = (await this.grants.holdsGlobally(admin, TENANT_ADMIN_ROLE))
      ? (await this.grants.tenantIdsOf(userId)).length > 0
      : await this.grants.sharesTenantWith(userId, admin, TENANT_ADMIN_ROLE);
    if (!visible) throw forbidden('You may add only members of a tenant you administer');
  }

  /** Removing a member revokes their grants there: a tenant admin may remove only what they could revoke. */
  async requireMayRemove(principal: Principal, tenantId: string, userId: string): Promise<void> {
    const grantable = await this.grantable(principal, tenantId);
    if (grantable.all) return;
    const { roles, permissions } = await this.memberGrants(tenantId, userId);
    if (!roles.every((r) => grantable.roles.has(r)) || !permissions.every((p) => grantable.permissions.has(p))) {
      throw forbidden('This member holds a role or permission here that you do not: you cannot remove them');
    }
  }

  private async memberGrants(tenantId: string, userId: string): Promise<{ roles: string[]; permissions: string[] }> {
    const { roles, permissions } = await this.grants.grantsIn([{ tenantId, userId }]);
    return { roles: roles.map((g) => g.roleId), permissions: permissions.map((g) => g.permissionId) };
  }

  /** The roles (with their permissions) and permissions the caller's pickers offer in the tenant. */
  async assignable(principal: Principal, tenantId: string): Promise<Assignable> {
    const grantable = await this.grantable(principal, tenantId);
    let roles: RoleEntity[];
    let permissions: PermissionEntity[];
    if (grantable.all) {
      if (!(await this.tenants.exists(tenantId))) throw notFound('tenant', tenantId);
      const listing = { limit: MAX_OFFERED };
      [roles, permissions] = await Promise.all([
        this.catalog.list('role', listing).then((p) => p.items.filter((r) => r.id !== SUPER_ADMIN)),
        this.catalog.list('permission', listing).then((p) => p.items),
      ]);
    } else {
      [roles, permissions] = await Promise.all([
        this.catalog.getMany('role', [...grantable.roles].sort()),
        this.catalog.getMany('permission', [...grantable.permissions].sort()),
      ]);
    }
    return { roles: await this.catalog.toRoleDtos(roles), permissions: permissions.map(toPermissionDto) };
  }
}
